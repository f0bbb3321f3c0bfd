package io.fastpool.transport.internal;

import io.fastpool.transport.ConnectionSnapshot;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class HandlerChangeTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";

    @ParameterizedTest
    @EnumSource(Io.class)
    void idleConnectionIsHeldWhileNoHandlerAndServedBySameSocketWhenOneReturns(Io io) throws Exception {
        EchoHandler first = new EchoHandler();
        Transport transport = start(io, config(TCP), first);
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));
        EchoHandler.Session firstSession = first.opened.poll(5, TimeUnit.SECONDS);
        // Half a record reaches the framer while the handler is still there.
        byte[] split = Records.patterned(2, 1000, 0);
        client.send(Arrays.copyOf(split, 500));
        await("half a record in the framer", () -> transport.connections().get(0).bufferedBytes() == 500);

        transport.setHandler(null);
        await("the idle session is detached", () -> firstSession.detaches.get() == 1);
        // The rest of it, and a whole record, wait in the kernel.
        byte[] whole = Records.beginRequest(3);
        client.send(TestClient.concat(Arrays.copyOfRange(split, 500, split.length), whole));

        // setHandler returned after the connection followed: nothing more reaches the first handler,
        // and what arrives waits (the echoes below come from the second, with every byte).
        assertThat(first.received).hasSize(1);
        assertThat(firstSession.closes).hasValue(0);
        assertThat(transport.connections()).singleElement()
                .satisfies(c -> assertThat(c.state()).isEqualTo(ConnectionSnapshot.State.HELD));

        EchoHandler second = new EchoHandler();
        transport.setHandler(second);

        assertThat(client.readRecord(WAIT)).isEqualTo(split);
        assertThat(client.readRecord(WAIT)).isEqualTo(whole);
        client.assertEchoes(Records.beginRequest(4));
        assertThat(second.opened).hasSize(1);
        assertThat(second.received).hasSize(3);
        assertThat(first.received).hasSize(1);
        assertThat(listener(transport, TCP).accepted()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void busyConnectionIsClosedWhenTheHandlerGoes(Io io) throws Exception {
        EchoHandler handler = new EchoHandler();
        handler.idle = false;
        Transport transport = start(io, config(TCP), handler);
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));
        EchoHandler.Session session = handler.opened.poll(5, TimeUnit.SECONDS);

        transport.setHandler(null);

        assertThat(client.closedWithin(WAIT)).isTrue();
        assertThat(session.detaches).hasValue(1);
        // The close ran on the event loop and queued the inactive event there; a task queued now runs after it.
        CountDownLatch drained = new CountDownLatch(1);
        session.connection.eventLoop().execute(drained::countDown);
        assertThat(drained.await(5, TimeUnit.SECONDS)).isTrue();
        // A detached session has released everything already: no onClose after detach.
        assertThat(session.closes).hasValue(0);
    }

    @Test
    void idleConnectionMovesToAReplacingHandler() throws Exception {
        EchoHandler first = new EchoHandler();
        Transport transport = start(config(TCP), first);
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));

        EchoHandler second = new EchoHandler();
        transport.setHandler(second);
        await("the connection moves to the new handler", () -> second.opened.size() == 1);

        client.assertEchoes(Records.beginRequest(2));
        assertThat(first.detached).hasValue(1);
        assertThat(first.received).hasSize(1);
        assertThat(second.received).hasSize(1);
    }

    @Test
    void setHandlerReturnsOnlyOnceEveryConnectionHasFollowed() throws Exception {
        EchoHandler first = new EchoHandler();
        Transport transport = start(config(TCP), first);
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));
        EchoHandler.Session session = first.opened.poll(5, TimeUnit.SECONDS);
        CountDownLatch loopBusy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        session.connection.eventLoop().execute(() -> {
            loopBusy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(loopBusy.await(5, TimeUnit.SECONDS)).isTrue();

        Thread removing = new Thread(() -> transport.setHandler(null), "removing the handler");
        removing.start();
        removing.join(300);
        assertThat(removing.isAlive()).as("setHandler waits while the connection's event loop is busy").isTrue();
        assertThat(session.detaches).hasValue(0);

        release.countDown();
        removing.join(5_000);
        assertThat(removing.isAlive()).isFalse();
        assertThat(session.detaches).as("detached before setHandler returned").hasValue(1);
        // Sent after the removal returned: held, never given to the detached session, served by the next handler.
        client.send(Records.beginRequest(2));
        EchoHandler next = new EchoHandler();
        transport.setHandler(next);
        assertThat(client.readRecord(WAIT)).isEqualTo(Records.beginRequest(2));
        assertThat(next.received).hasSize(1);
        assertThat(first.received).hasSize(1);
    }

    @Test
    void rapidHandlerChangesSettleOnTheLastOne() throws Exception {
        Transport transport = start(config(TCP), new EchoHandler());
        TestClient client = connectTcp(transport, TCP);
        client.assertEchoes(Records.beginRequest(1));

        EchoHandler last = new EchoHandler();
        for (int i = 0; i < 20; i++) {
            transport.setHandler(null);
            transport.setHandler(new EchoHandler());
        }
        transport.setHandler(last);
        assertThat(last.opened).as("every connection has followed when setHandler returns").hasSize(1);

        client.assertEchoes(Records.beginRequest(2));
        assertThat(last.received).hasSize(1);
        assertThat(last.opened).hasSize(1);
    }
}
