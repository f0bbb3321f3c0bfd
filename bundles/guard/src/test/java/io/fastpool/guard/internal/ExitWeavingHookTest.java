package io.fastpool.guard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.guard.internal.ExitCallers.CallsSystemExit;
import io.fastpool.guard.internal.ExitCallers.MentionsExitOnly;
import io.fastpool.guard.internal.ExitCallers.Plain;
import io.fastpool.testkit.Fakes;
import io.fastpool.testkit.RecordingLogger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.hooks.weaving.WovenClass;
import org.osgi.framework.wiring.BundleWiring;

class ExitWeavingHookTest {

    private static final String HOME = "/srv/fastpool";
    private static final String PLATFORM_JAR = "file://" + HOME + "/bundle/io.fastpool.pool-1.0.0.jar";
    private static final String APP_JAR = "file://" + HOME + "/deploy/app.jar";

    private final RecordingLogger log = new RecordingLogger();
    private final Bundle guard = bundle(7, "io.fastpool.guard", "file://" + HOME + "/bundle/io.fastpool.guard-1.0.0.jar");
    private final ExitWeavingHook hook = new ExitWeavingHook(PlatformBundles.from(name -> "fastpool.home".equals(name) ? HOME : null), guard, log);

    @Test
    void anAppsClassCallingSystemExitIsRewrittenAndImportsTheRefusal() {
        Woven woven = new Woven(bundle(42, "com.example.app", APP_JAR), WovenLoader.bytesOf(CallsSystemExit.class));

        hook.weave(woven.fake);

        assertThat(woven.setBytes).as("rewritten").isNotNull().isNotEqualTo(woven.original);
        assertThat(woven.dynamicImports).containsExactly("io.fastpool.guard;version=\"[1.0,2)\"");
        assertThat(hook.describe()).matches("checked 1 classes of apps in \\d+ ms, rewrote 1");
    }

    @Test
    void anAppsClassWithoutExitCallsIsLeftByteForByteAlone() {
        for (Class<?> type : List.of(Plain.class, MentionsExitOnly.class)) {
            byte[] compiled = WovenLoader.bytesOf(type);
            Woven woven = new Woven(bundle(42, "com.example.app", APP_JAR), compiled.clone());

            hook.weave(woven.fake);

            assertThat(woven.setBytes).as("bytes replaced for %s", type.getSimpleName()).isNull();
            assertThat(woven.original).isEqualTo(compiled);
            assertThat(woven.dynamicImports).isEmpty();
        }
        assertThat(log.lines).isEmpty();
    }

    @Test
    void theServersOwnBundlesFromBundleFolderAreNotWoven() {
        Woven platform = new Woven(bundle(12, "io.fastpool.pool", PLATFORM_JAR), WovenLoader.bytesOf(CallsSystemExit.class));
        Woven itself = new Woven(guard, WovenLoader.bytesOf(CallsSystemExit.class));
        Woven system = new Woven(bundle(0, "org.apache.felix.framework", "System Bundle"), WovenLoader.bytesOf(CallsSystemExit.class));

        hook.weave(platform.fake);
        hook.weave(itself.fake);
        hook.weave(system.fake);

        assertThat(platform.setBytes).isNull();
        assertThat(itself.setBytes).isNull();
        assertThat(system.setBytes).isNull();
        assertThat(platform.dynamicImports).isEmpty();
        assertThat(hook.describe()).startsWith("checked 0 classes");
    }

    @Test
    void anAppNamedLikeFastpoolButInstalledFromDeployIsWoven() {
        Woven sample = new Woven(bundle(50, "io.fastpool.samples.fail", "file://" + HOME + "/deploy/io.fastpool.samples.fail.jar"),
                WovenLoader.bytesOf(CallsSystemExit.class));

        hook.weave(sample.fake);

        assertThat(sample.setBytes).isNotNull();
    }

    @Test
    void aClassAsmCannotReadIsLoadedUnchangedWithAWarningNamingIt() {
        byte[] compiled = WovenLoader.bytesOf(CallsSystemExit.class);
        compiled[7] = (byte) 0x7F; // class file major version 127: newer than ASM knows
        Woven woven = new Woven(bundle(42, "com.example.app", APP_JAR), compiled);

        hook.weave(woven.fake);

        assertThat(woven.setBytes).isNull();
        assertThat(log.lines).singleElement().asString().startsWith("WARNING cannot check class " + CallsSystemExit.class.getName()
                + " of bundle com.example.app (id 42) for System.exit calls").endsWith("it is loaded unchanged, its calls unguarded");
    }

    private static Bundle bundle(long id, String symbolicName, String location) {
        return Fakes.fake(Bundle.class, (method, args) -> switch (method) {
            case "getBundleId" -> id;
            case "getSymbolicName" -> symbolicName;
            case "getLocation" -> location;
            default -> throw new UnsupportedOperationException(method);
        });
    }

    /** A class being loaded by {@code bundle}: what the hook replaced and added is kept for the test. */
    private static final class Woven {
        final byte[] original;
        final List<String> dynamicImports = new ArrayList<>();
        byte[] setBytes;
        final WovenClass fake;

        Woven(Bundle bundle, byte[] bytes) {
            this.original = bytes;
            BundleWiring wiring = Fakes.fake(BundleWiring.class, (method, args) -> {
                if (method.equals("getBundle")) {
                    return bundle;
                }
                throw new UnsupportedOperationException(method);
            });
            fake = Fakes.fake(WovenClass.class, (method, args) -> switch (method) {
                case "getBundleWiring" -> wiring;
                case "getBytes" -> original;
                case "getClassName" -> CallsSystemExit.class.getName();
                case "setBytes" -> {
                    setBytes = (byte[]) args[0];
                    yield null;
                }
                case "getDynamicImports" -> dynamicImports;
                default -> throw new UnsupportedOperationException(method);
            });
        }
    }
}
