package io.fastpool.transport.internal;

import io.fastpool.transport.ConnectionSnapshot;
import io.fastpool.transport.ListenerSnapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.fcgi.FcgiRecordType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class TransportEchoTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";

    private static byte[][] request(int requestId) {
        return new byte[][] {
            Records.beginRequest(requestId),
            Records.params(requestId, Map.of("SCRIPT_NAME", "/echo", "REQUEST_METHOD", "POST")),
            Records.streamEnd(FcgiRecordType.PARAMS, requestId),
            Records.stdin(requestId, "hello, fastpool"),
            Records.streamEnd(FcgiRecordType.STDIN, requestId),
        };
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void echoesRecordsOverTcp(Io io) throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(io, config(TCP), handler);
        assertThat(transport.serverChannel(TCP)).isInstanceOf(io.tcpServerChannel);
        TestClient client = connectTcp(transport, TCP);

        byte[][] records = request(1);
        client.send(TestClient.concat(records));
        for (byte[] record : records) {
            assertThat(client.readRecord(WAIT)).isEqualTo(record);
        }

        EchoHandler.Session session = handler.opened.poll(5, TimeUnit.SECONDS);
        assertThat(session.connection.listenAddress()).isEqualTo(TCP);
        assertThat(session.connection.remoteAddress()).isEqualTo("127.0.0.1");
        assertThat(session.connection.remotePort()).isPositive();
        assertThat(session.connection.localAddress()).isEqualTo("127.0.0.1");
        assertThat(session.connection.localPort()).isEqualTo(transport.boundPort(TCP));
        assertThat(session.connection.limits()).isEqualTo(transport.config().limits());
        assertThat(((NettyConnection) session.connection).channel().parent()).isSameAs(transport.serverChannel(TCP));
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void echoesRecordsOverUnixSocket(Io io) throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(io, config("unix:run/fastpool.sock"), handler);
        assertThat(transport.serverChannel("unix:run/fastpool.sock")).isInstanceOf(io.unixServerChannel);
        Path socket = baseDirectory.resolve("run/fastpool.sock");
        TestClient client = connectUnix(socket);

        for (byte[] record : request(7)) {
            client.assertEchoes(record);
        }

        EchoHandler.Session session = handler.opened.poll(5, TimeUnit.SECONDS);
        assertThat(session.connection.remoteAddress()).isEqualTo("unix");
        assertThat(session.connection.remotePort()).isZero();
        assertThat(session.connection.localAddress()).isEqualTo(socket.toString());
        assertThat(listener(transport, "unix:run/fastpool.sock").boundAddress()).isEqualTo(socket.toString());
        assertThat(transport.connections()).singleElement().satisfies(c -> assertThat(c.remoteAddress()).isEqualTo("unix"));
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void echoesTheLargestRecordWhole(Io io) throws Exception {
        Transport transport = start(io, config(TCP), new EchoHandler());
        TestClient client = connectTcp(transport, TCP);

        client.assertEchoes(Records.patterned(3, 65535, 255));
        client.assertEchoes(Records.patterned(4, 1, 0));
    }

    @Test
    void connectionAcceptedWithoutHandlerWaitsThenIsServedWhenOneAppears() throws Exception {
        Transport transport = start(config(TCP), null);
        TestClient client = connectTcp(transport, TCP);
        byte[] record = Records.beginRequest(5);
        client.send(record);
        await("the connection is admitted", () -> transport.openConnections() == 1);
        client.assertQuietFor(Duration.ofMillis(300));
        assertThat(transport.connections()).singleElement()
                .satisfies(c -> assertThat(c.state()).isEqualTo(ConnectionSnapshot.State.HELD));

        EchoHandler handler = new EchoHandler();
        transport.setHandler(handler);

        assertThat(client.readRecord(WAIT)).isEqualTo(record);
        assertThat(handler.opened).hasSize(1);
    }

    @Test
    void snapshotsListListenersAndConnections() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP, "unix:fp.sock"), handler);
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));

        assertThat(transport.listeners()).extracting(ListenerSnapshot::listenAddress).containsExactly(TCP, "unix:fp.sock");
        ListenerSnapshot tcp = listener(transport, TCP);
        assertThat(tcp.accepted()).isEqualTo(1);
        assertThat(tcp.open()).isEqualTo(1);
        assertThat(tcp.refused()).isZero();
        assertThat(tcp.port()).isEqualTo(transport.boundPort(TCP));
        assertThat(transport.connections()).singleElement().satisfies(c -> {
            assertThat(c.listenAddress()).isEqualTo(TCP);
            assertThat(c.remoteAddress()).isEqualTo("127.0.0.1");
            assertThat(c.state()).isEqualTo(ConnectionSnapshot.State.IDLE);
            assertThat(c.openedAt()).isNotNull();
        });
        handler.idle = false;
        assertThat(transport.connections()).singleElement()
                .satisfies(c -> assertThat(c.state()).isEqualTo(ConnectionSnapshot.State.ACTIVE));

        client.close();
        await("the closed connection is no longer counted", () -> listener(transport, TCP).open() == 0);
        assertThat(transport.connections()).isEmpty();
        assertThat(transport.openConnections()).isZero();
        // The count drops as the channel closes; the session hears of it just after, on the event loop.
        await("the session told of the close", () -> handler.closed.get() >= 1);
        assertThat(handler.closed).hasValue(1);
    }

    @Test
    void sessionReceivesOnCloseOnceWhenThePeerCloses() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP), handler);
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));
        EchoHandler.Session session = handler.opened.take();

        client.close();

        await("onClose is called", () -> session.closes.get() == 1);
        Thread.sleep(100);
        assertThat(session.closes).hasValue(1);
        assertThat(session.detaches).hasValue(0);
    }
}
