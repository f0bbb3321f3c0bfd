package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.fcgi.FcgiRecordType;
import io.netty.buffer.Unpooled;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A graceful stop: no new connections, every answer whole, each connection closed between requests. */
@Timeout(30)
class DrainTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";
    /** An empty GET_VALUES_RESULT: FastCGI version 1, type 10, request id 0, no content, no padding. */
    private static final byte[] LAST_ANSWER_TRAILER = {1, (byte) FcgiRecordType.GET_VALUES_RESULT.code(), 0, 0, 0, 0, 0, 0};

    @Test
    void aQuietKeptConnectionIsClosedAndNothingNewIsAccepted() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP), handler);
        int port = transport.boundPort(TCP);
        TestClient kept = connectTcp(port);
        kept.assertEchoes(Records.beginRequest(1));

        assertThat(transport.drain()).isZero();

        assertThat(kept.endOfStreamWithin(WAIT)).isTrue();
        assertThat(transport.listeners()).isEmpty();
        assertThatThrownBy(() -> connectTcp(port)).isInstanceOf(ConnectException.class);
    }

    @Test
    void aConnectionWithARequestInFlightIsClosedRightAfterItsWholeAnswer() throws Exception {
        BusyDrain drain = drainWithARequestInFlight();
        TestClient busy = drain.client();
        assertThat(busy.closedWithin(Duration.ofMillis(300))).as("closed with a request in flight").isFalse();

        // The answer's end: bigger than the socket buffers, so it goes out over many writes.
        byte[] answer = new byte[4 * 1024 * 1024];
        Arrays.fill(answer, (byte) 'a');
        drain.handler().idle = true;
        drain.session().connection.writeAndFlush(Unpooled.wrappedBuffer(answer));

        busy.drain(answer.length, WAIT);
        assertThat(busy.endOfStreamWithin(WAIT)).isTrue();
        assertThat(drain.draining().get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aKeptConnectionInUseIsClosedRightAfterItsNextAnswer() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP), handler);
        transport.drainQuietMillis(TimeUnit.SECONDS.toMillis(20));
        TestClient inUse = connectTcp(transport, TCP);
        inUse.assertEchoes(Records.beginRequest(1));

        CompletableFuture<Integer> draining = CompletableFuture.supplyAsync(transport::drain);
        await("the drain has begun", transport::connectionsDraining);
        inUse.assertEchoes(Records.beginRequest(2));

        assertThat(inUse.readRecord(WAIT)).as("the last answer's trailer").containsExactly(LAST_ANSWER_TRAILER);
        assertThat(inUse.endOfStreamWithin(WAIT)).isTrue();
        assertThat(draining.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void theLastAnswerIsFollowedByAnEmptyGetValuesResultInTheSameWriteThenTheClose() throws Exception {
        BusyDrain drain = drainWithARequestInFlight();
        EchoHandler handler = drain.handler();
        EchoHandler.Session session = drain.session();
        TestClient busy = drain.client();
        CompletableFuture<Integer> draining = drain.draining();
        assertThat(busy.closedWithin(Duration.ofMillis(300))).as("closed with a request in flight").isFalse();

        byte[] answer = Records.beginRequest(1); // any whole record
        session.connection.schedule(() -> {
            handler.idle = true; // the request has ended: this is its answer, on the event loop as a session writes it
            session.connection.writeAndFlush(Unpooled.wrappedBuffer(answer));
        }, 0, TimeUnit.MILLISECONDS);

        assertThat(busy.readRecord(WAIT)).isEqualTo(answer);
        // Bytes behind the last answer: nginx then closes the connection rather than keeping it.
        assertThat(busy.readRecord(WAIT)).containsExactly(LAST_ANSWER_TRAILER);
        assertThat(busy.endOfStreamWithin(WAIT)).isTrue();
        assertThat(draining.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aFreshConnectionsFirstRequestIsStillAnswered() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP), handler);
        transport.drainQuietMillis(TimeUnit.SECONDS.toMillis(20));
        TestClient fresh = connectTcp(transport, TCP);
        await("the connection is set up", () -> transport.openConnections() == 1);

        CompletableFuture<Integer> draining = CompletableFuture.supplyAsync(transport::drain);
        await("the drain has begun", transport::connectionsDraining);
        fresh.assertEchoes(Records.beginRequest(1));

        assertThat(fresh.endOfStreamWithin(WAIT)).isTrue();
        assertThat(draining.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheQuietTime() throws Exception {
        Transport transport = start(config(TCP), new EchoHandler());
        TestClient silent = connectTcp(transport, TCP);
        await("the connection is set up", () -> transport.openConnections() == 1);

        long started = System.nanoTime();
        assertThat(transport.drain()).isZero();

        assertThat(silent.endOfStreamWithin(WAIT)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                .isGreaterThanOrEqualTo(ConnectionDrain.DEFAULT_QUIET_MILLIS);
    }

    @Test
    void theTimeLimitEndsTheDrainWithRequestsStillInFlight() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP).drainTimeoutMillis(300), handler);
        TestClient stuck = connectTcp(transport, TCP);
        stuck.assertEchoes(Records.beginRequest(1));
        handler.idle = false;

        assertThat(transport.drain()).isEqualTo(1);
        assertThat(transport.openConnections()).isEqualTo(1);

        transport.stop();
        assertThat(stuck.closedWithin(WAIT)).isTrue();
    }

    @Test
    void aSecondDrainWaitsForTheFirst() throws Exception {
        BusyDrain drain = drainWithARequestInFlight();
        Transport transport = drain.transport();
        EchoHandler handler = drain.handler();
        EchoHandler.Session session = drain.session();
        CompletableFuture<Integer> first = drain.draining();

        // A second SIGTERM: it waits, and returns what the first drain ends with.
        AtomicInteger secondLeft = new AtomicInteger(-1);
        Thread second = new Thread(() -> secondLeft.set(transport.drain()), "second-drain");
        second.start();
        await("the second drain waits for the first", () -> second.getState() == Thread.State.WAITING);
        handler.idle = true;
        session.connection.writeAndFlush(Unpooled.wrappedBuffer(Records.beginRequest(2)));

        second.join(10_000);
        assertThat(secondLeft).hasValue(0);
        assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
    }

    /** A transport whose one connection has a request in flight (answered when the test writes), and its drain begun. */
    private record BusyDrain(Transport transport, EchoHandler handler, TestClient client, EchoHandler.Session session,
            CompletableFuture<Integer> draining) {
    }

    private BusyDrain drainWithARequestInFlight() throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(config(TCP), handler);
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));
        EchoHandler.Session session = handler.opened.take();
        handler.idle = false;
        CompletableFuture<Integer> draining = CompletableFuture.supplyAsync(transport::drain);
        await("the drain has begun", transport::connectionsDraining);
        return new BusyDrain(transport, handler, client, session, draining);
    }
}
