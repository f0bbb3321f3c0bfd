package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.transport.Connection;
import io.fastpool.transport.ConnectionHandler;
import io.fastpool.transport.ConnectionSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class SessionFailureTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";

    @Test
    void sessionThrowingInOnRecordClosesOnlyItsConnection() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP), handler);
        TestClient failing = connectTcp(transport, TCP);
        TestClient healthy = connectTcp(transport, TCP);
        failing.assertEchoes(Records.beginRequest(1));
        healthy.assertEchoes(Records.beginRequest(1));

        failing.send(Records.beginRequest(EchoHandler.FAILING_REQUEST_ID));

        assertThat(failing.closedWithin(WAIT)).isTrue();
        healthy.assertEchoes(Records.beginRequest(2));
        await("the failed session is told of the close", () -> handler.closed.get() == 1);
    }

    @Test
    void handlerThrowingInOpenClosesOnlyThatConnection() throws Exception {
        EchoHandler echo = new EchoHandler();
        ConnectionHandler flaky = new ConnectionHandler() {
            private int opened;

            @Override
            public synchronized ConnectionSession open(Connection connection) {
                if (++opened == 2) {
                    throw new IllegalStateException("test handler fails to open");
                }
                return echo.open(connection);
            }
        };
        Transport transport = start(config(TCP), null);
        transport.setHandler(flaky);
        TestClient first = connectTcp(transport, TCP);
        first.assertEchoes(Records.beginRequest(1));

        TestClient second = connectTcp(transport, TCP);

        assertThat(second.closedWithin(WAIT)).isTrue();
        first.assertEchoes(Records.beginRequest(2));
        connectTcp(transport, TCP).assertEchoes(Records.beginRequest(3));
    }
}
