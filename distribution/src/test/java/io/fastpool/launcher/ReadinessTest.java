package io.fastpool.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** When the launcher says ready, against a framework faked down to the few calls it makes. */
class ReadinessTest {

    @TempDir
    Path home;

    /** The transport's drain service, when registered: its properties. */
    private Map<String, Object> transport;
    private final List<Bundle> bundles = new ArrayList<>();

    @Test
    void notReadyUntilTheTransportListens() throws Exception {
        Readiness readiness = readiness(List.of(), null);

        assertThat(readiness.waitingFor()).startsWith("the transport is not listening");
        transport = Map.of("io.fastpool.drain", "transport");
        assertThat(readiness.waitingFor()).isNull();
    }

    @Test
    void withATransportFileNotReadyUntilItIsApplied() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/io.fastpool.transport.cfg"), "listen = tcp:127.0.0.1:9000\n");
        Readiness readiness = readiness(List.of(), null);
        transport = Map.of("io.fastpool.drain", "transport", "io.fastpool.transport.configured", false);

        assertThat(readiness.waitingFor()).isEqualTo("the transport has not applied conf/io.fastpool.transport.cfg yet");
        transport = Map.of("io.fastpool.drain", "transport", "io.fastpool.transport.configured", true);
        assertThat(readiness.waitingFor()).isNull();
    }

    @Test
    void notReadyUntilEveryAppInDeployAtStartIsStarted() throws Exception {
        Path app = jar("app.jar", "com.example.app");
        Path notABundle = jar("plain.jar", null);
        transport = Map.of("io.fastpool.drain", "transport");
        Readiness readiness = readiness(List.of(app, notABundle), null);

        assertThat(readiness.waitingFor()).isEqualTo("deploy/app.jar is not installed yet");
        int[] state = {Bundle.INSTALLED};
        bundles.add(bundle(app.toUri().toString(), state));
        assertThat(readiness.waitingFor()).isEqualTo("deploy/app.jar is installed but not started yet");
        state[0] = Bundle.ACTIVE;
        assertThat(readiness.waitingFor()).isNull();
    }

    @Test
    void onceReadyItWritesThePidToTheReadyFileWhole() throws Exception {
        transport = Map.of("io.fastpool.drain", "transport");
        Path readyFile = home.resolve("run/ready");
        Files.createDirectories(readyFile.getParent());

        readiness(List.of(), readyFile).run();

        assertThat(readyFile).hasContent(ProcessHandle.current().pid() + "\n");
        try (var left = Files.list(readyFile.getParent())) {
            assertThat(left).containsExactly(readyFile);
        }
    }

    @Test
    void theReadyFileMustBeNamedByAnAbsolutePath() {
        assertThat(Readiness.readyFile(Map.of())).isNull();
        assertThat(Readiness.readyFile(Map.of("FASTPOOL_READY_FILE", "run/ready"))).isNull();
        assertThat(Readiness.readyFile(Map.of("FASTPOOL_READY_FILE", "/run/fastpool/ready"))).isEqualTo(Path.of("/run/fastpool/ready"));
    }

    private Readiness readiness(List<Path> deployedAtStart, Path readyFile) {
        return new Readiness(fake(BundleContext.class, (method, args) -> switch (method) {
            case "addBundleListener" -> null;
            case "getBundles" -> bundles.toArray(new Bundle[0]);
            case "getServiceReferences" -> transport == null ? null : new ServiceReference<?>[] {
                fake(ServiceReference.class, (m, a) -> transport.get((String) a[0]))};
            default -> throw new UnsupportedOperationException(method);
        }), home, deployedAtStart, System.nanoTime(), readyFile);
    }

    private static Bundle bundle(String location, int[] state) {
        return fake(Bundle.class, (method, args) -> switch (method) {
            case "getLocation" -> location;
            case "getState" -> state[0];
            case "getHeaders" -> new Hashtable<String, String>();
            default -> throw new UnsupportedOperationException(method);
        });
    }

    private Path jar(String name, String symbolicName) throws IOException {
        Files.createDirectories(home.resolve("deploy"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            manifest.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        Path jar = home.resolve("deploy").resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest alone
        }
        return jar;
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> answer.answer(method.getName(), args));
    }
}
