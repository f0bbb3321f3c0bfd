package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A peer that dribbles a record never looks idle; it is cut off once one record takes longer than paramsTimeout. */
@Timeout(20)
class SlowSenderTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";

    @ParameterizedTest
    @EnumSource(Io.class)
    void aRecordSentAByteAtATimeIsCutOffAfterParamsTimeout(Io io) throws Exception {
        Transport transport = start(io, config(TCP).recordTimeoutMillis(300).idleTimeoutMillis(60_000), new EchoHandler());
        TestClient client = connectTcp(transport, TCP);
        byte[] record = Records.beginRequest(1);
        long start = System.nanoTime();
        boolean closed = false;
        for (int i = 0; i < record.length && !closed; i++) {
            try {
                client.send(Arrays.copyOfRange(record, i, i + 1));
            } catch (java.io.IOException reset) {
                closed = true;
                break;
            }
            closed = client.closedWithin(Duration.ofMillis(100));
        }
        assertThat(closed).as("closed before the record was complete").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        await("the slow sender is counted", () -> transport.slowSenders() == 1);
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void aPeerThatStopsHalfWayThroughARecordIsCutOffToo(Io io) throws Exception {
        Transport transport = start(io, config(TCP).recordTimeoutMillis(300).idleTimeoutMillis(60_000), new EchoHandler());
        TestClient client = connectTcp(transport, TCP);
        client.send(Arrays.copyOfRange(Records.beginRequest(1), 0, 5));
        assertThat(client.closedWithin(WAIT)).isTrue();
    }

    @Test
    void recordsThatEachArriveInTimeKeepTheConnectionOpen() throws Exception {
        Transport transport = start(config(TCP).recordTimeoutMillis(300).idleTimeoutMillis(60_000), new EchoHandler());
        TestClient client = connectTcp(transport, TCP);
        for (int i = 1; i <= 6; i++) {
            byte[] record = Records.beginRequest(i);
            client.send(Arrays.copyOfRange(record, 0, 8));
            Thread.sleep(100);
            client.send(Arrays.copyOfRange(record, 8, record.length));
            assertThat(client.readRecord(WAIT)).isEqualTo(record);
        }
        assertThat(transport.slowSenders()).isZero();
    }
}
