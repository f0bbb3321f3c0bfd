package io.fastpool.transport.internal;

import io.fastpool.transport.ListenerSnapshot;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Starts transports in a temporary base directory and stops every one after each test. */
abstract class TransportTestSupport {

    static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path baseDirectory;

    private final List<Transport> started = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    TransportConfig.Builder config(String... listen) {
        return TransportConfig.builder(baseDirectory).listen(listen);
    }

    Transport start(TransportConfig.Builder config, EchoHandler handler) throws IOException {
        Transport transport = new Transport(config.build());
        started.add(transport);
        transport.setHandler(handler);
        transport.start();
        return transport;
    }

    /**
     * Starts a transport on {@code io} and checks it really runs on it: {@code useEpoll} alone
     * would fall back to NIO where epoll does not load, and an EPOLL test would pass without epoll.
     */
    Transport start(Io io, TransportConfig.Builder config, EchoHandler handler) throws IOException {
        Transport transport = start(config.useEpoll(io.useEpoll), handler);
        assertThat(transport.ioKind()).as("the transport runs on %s %s", io, io.whyNot()).isEqualTo(io.kind);
        return transport;
    }

    TestClient connectTcp(Transport transport, String listenAddress) throws IOException {
        return track(TestClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                transport.boundPort(listenAddress))));
    }

    TestClient connectTcp(int port) throws IOException {
        return track(TestClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
    }

    TestClient connectUnix(Path path) throws IOException {
        return track(TestClient.connect(UnixDomainSocketAddress.of(path)));
    }

    /** Stops {@code transport} after the test, with those {@link #start} started. */
    Transport track(Transport transport) {
        started.add(transport);
        return transport;
    }

    private TestClient track(TestClient client) {
        clients.add(client);
        return client;
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        for (Transport transport : started) {
            transport.stop();
        }
    }

    static ListenerSnapshot listener(Transport transport, String listenAddress) {
        return transport.listeners().stream().filter(l -> l.listenAddress().equals(listenAddress)).findFirst()
                .orElseThrow(() -> new AssertionError("no listener " + listenAddress));
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await(what).pollInSameThread().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    /** Distinct TCP ports free a moment ago, for tests that need several fixed ports; held together so none repeats. */
    static int[] freePorts(int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }
}
