package io.fastpool.guard.internal;

import io.fastpool.guard.ExitRefusal;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Rewrites a class file's calls that would end the process into calls to {@link ExitRefusal}, which
 * throw a {@code SecurityException} instead:
 * <pre>
 *   invokestatic  java/lang/System.exit(I)V   -&gt;  invokestatic ExitRefusal.systemExit(I)V
 *   invokevirtual java/lang/Runtime.exit(I)V  -&gt;  invokestatic ExitRefusal.runtimeExit(Ljava/lang/Runtime;I)V
 *   invokevirtual java/lang/Runtime.halt(I)V  -&gt;  invokestatic ExitRefusal.runtimeHalt(Ljava/lang/Runtime;I)V
 * </pre>
 * and the same three as method handle constants ({@code System::exit}, {@code runtime::halt} in a
 * lambda's bootstrap arguments, or an {@code ldc} of a handle). Each replacement takes exactly the
 * operands the original took and leaves the same (nothing) on the stack, so the maximum stack and
 * the stack map frames stay valid as they are: no frame is recomputed, and no class is loaded to do it.
 *
 * <p>Most classes never call any of them. {@link #mayCallExit} answers from the constant pool alone
 * (one pass that {@link ClassReader}'s constructor makes anyway), so the full pass over the code runs
 * only for a class whose constant pool names both {@code java/lang/System} or {@code java/lang/Runtime}
 * and {@code exit} or {@code halt}.
 */
final class ExitCallRewriter {

    private static final String SYSTEM = "java/lang/System";
    private static final String RUNTIME = "java/lang/Runtime";
    private static final String EXIT_DESCRIPTOR = "(I)V";
    private static final String REFUSAL = Type.getInternalName(ExitRefusal.class);
    private static final String RUNTIME_CALL_DESCRIPTOR = "(Ljava/lang/Runtime;I)V";
    private static final int CONSTANT_UTF8 = 1;

    private ExitCallRewriter() {
    }

    /** Whether the class file's constant pool names an owner and a method that together could end the process. */
    static boolean mayCallExit(ClassReader reader) {
        boolean owner = false;
        boolean method = false;
        for (int item = 1; item < reader.getItemCount() && !(owner && method); item++) {
            int offset = reader.getItem(item);
            if (offset > 0 && reader.readByte(offset - 1) == CONSTANT_UTF8) {
                owner |= utf8Equals(reader, offset, SYSTEM) || utf8Equals(reader, offset, RUNTIME);
                method |= utf8Equals(reader, offset, "exit") || utf8Equals(reader, offset, "halt");
            }
        }
        return owner && method;
    }

    /** A CONSTANT_Utf8 entry at {@code offset} (its length, then its bytes) holding the ASCII {@code text}. */
    private static boolean utf8Equals(ClassReader reader, int offset, String text) {
        int length = reader.readUnsignedShort(offset);
        if (length != text.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (reader.readByte(offset + 2 + i) != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The class file with every call to {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt}
     * rewritten, or null when it has none (then the caller keeps the original bytes untouched).
     *
     * @throws IllegalArgumentException when ASM cannot read the class file (e.g. a class file version newer than it knows)
     */
    static byte[] rewrite(ClassReader reader) {
        ClassWriter writer = new ClassWriter(reader, 0);
        Rewriter rewriter = new Rewriter(writer);
        reader.accept(rewriter, 0);
        return rewriter.rewrites == 0 ? null : writer.toByteArray();
    }

    private static final class Rewriter extends ClassVisitor {

        int rewrites;

        Rewriter(ClassVisitor next) {
            super(Opcodes.ASM9, next);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature, exceptions)) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String method, String descriptor, boolean isInterface) {
                    String replacement = replacement(owner, method, descriptor);
                    if (replacement == null || opcode != (SYSTEM.equals(owner) ? Opcodes.INVOKESTATIC : Opcodes.INVOKEVIRTUAL)) {
                        super.visitMethodInsn(opcode, owner, method, descriptor, isInterface);
                        return;
                    }
                    rewrites++;
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, REFUSAL, replacement, refusalDescriptor(owner), false);
                }

                @Override
                public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
                    Object[] rewritten = arguments.clone();
                    for (int i = 0; i < rewritten.length; i++) {
                        rewritten[i] = rewrittenConstant(rewritten[i]);
                    }
                    super.visitInvokeDynamicInsn(name, descriptor, bootstrap, rewritten);
                }

                @Override
                public void visitLdcInsn(Object value) {
                    super.visitLdcInsn(rewrittenConstant(value));
                }
            };
        }

        private Object rewrittenConstant(Object constant) {
            if (!(constant instanceof Handle handle)) {
                return constant;
            }
            String replacement = replacement(handle.getOwner(), handle.getName(), handle.getDesc());
            int expectedKind = SYSTEM.equals(handle.getOwner()) ? Opcodes.H_INVOKESTATIC : Opcodes.H_INVOKEVIRTUAL;
            if (replacement == null || handle.getTag() != expectedKind) {
                return constant;
            }
            rewrites++;
            return new Handle(Opcodes.H_INVOKESTATIC, REFUSAL, replacement, refusalDescriptor(handle.getOwner()), false);
        }
    }

    /** The name of {@link ExitRefusal}'s method that stands in for {@code owner.method}, or null if it is not one to replace. */
    private static String replacement(String owner, String method, String descriptor) {
        if (!EXIT_DESCRIPTOR.equals(descriptor)) {
            return null;
        }
        if (SYSTEM.equals(owner)) {
            return "exit".equals(method) ? "systemExit" : null;
        }
        if (RUNTIME.equals(owner)) {
            return switch (method) {
                case "exit" -> "runtimeExit";
                case "halt" -> "runtimeHalt";
                default -> null;
            };
        }
        return null;
    }

    private static String refusalDescriptor(String owner) {
        return SYSTEM.equals(owner) ? EXIT_DESCRIPTOR : RUNTIME_CALL_DESCRIPTOR;
    }
}
