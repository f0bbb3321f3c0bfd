package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class ClientAdmissionTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";

    @ParameterizedTest
    @EnumSource(Io.class)
    void clientNotInAllowedClientsIsClosedAndCounted(Io io) throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(io, config(TCP).allowedClients("::1"), handler);

        TestClient client = connectTcp(transport, TCP);

        assertThat(client.closedWithin(WAIT)).isTrue();
        await("the refusal is counted", () -> listener(transport, TCP).refused() == 1);
        assertThat(listener(transport, TCP).accepted()).isZero();
        assertThat(handler.opened).isEmpty();
    }

    @Test
    void clientInAnAllowedCidrBlockIsServed() throws Exception {
        Transport transport = start(config(TCP).allowedClients("::1", "127.0.0.0/8"), new EchoHandler());

        connectTcp(transport, TCP).assertEchoes(Records.beginRequest(1));

        assertThat(listener(transport, TCP).refused()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void connectionBeyondMaxConnectionsIsClosedAndCounted(Io io) throws Exception {
        Transport transport = start(io, config(TCP, "unix:fp.sock").maxConnections(2), new EchoHandler());
        TestClient first = connectTcp(transport, TCP);
        TestClient second = connectUnix(baseDirectory.resolve("fp.sock"));
        first.assertEchoes(Records.beginRequest(1));
        second.assertEchoes(Records.beginRequest(2));

        TestClient third = connectTcp(transport, TCP);

        assertThat(third.closedWithin(WAIT)).isTrue();
        await("the refusal is counted", () -> listener(transport, TCP).refused() == 1);
        first.assertEchoes(Records.beginRequest(3));
        second.assertEchoes(Records.beginRequest(4));

        // A place freed is taken again.
        first.close();
        await("the closed connection frees its place", () -> transport.openConnections() == 1);
        TestClient fourth = connectTcp(transport, TCP);
        fourth.assertEchoes(Records.beginRequest(5));
        assertThat(fourth.closedWithin(Duration.ofMillis(100))).isFalse();
    }
}
