package io.fastpool.guard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.guard.internal.ExitCallers.CallsRuntimeExit;
import io.fastpool.guard.internal.ExitCallers.CallsRuntimeHalt;
import io.fastpool.guard.internal.ExitCallers.CallsSystemExit;
import io.fastpool.guard.internal.ExitCallers.CatchesTheRefusal;
import io.fastpool.guard.internal.ExitCallers.MentionsExitOnly;
import io.fastpool.guard.internal.ExitCallers.Plain;
import io.fastpool.guard.internal.ExitCallers.ReferencesRuntimeHalt;
import io.fastpool.guard.internal.ExitCallers.ReferencesSystemExit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

class ExitCallRewriterTest {

    @Test
    void systemExitIsRewrittenIntoASecurityExceptionThatNamesTheCall() throws Exception {
        assertThatThrownBy(() -> runnable(CallsSystemExit.class).run()).isInstanceOf(SecurityException.class)
                .hasMessageStartingWith("System.exit(3) refused: an app may not end the Fastpool server")
                .hasMessageContaining("called by " + CallsSystemExit.class.getName());
    }

    @Test
    void runtimeExitIsRewrittenIntoASecurityException() throws Exception {
        assertThatThrownBy(() -> runnable(CallsRuntimeExit.class).run()).isInstanceOf(SecurityException.class)
                .hasMessageStartingWith("Runtime.exit(4) refused");
    }

    @Test
    void runtimeHaltIsRewrittenIntoASecurityException() throws Exception {
        assertThatThrownBy(() -> runnable(CallsRuntimeHalt.class).run()).isInstanceOf(SecurityException.class)
                .hasMessageStartingWith("Runtime.halt(5) refused");
    }

    @Test
    void methodReferencesToSystemExitAndABoundRuntimeHaltAreRewrittenToo() throws Exception {
        assertThatThrownBy(() -> runnable(ReferencesSystemExit.class).run()).isInstanceOf(SecurityException.class)
                .hasMessageStartingWith("System.exit(6) refused")
                .as("the caller named is the class that made the reference, not its lambda")
                .hasMessageEndingWith("called by " + ReferencesSystemExit.class.getName() + ")");
        assertThatThrownBy(() -> runnable(ReferencesRuntimeHalt.class).run()).isInstanceOf(SecurityException.class)
                .hasMessageStartingWith("Runtime.halt(7) refused");
    }

    @Test
    void anAppThatCatchesTheSecurityExceptionGoesOnAsUnderASecurityManager() throws Exception {
        @SuppressWarnings("unchecked")
        Supplier<String> app = (Supplier<String>) woven(CatchesTheRefusal.class);

        assertThat(app.get()).startsWith("caught: System.exit(8) refused");
    }

    @Test
    void aClassNamingExitWithoutCallingItIsScannedButNotRewritten() {
        ClassReader reader = new ClassReader(WovenLoader.bytesOf(MentionsExitOnly.class));

        assertThat(ExitCallRewriter.mayCallExit(reader)).as("its constant pool names Runtime and exit").isTrue();
        assertThat(ExitCallRewriter.rewrite(reader)).isNull();
    }

    @Test
    void aClassNamingNoExitIsPassedOverByItsConstantPoolAlone() {
        assertThat(ExitCallRewriter.mayCallExit(new ClassReader(WovenLoader.bytesOf(Plain.class)))).isFalse();
        assertThat(ExitCallRewriter.mayCallExit(new ClassReader(WovenLoader.bytesOf(CallsRuntimeHalt.class)))).isTrue();
    }

    private static Runnable runnable(Class<? extends Runnable> type) throws Exception {
        return (Runnable) woven(type);
    }

    /**
     * {@code type} rewritten, checked to call none of the three any more, and instantiated from a loader
     * that defines the rewritten bytes (only then is it safe to run: compiled as it is, it would end this JVM).
     */
    private static Object woven(Class<?> type) throws Exception {
        byte[] compiled = WovenLoader.bytesOf(type);
        assertThat(exitCalls(compiled)).as("compiled, %s calls an exit", type.getSimpleName()).isNotEmpty();
        byte[] rewritten = ExitCallRewriter.rewrite(new ClassReader(compiled));
        assertThat(rewritten).as("rewritten").isNotNull();
        assertThat(exitCalls(rewritten)).as("exit calls left in %s", type.getSimpleName()).isEmpty();
        Class<?> loaded = new WovenLoader(Map.of(type.getName(), rewritten)).loadClass(type.getName());
        assertThat(loaded.getClassLoader()).isInstanceOf(WovenLoader.class);
        var constructor = loaded.getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
    }

    /** The calls and method handles to System.exit, Runtime.exit and Runtime.halt in a class file. */
    private static List<String> exitCalls(byte[] classFile) {
        List<String> calls = new ArrayList<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean isInterface) {
                        note(owner, method);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String method, String desc, Handle bootstrap, Object... arguments) {
                        for (Object argument : arguments) {
                            if (argument instanceof Handle handle) {
                                note(handle.getOwner(), handle.getName());
                            }
                        }
                    }

                    private void note(String owner, String method) {
                        if ((owner.equals("java/lang/System") && method.equals("exit"))
                                || (owner.equals("java/lang/Runtime") && (method.equals("exit") || method.equals("halt")))) {
                            calls.add(owner + "." + method);
                        }
                    }
                };
            }
        }, 0);
        return calls;
    }
}
