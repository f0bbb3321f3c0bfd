package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.TestAppActivator;
import io.fastpool.itest.support.JulNettyLeaks;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.namespace.HostNamespace;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The transport on netty's native epoll in a real Felix. With netty's epoll bundles installed next
 * to the platform (classes, unix-common, and the native library, a fragment of the classes), the
 * transport's optional import of {@code io.netty.channel.epoll} is wired, the library loads inside
 * the framework, and FastCGI is served over epoll on a unix socket and on TCP. Without them, as
 * the other ITs run the platform, the same transport bundle resolves and serves over NIO.
 *
 * <p>Which one the transport runs on is read from its log line ("using epoll" / "using NIO (…)"),
 * caught through java.util.logging, where the JDK's System.Logger sends it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EpollTransportIT {

    private static final String EPOLL_CLASSES = "io.netty.transport-classes-epoll";

    /** Held here: java.util.logging keeps loggers weakly, and a collected one would lose the handler. */
    private final Logger transportLog = Logger.getLogger("io.fastpool.transport.internal.Transport");
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(String.valueOf(record.getMessage()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureTheTransportLog() {
        transportLog.addHandler(capture);
    }

    @AfterEach
    void releaseTheTransportLog() {
        transportLog.removeHandler(capture);
    }

    @Test
    void withNettysEpollBundlesTheTransportServesOverEpoll() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "epoll-it").toAbsolutePath();
        Path socket = work.resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        try (Platform platform = Platform.start(work.resolve("felix"), transportConfig(socket, port, true), epollBundles())) {
            startTestApp(platform, work, socket);

            assertThat(logged).contains("using epoll").noneMatch(line -> line.startsWith("using NIO"));
            assertThat(packageProviders(platform.bundle("io.fastpool.transport")))
                    .containsEntry("io.netty.channel.epoll", EPOLL_CLASSES)
                    .containsEntry("io.netty.channel.unix", "io.netty.transport-native-unix-common");
            assertThat(fragmentsOf(platform.bundle(EPOLL_CLASSES)))
                    .as("the native library's fragment is attached to netty's epoll classes")
                    .containsExactly("io.netty.transport-native-epoll.linux-x86_64");

            assertHelloOverBoth(socket, port);
            JulNettyLeaks.assertNone(() -> hello(socket));
        }
    }

    @Test
    void withoutThemTheSameTransportBundleServesOverNio() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "no-epoll-it").toAbsolutePath();
        Path socket = work.resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        try (Platform platform = Platform.start(work.resolve("felix"), transportConfig(socket, port, true))) {
            startTestApp(platform, work, socket);

            assertThat(logged).noneMatch(line -> line.equals("using epoll")).anySatisfy(line -> assertThat(line)
                    .startsWith("using NIO (epoll not available: netty's epoll classes are not present"));
            assertThat(packageProviders(platform.bundle("io.fastpool.transport")))
                    .doesNotContainKeys("io.netty.channel.epoll", "io.netty.channel.unix");

            assertHelloOverBoth(socket, port);
        }
    }

    @Test
    void useEpollFalseKeepsNioEvenWithTheEpollBundles() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "epoll-off-it").toAbsolutePath();
        Path socket = work.resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        try (Platform platform = Platform.start(work.resolve("felix"), transportConfig(socket, port, false), epollBundles())) {
            startTestApp(platform, work, socket);

            assertThat(logged).contains("using NIO (useEpoll=false)").doesNotContain("using epoll");
            assertHelloOverBoth(socket, port);
        }
    }

    private static Map<String, Map<String, Object>> transportConfig(Path socket, int port, boolean useEpoll) {
        Map<String, Object> transport = new HashMap<>();
        transport.put("listen", new String[] {"unix:" + socket, "tcp:127.0.0.1:" + port});
        transport.put("useEpoll", useEpoll);
        return Map.of("io.fastpool.transport", transport);
    }

    /** The epoll bundle files failsafe passes in {@code epoll.bundles}. */
    private static List<String> epollBundles() {
        String list = System.getProperty("epoll.bundles");
        if (list == null || list.isBlank() || list.contains("${")) {
            throw new IllegalStateException("system property epoll.bundles is not set: run through failsafe (mvn verify)");
        }
        return List.of(list.split(","));
    }

    private static void startTestApp(Platform platform, Path work, Path socket) throws Exception {
        platform.install(TestAppActivator.bundle(work));
        Platform.await(Duration.ofSeconds(10), "the unix socket " + socket, () -> Files.exists(socket));
    }

    /** Kept connections on both listeners, several requests each, so reads and writes go round the event loop. */
    private static void assertHelloOverBoth(Path socket, int port) throws IOException {
        try (RawFcgiClient unix = RawFcgiClient.unix(socket); RawFcgiClient tcp = RawFcgiClient.tcp(port)) {
            for (int request = 1; request <= 3; request++) {
                assertThat(unix.get(1, true, "/hello").body()).as("over the unix socket").isEqualTo("Hello, world!");
                assertThat(tcp.get(1, true, "/hello").body()).as("over TCP").isEqualTo("Hello, world!");
            }
        }
        hello(socket);
    }

    private static void hello(Path socket) {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            assertThat(client.get(1, false, "/hello").body()).isEqualTo("Hello, world!");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each package {@code bundle} imports, with the symbolic name of the bundle it is wired to. */
    private static Map<String, String> packageProviders(Bundle bundle) {
        Map<String, String> providers = new HashMap<>();
        for (BundleWire wire : bundle.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            providers.put((String) wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE),
                    wire.getProvider().getBundle().getSymbolicName());
        }
        return providers;
    }

    /** The symbolic names of the fragments attached to {@code host}. */
    private static List<String> fragmentsOf(Bundle host) {
        BundleWiring wiring = host.adapt(BundleWiring.class);
        assertThat(wiring).as(host.getSymbolicName() + " is resolved").isNotNull();
        return wiring.getProvidedWires(HostNamespace.HOST_NAMESPACE).stream()
                .map(wire -> wire.getRequirer().getBundle().getSymbolicName()).toList();
    }
}
