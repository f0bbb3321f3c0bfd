package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.fcgi.FcgiRecordType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which socket implementation the transport picks, and that it says so: epoll by default where it
 * loads, NIO with {@code useEpoll=false} or without netty's epoll classes. The behaviours on each
 * are the {@link Io}-parameterized tests of the other classes.
 */
@Timeout(20)
class SocketIoTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";
    private static final String UNIX = "unix:fp.sock";

    /** Held here: java.util.logging keeps loggers weakly, and a collected one would lose the handler. */
    private final Logger transportLog = Logger.getLogger(Transport.class.getName());
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
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

    /** Not a skip: this machine (Linux x86_64, native library on the test class path) must run epoll. */
    @Test
    void epollIsAvailableHere() {
        assertThat(Epoll.isAvailable())
                .as(() -> "netty's epoll must load on this machine; it does not because " + Epoll.unavailabilityCause())
                .isTrue();
    }

    @Test
    void usesEpollByDefaultAndSaysSo() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP, UNIX), handler);

        assertThat(transport.ioKind()).as(Io.EPOLL.whyNot()).isEqualTo("epoll");
        assertThat(transport.serverChannel(TCP)).isInstanceOf(EpollServerSocketChannel.class);
        assertThat(transport.serverChannel(UNIX)).isInstanceOf(EpollServerDomainSocketChannel.class);
        assertThat(logged).contains("using epoll");

        connectTcp(transport, TCP).assertEchoes(Records.beginRequest(1));
        connectUnix(baseDirectory.resolve("fp.sock")).assertEchoes(Records.beginRequest(2));
        List<Channel> accepted = List.of(channelOf(handler), channelOf(handler));
        assertThat(accepted).hasAtLeastOneElementOfType(EpollSocketChannel.class)
                .hasAtLeastOneElementOfType(EpollDomainSocketChannel.class);
    }

    @Test
    void useEpollFalseUsesNioAndSaysSo() throws Exception {
        Transport transport = start(config(TCP, UNIX).useEpoll(false), new EchoHandler());

        assertThat(transport.ioKind()).isEqualTo("nio");
        assertThat(transport.serverChannel(TCP)).isInstanceOf(NioServerSocketChannel.class);
        assertThat(transport.serverChannel(UNIX)).isInstanceOf(NioServerDomainSocketChannel.class);
        assertThat(logged).contains("using NIO (useEpoll=false)");
        connectTcp(transport, TCP).assertEchoes(Records.beginRequest(1));
    }

    @Test
    void ioKindIsKnownFromTheStartOn() throws Exception {
        Transport transport = new Transport(config(TCP).build());
        assertThat(transport.ioKind()).isNull();
        try {
            transport.start();
            assertThat(transport.ioKind()).isEqualTo("epoll");
        } finally {
            transport.stop();
        }
        assertThat(transport.ioKind()).as("still what it ran on").isEqualTo("epoll");
    }

    @Test
    void aChangeOfUseEpollAppliesAtTheNextStartOnly() throws Exception {
        Transport transport = start(config(TCP), new EchoHandler());
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));

        transport.reconfigure(config(TCP).useEpoll(false).build());

        assertThat(transport.ioKind()).isEqualTo("epoll");
        assertThat(transport.serverChannel(TCP)).isInstanceOf(EpollServerSocketChannel.class);
        assertThat(logged).contains("useEpoll changed to false; this applies when the transport next starts"
                + " (using epoll until then)");
        client.assertEchoes(Records.beginRequest(2));
        connectTcp(transport, TCP).assertEchoes(Records.beginRequest(3));
    }

    /**
     * The guard itself: the transport's classes and netty without netty's epoll classes, as in an
     * OSGi framework whose optional epoll import is not wired. It must load, start on NIO and say why.
     */
    @Test
    void withoutEpollClassesTheTransportStartsOnNio() throws Exception {
        try (URLClassLoader withoutEpoll = new URLClassLoader(new URL[] {
            codeSource(Transport.class), codeSource(FcgiRecordType.class), codeSource(Channel.class),
            codeSource(ByteBuf.class), codeSource(EventExecutor.class), codeSource(AddressResolverGroup.class),
        }, ClassLoader.getPlatformClassLoader())) {
            assertThat(withoutEpoll.getResource("io/netty/channel/epoll/Epoll.class")).isNull();
            Class<?> configType = withoutEpoll.loadClass(TransportConfig.class.getName());
            Object builder = configType.getMethod("builder", Path.class).invoke(null, baseDirectory);
            builder.getClass().getMethod("listen", String[].class).invoke(builder, (Object) new String[] {TCP, UNIX});
            Object config = builder.getClass().getMethod("build").invoke(builder);
            Class<?> transportType = withoutEpoll.loadClass(Transport.class.getName());
            Object transport = transportType.getConstructor(configType).newInstance(config);
            transportType.getMethod("start").invoke(transport);
            try {
                assertThat(transportType.getMethod("ioKind").invoke(transport)).isEqualTo("nio");
                assertThat(logged).anySatisfy(line -> assertThat(line).startsWith("using NIO (epoll not available:"
                        + " netty's epoll classes are not present (java.lang.NoClassDefFoundError:"
                        + " io/netty/channel/epoll/Epoll)"));
                int port = (int) transportType.getMethod("boundPort", String.class).invoke(transport, TCP);
                connectTcp(port).send(Records.beginRequest(1));
                await("the connection is accepted on NIO",
                        () -> invokeInt(transportType, transport, "openConnections") == 1);
            } finally {
                transportType.getMethod("stop").invoke(transport);
            }
        }
        StopTest.awaitNoTransportThreads();
    }

    @Test
    void theTransportsOwnClassesNeverNameEpollOutsideTheGuard() throws Exception {
        // Loading Transport must not need epoll; only these two classes may name it.
        for (Class<?> type : List.of(Transport.class, SocketIo.class, NioSocketIo.class, Listener.class,
                NettyConnection.class, TransportComponent.class, TransportConfig.class)) {
            try (var in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
                String constants = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(constants).as(type.getSimpleName()).doesNotContain("io/netty/channel/epoll")
                        .doesNotContain("io/netty/channel/unix");
            }
        }
    }

    private static EchoHandler.Session awaitSession(EchoHandler handler) throws InterruptedException {
        EchoHandler.Session session = handler.opened.poll(5, TimeUnit.SECONDS);
        assertThat(session).as("a session opened").isNotNull();
        return session;
    }

    private static Channel channelOf(EchoHandler handler) throws InterruptedException {
        return ((NettyConnection) awaitSession(handler).connection).channel();
    }

    private static URL codeSource(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    private static int invokeInt(Class<?> type, Object target, String method) {
        try {
            return (int) type.getMethod(method).invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
