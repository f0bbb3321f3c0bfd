package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.bundle;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import io.fastpool.listener.ListenerStatus;
import io.fastpool.transport.TransportStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.experimental.runners.Enclosed;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
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
 * <p>Each case is a platform of its own (one pax-exam configuration per nested class). Which
 * implementation the transport runs on is read from its log line ("using epoll" / "using NIO (…)"),
 * caught through java.util.logging, where the JDK's System.Logger sends it: the platform is up
 * before a test runs, so each test reads {@link TransportStatus#ioKind()} first, then restarts the
 * transport bundle with the catcher in place (its wiring, what the cases differ in, stays).
 */
@RunWith(Enclosed.class)
public class EpollTransportIT {

    private static final String EPOLL_CLASSES = "io.netty.transport-classes-epoll";

    /** The case with netty's epoll bundles installed. */
    @RunWith(PaxExam.class)
    public static class WithEpollBundles extends Case {

        @Configuration
        public Option[] platform() throws IOException {
            return options("epoll-it", true, true);
        }

        @Test
        public void withNettysEpollBundlesTheTransportServesOverEpoll() throws Exception {
            assertThat(transport.ioKind()).isEqualTo("epoll");
            restartTransport();

            assertThat(logged).contains("using epoll").noneMatch(line -> line.startsWith("using NIO"));
            assertThat(packageProviders(bundle(context, "io.fastpool.transport")))
                    .containsEntry("io.netty.channel.epoll", EPOLL_CLASSES)
                    .containsEntry("io.netty.channel.unix", "io.netty.transport-native-unix-common");
            assertThat(fragmentsOf(bundle(context, EPOLL_CLASSES)))
                    .as("the native library's fragment is attached to netty's epoll classes")
                    .containsExactly("io.netty.transport-native-epoll.linux-x86_64");

            assertHelloOverBoth();
            assertThat(listenerCounters().writtenByHandlers()).as("/hello answers on the event loop").isZero();
            answerOnWorkers();
            assertThat(listenerCounters().writtenByHandlers())
                    .as("answers whose end the handler's thread wrote to the socket itself (writesFromHandlers, epoll only)")
                    .isPositive();
            OsgiNettyLeaks.assertNone();
        }
    }

    /** The platform as the other ITs run it: no epoll bundles. */
    @RunWith(PaxExam.class)
    public static class WithoutEpollBundles extends Case {

        @Configuration
        public Option[] platform() throws IOException {
            return options("no-epoll-it", false, true);
        }

        @Test
        public void withoutThemTheSameTransportBundleServesOverNio() throws Exception {
            assertThat(transport.ioKind()).isEqualTo("nio");
            restartTransport();

            assertThat(logged).noneMatch(line -> line.equals("using epoll")).anySatisfy(line -> assertThat(line)
                    .startsWith("using NIO (epoll not available: netty's epoll classes are not present"));
            assertThat(packageProviders(bundle(context, "io.fastpool.transport")))
                    .doesNotContainKeys("io.netty.channel.epoll", "io.netty.channel.unix");

            assertHelloOverBoth();
            answerOnWorkers();
            assertThat(listenerCounters().writtenByHandlers()).as("on NIO every write is the event loop's").isZero();
        }
    }

    /** The epoll bundles installed, useEpoll=false. */
    @RunWith(PaxExam.class)
    public static class EpollSwitchedOff extends Case {

        @Configuration
        public Option[] platform() throws IOException {
            return options("epoll-off-it", true, false);
        }

        @Test
        public void useEpollFalseKeepsNioEvenWithTheEpollBundles() throws Exception {
            assertThat(transport.ioKind()).isEqualTo("nio");
            restartTransport();

            assertThat(logged).contains("using NIO (useEpoll=false)").doesNotContain("using epoll");
            assertHelloOverBoth();
        }
    }

    /** What the cases share: the platform with the test app, the transport's log catcher, the requests. */
    public abstract static class Case {

        @Rule
        public final Timeout timeout = Timeout.seconds(120);

        @Inject
        BundleContext context;
        @Inject
        TransportStatus transport;

        /** Held here: java.util.logging keeps loggers weakly, and a collected one would lose the handler. */
        private final Logger transportLog = Logger.getLogger("io.fastpool.transport.internal.Transport");
        final List<String> logged = new CopyOnWriteArrayList<>();
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

        Path socket;
        int port;

        static Option[] options(String name, boolean epollBundles, boolean useEpoll) throws IOException {
            Path socket = PlatformOptions.workFolder(name).resolve("run/fastpool.sock");
            int port = WebServerProcess.freePort();
            List<Option> options = new java.util.ArrayList<>(List.of(
                    PlatformOptions.platform(PlatformOptions.transportOn(socket, port).put("useEpoll", useEpoll)),
                    PlatformOptions.testBundle(TestApps.testApp()),
                    systemProperty("epoll-it.socket").value(socket.toString()),
                    systemProperty("epoll-it.port").value(Integer.toString(port))));
            if (epollBundles) {
                options.add(PlatformOptions.bundlesListedBy("epoll.bundles"));
            }
            return options.toArray(Option[]::new);
        }

        @Before
        public void captureTheTransportLog() {
            socket = Path.of(System.getProperty("epoll-it.socket"));
            port = Integer.getInteger("epoll-it.port");
            transportLog.addHandler(capture);
        }

        @After
        public void releaseTheTransportLog() {
            transportLog.removeHandler(capture);
        }

        /** Stops and starts the transport bundle, so it logs its choice again, now caught; waits for its socket. */
        void restartTransport() throws BundleException {
            Bundle bundle = bundle(context, "io.fastpool.transport");
            bundle.stop();
            bundle.start();
            await(Duration.ofSeconds(10), "the unix socket " + socket, () -> Files.exists(socket));
        }

        /** The listener's counters, from its service as registered now (a restarted transport may have renewed it). */
        ListenerStatus.Counters listenerCounters() {
            ServiceReference<ListenerStatus> reference = context.getServiceReference(ListenerStatus.class);
            assertThat(reference).as("the listener's status service").isNotNull();
            ListenerStatus status = context.getService(reference);
            try {
                return status.counters();
            } finally {
                context.ungetService(reference);
            }
        }

        /** Requests answered on a worker thread of the test app's, on a kept connection: each may end without the event loop. */
        void answerOnWorkers() throws IOException {
            try (RawFcgiClient unix = RawFcgiClient.unix(socket)) {
                for (int request = 1; request <= 5; request++) {
                    assertThat(unix.get(1, true, "/echo").httpStatus()).isEqualTo("200 OK");
                }
            }
        }

        /** Kept connections on both listeners, several requests each, so reads and writes go round the event loop. */
        void assertHelloOverBoth() throws IOException {
            try (RawFcgiClient unix = RawFcgiClient.unix(socket); RawFcgiClient tcp = RawFcgiClient.tcp(port)) {
                for (int request = 1; request <= 3; request++) {
                    assertThat(unix.get(1, true, "/hello").body()).as("over the unix socket").isEqualTo("Hello, world!");
                    assertThat(tcp.get(1, true, "/hello").body()).as("over TCP").isEqualTo("Hello, world!");
                }
            }
            try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                assertThat(client.get(1, false, "/hello").body()).isEqualTo("Hello, world!");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Each package {@code bundle} imports, with the symbolic name of the bundle it is wired to. */
    static Map<String, String> packageProviders(Bundle bundle) {
        Map<String, String> providers = new HashMap<>();
        for (BundleWire wire : bundle.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            providers.put((String) wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE),
                    wire.getProvider().getBundle().getSymbolicName());
        }
        return providers;
    }

    /** The symbolic names of the fragments attached to {@code host}. */
    static List<String> fragmentsOf(Bundle host) {
        BundleWiring wiring = host.adapt(BundleWiring.class);
        assertThat(wiring).as(host.getSymbolicName() + " is resolved").isNotNull();
        return wiring.getProvidedWires(HostNamespace.HOST_NAMESPACE).stream()
                .map(wire -> wire.getRequirer().getBundle().getSymbolicName()).toList();
    }
}
