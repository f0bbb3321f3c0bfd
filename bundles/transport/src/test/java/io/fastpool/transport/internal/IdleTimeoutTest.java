package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class IdleTimeoutTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";

    @ParameterizedTest
    @EnumSource(Io.class)
    void idleConnectionIsClosedAfterTheIdleTimeout(Io io) throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(io, config(TCP).idleTimeoutMillis(200), handler);
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));
        long quietSince = System.nanoTime();

        assertThat(client.closedWithin(WAIT)).isTrue();

        assertThat(Duration.ofNanos(System.nanoTime() - quietSince)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        await("the session learns of the close", () -> handler.closed.get() == 1);
    }

    @Test
    void busyConnectionStaysOpenPastTheIdleTimeout() throws Exception {
        EchoHandler handler = new EchoHandler();
        handler.idle = false;
        Transport transport = start(config(TCP).idleTimeoutMillis(200), handler);
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));

        client.assertQuietFor(Duration.ofMillis(700));

        // Once the request is done, the next check closes it.
        handler.idle = true;
        assertThat(client.closedWithin(WAIT)).isTrue();
    }

    @Test
    void connectionThatKeepsSendingStaysOpen() throws Exception {
        Transport transport = start(config(TCP).idleTimeoutMillis(200), new EchoHandler());
        TestClient client = connectTcp(transport, TCP);

        for (int i = 1; i <= 8; i++) {
            client.assertEchoes(Records.beginRequest(i));
            Thread.sleep(100);
        }
    }
}
