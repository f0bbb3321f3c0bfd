package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Closing after an answer without losing the peer's request (writeAndClose lingers), and a peer's
 * half-close told to the session.
 */
@Timeout(30)
class LingerTest extends TransportTestSupport {

    static final String TCP = "tcp:127.0.0.1:0";
    static final String UNIX = "unix:linger.sock";

    @AfterEach
    void stop() throws Exception {
        stopEverything();
    }

    private TestClient connect(Transport transport, String address) throws Exception {
        return address.equals(TCP) ? connectTcp(transport, TCP) : connectUnix(baseDirectory.resolve("linger.sock"));
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> ioAndAddress() {
        return java.util.stream.Stream.of(Io.values()).flatMap(io -> java.util.stream.Stream.of(TCP, UNIX)
                .map(address -> org.junit.jupiter.params.provider.Arguments.of(io, address)));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("ioAndAddress")
    void anAnsweredConnectionReadsWhatThePeerStillSendsThenClosesInOrder(Io io, String address) throws Exception {
        EchoHandler handler = new EchoHandler();
        handler.closeAfterEcho = true;
        Transport transport = start(io, config(TCP, UNIX), handler);
        TestClient client = connect(transport, address);
        client.send(Records.beginRequest(1));
        assertThat(client.readRecord(WAIT)).isEqualTo(Records.beginRequest(1));
        // The answer is out; the peer still writes the rest of its request (2 MiB): no reset, no broken pipe.
        for (int i = 0; i < 32; i++) {
            client.send(new byte[64 * 1024]);
        }
        client.shutdownOutput();
        assertThat(client.endOfStreamWithin(WAIT)).isTrue();
        assertThat(handler.received).hasSize(1); // what came after the answer went to nobody
    }

    @Test
    void lingeringEndsAfterLingerBytes() throws Exception {
        EchoHandler handler = new EchoHandler();
        handler.closeAfterEcho = true;
        Transport transport = start(config(TCP).linger(60_000, 100_000), handler);
        TestClient client = connectTcp(transport, TCP);
        client.send(Records.beginRequest(1));
        client.readRecord(WAIT);
        try {
            for (int i = 0; i < 64; i++) {
                client.send(new byte[16 * 1024]);
            }
        } catch (java.io.IOException expected) {
            // the server stopped reading past lingerBytes and closed: the peer's writes fail
        }
        assertThat(client.closedWithin(WAIT)).isTrue();
    }

    @Test
    void lingeringEndsAfterLingerSecondsWhenThePeerNeitherSendsNorCloses() throws Exception {
        EchoHandler handler = new EchoHandler();
        handler.closeAfterEcho = true;
        Transport transport = start(config(TCP).linger(200, 1 << 20), handler);
        TestClient client = connectTcp(transport, TCP);
        client.send(Records.beginRequest(1));
        client.readRecord(WAIT);
        assertThat(client.endOfStreamWithin(WAIT)).isTrue();
        await("the connection is closed, not only shut for output", () -> transport.openConnections() == 0);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Io.class)
    void aHalfCloseIsToldToTheSessionWhichMayKeepTheConnectionToAnswer(Io io) throws Exception {
        EchoHandler handler = new EchoHandler();
        handler.closeOnInputShutdown = false;
        Transport transport = start(io, config(TCP), handler);
        TestClient client = connectTcp(transport, TCP);
        client.send(Records.beginRequest(1));
        client.readRecord(WAIT);
        client.shutdownOutput();
        await("the session hears of the half-close", () -> handler.inputShutdowns.get() == 1);
        assertThat(transport.openConnections()).isEqualTo(1);
        EchoHandler.Session session = handler.opened.take();
        session.connection.eventLoop().execute(() -> session.connection.writeAndClose(Unpooled.wrappedBuffer(
                Records.beginRequest(2))));
        assertThat(client.readRecord(WAIT)).isEqualTo(Records.beginRequest(2));
        assertThat(client.endOfStreamWithin(WAIT)).as("input already shut: writeAndClose closes at once").isTrue();
    }

    @Test
    void byDefaultAHalfCloseClosesTheConnection() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP), handler);
        TestClient client = connectTcp(transport, TCP);
        client.send(Records.beginRequest(1));
        client.readRecord(WAIT);
        client.shutdownOutput();
        assertThat(client.endOfStreamWithin(Duration.ofSeconds(5))).isTrue();
        await("closed", () -> transport.openConnections() == 0);
    }
}
