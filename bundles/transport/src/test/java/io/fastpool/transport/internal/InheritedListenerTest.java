package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.transport.ListenerSnapshot;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Socket activation: listening sockets made here, as systemd or the supervisor would make them,
 * are handed to the transport by descriptor number, and it serves them in place of binding.
 */
@Timeout(20)
class InheritedListenerTest extends TransportTestSupport {

    private final List<LinuxSocket> handedDown = new ArrayList<>();

    @BeforeAll
    static void epoll() {
        Epoll.ensureAvailability();
    }

    @AfterEach
    void closeHandedDown() throws IOException {
        for (LinuxSocket socket : handedDown) {
            socket.close();
        }
    }

    @Test
    void anInheritedTcpSocketTakesThePlaceOfItsConfiguredAddress() throws Exception {
        LinuxSocket socket = listeningTcp();
        int port = socket.localAddress().getPort();
        String address = "tcp:127.0.0.1:" + port;

        Transport transport = startInheriting(config(address), socket);

        connectTcp(port).assertEchoes(Records.beginRequest(1));
        ListenerSnapshot listener = listener(transport, address);
        assertThat(listener.inherited()).isEqualTo("inherited fd " + socket.intValue() + " from systemd, named web");
        assertThat(listener.port()).isEqualTo(port);
        assertThat(listener.boundAddress()).isEqualTo("127.0.0.1:" + port);
        assertThat(listener.accepted()).isEqualTo(1);
    }

    @Test
    void anInheritedSocketBoundToNoConfiguredAddressIsServedUnderItsOwn() throws Exception {
        LinuxSocket socket = listeningTcp();
        int port = socket.localAddress().getPort();

        Transport transport = startInheriting(config("unix:own.sock"), socket);

        assertThat(transport.listeners()).extracting(ListenerSnapshot::listenAddress)
                .containsExactly("unix:own.sock", "tcp:127.0.0.1:" + port);
        assertThat(listener(transport, "unix:own.sock").isInherited()).isFalse();
        connectTcp(port).assertEchoes(Records.beginRequest(1));
        connectUnix(baseDirectory.resolve("own.sock")).assertEchoes(Records.beginRequest(2));
    }

    @Test
    void anInheritedUnixSocketKeepsItsFileAndItsBacklogForTheNextServer() throws Exception {
        Path file = baseDirectory.resolve("in.sock");
        LinuxSocket socket = listeningUnix(file);
        Transport first = startInheriting(config("unix:in.sock"), socket);
        connectUnix(file).assertEchoes(Records.beginRequest(1));
        assertThat(listener(first, "unix:in.sock").inherited()).startsWith("inherited fd " + socket.intValue());

        first.stop();
        assertThat(file).exists();
        // No server runs: the kernel queues the connection, and the next server answers it.
        TestClient waiting = connectUnix(file);
        waiting.send(Records.beginRequest(2));
        startInheriting(config("unix:in.sock"), socket);

        assertThat(waiting.readRecord(WAIT)).isEqualTo(Records.beginRequest(2));
        waiting.assertEchoes(Records.beginRequest(3));
    }

    @Test
    void anInheritedSocketAcceptsNothingBeforeTheFirstHandlerSoItsBacklogStaysWithTheServerThatServes() throws Exception {
        Path file = baseDirectory.resolve("late.sock");
        LinuxSocket socket = listeningUnix(file);
        Transport starting = track(new Transport(config("unix:late.sock").build(), inheriting(socket)));
        starting.start();

        // The server that serves now (the old one of a restart) is played by this test, accepting on
        // the same socket: it gets the connection, since the starting transport does not accept.
        TestClient early = connectUnix(file);
        int[] taken = {-1};
        await("the connection to be left in the backlog for the serving server", () -> {
            try {
                taken[0] = socket.accept(new byte[64]);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return taken[0] >= 0;
        });
        new FileDescriptor(taken[0]).close();
        assertThat(listener(starting, "unix:late.sock").accepted()).isZero();

        starting.setHandler(new EchoHandler());
        connectUnix(file).assertEchoes(Records.beginRequest(1));
        assertThat(listener(starting, "unix:late.sock").accepted()).isEqualTo(1);
        early.close();
    }

    @Test
    void anInheritedSocketServedUnderANewNameKeepsItsConnections() throws Exception {
        Path file = baseDirectory.resolve("re.sock");
        LinuxSocket socket = listeningUnix(file);
        Transport transport = startInheriting(config("unix:re.sock"), socket);
        TestClient before = connectUnix(file);
        before.assertEchoes(Records.beginRequest(1));

        transport.reconfigure(config("unix:./re.sock").build());

        assertThat(transport.listeners()).extracting(ListenerSnapshot::listenAddress).containsExactly("unix:./re.sock");
        before.assertEchoes(Records.beginRequest(2));
        connectUnix(file).assertEchoes(Records.beginRequest(3));
        assertThat(file).exists();
    }

    @Test
    void aDescriptorThatDoesNotListenIsLeftAloneAndTheAddressesAreBound() throws Exception {
        LinuxSocket notListening = LinuxSocket.newSocketStream();
        handedDown.add(notListening);

        Transport transport = startInheriting(config("tcp:127.0.0.1:0"), notListening);

        assertThat(transport.listeners()).singleElement().satisfies(l -> assertThat(l.isInherited()).isFalse());
        connectTcp(transport, "tcp:127.0.0.1:0").assertEchoes(Records.beginRequest(1));
    }

    @Test
    void aDescriptorThatIsNotASocketIsLeftAlone() throws Exception {
        FileDescriptor notASocket = FileDescriptor.from(baseDirectory.resolve("plain").toFile());
        try {
            Transport transport = new Transport(config("tcp:127.0.0.1:0").build(),
                    new InheritedSockets(List.of(new InheritedSockets.Fd(notASocket.intValue(), "web")), "systemd"));
            track(transport).setHandler(new EchoHandler());
            transport.start();

            assertThat(transport.listeners()).singleElement().satisfies(l -> assertThat(l.isInherited()).isFalse());
            connectTcp(transport, "tcp:127.0.0.1:0").assertEchoes(Records.beginRequest(1));
        } finally {
            notASocket.close();
        }
    }

    @Test
    void nioCannotServeInheritedSocketsAndSaysSo() throws Exception {
        LinuxSocket socket = listeningTcp();
        Transport transport = new Transport(config("tcp:127.0.0.1:" + socket.localAddress().getPort()).useEpoll(false).build(),
                inheriting(socket));

        assertThatThrownBy(transport::start).isInstanceOf(IOException.class)
                .hasMessageContaining("systemd handed down 1 listening socket(s) (LISTEN_FDS)")
                .hasMessageContaining("only netty's epoll transport can serve");
        assertThat(transport.listeners()).isEmpty();
    }

    private Transport startInheriting(TransportConfig.Builder config, LinuxSocket socket) throws IOException {
        Transport transport = new Transport(config.build(), inheriting(socket));
        track(transport);
        transport.setHandler(new EchoHandler());
        transport.start();
        assertThat(transport.ioKind()).isEqualTo("epoll");
        return transport;
    }

    private static InheritedSockets inheriting(LinuxSocket socket) {
        return new InheritedSockets(List.of(new InheritedSockets.Fd(socket.intValue(), "web")), "systemd");
    }

    private LinuxSocket listeningTcp() throws IOException {
        LinuxSocket socket = LinuxSocket.newSocketStream(false);
        handedDown.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.listen(16);
        return socket;
    }

    private LinuxSocket listeningUnix(Path file) throws IOException {
        LinuxSocket socket = LinuxSocket.newSocketDomain();
        handedDown.add(socket);
        socket.bind(new DomainSocketAddress(file.toFile()));
        socket.listen(16);
        assertThat(Files.exists(file)).isTrue();
        return socket;
    }
}
