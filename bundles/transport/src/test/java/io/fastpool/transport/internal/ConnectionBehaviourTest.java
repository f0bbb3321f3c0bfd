package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.transport.Connection;
import io.fastpool.transport.ConnectionHandler;
import io.fastpool.transport.ConnectionSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a session can do with its connection: pause and resume reading, follow writability, hear of its close. */
@Timeout(30)
class ConnectionBehaviourTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";

    /** Records what its one session sees; pauses reading after the first record. */
    private static final class RecordingHandler implements ConnectionHandler {
        final BlockingQueue<byte[]> records = new LinkedBlockingQueue<>();
        final AtomicInteger received = new AtomicInteger();
        final List<Boolean> writability = new CopyOnWriteArrayList<>();
        volatile Connection connection;

        @Override
        public ConnectionSession open(Connection opened) {
            connection = opened;
            return new ConnectionSession() {
                @Override
                public void onRecord(ByteBuf record) {
                    if (received.incrementAndGet() == 1) {
                        opened.pauseReading();
                    }
                    records.add(ByteBufUtil.getBytes(record));
                }

                @Override
                public void onWritabilityChanged(boolean writable) {
                    writability.add(writable);
                }

                @Override
                public boolean isIdle() {
                    return true;
                }

                @Override
                public void detach() {
                }

                @Override
                public void onClose() {
                }
            };
        }
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void pausesAreCountedAndRecordsReadBeforeAPauseArriveAfterTheLastResume(Io io) throws Exception {
        RecordingHandler handler = new RecordingHandler();
        Transport transport = new Transport(config(TCP).useEpoll(io.useEpoll).build());
        try {
            transport.setHandler(handler);
            transport.start();
            assertThat(transport.ioKind()).as("runs on %s %s", io, io.whyNot()).isEqualTo(io.kind);
            TestClient client = connectTcp(transport, TCP);
            byte[] first = Records.beginRequest(1);
            byte[] second = Records.patterned(1, 100, 4);
            byte[] third = Records.patterned(1, 10, 6);

            // One write: the framer has all three when the session pauses inside onRecord.
            client.send(TestClient.concat(first, second, third));

            assertThat(handler.records.poll(5, TimeUnit.SECONDS)).isEqualTo(first);
            assertThat(handler.records.poll(200, TimeUnit.MILLISECONDS)).isNull();
            // Read with the first record (one small write on loopback), held by the framer while paused.
            assertThat(transport.connections()).singleElement()
                    .satisfies(c -> assertThat(c.bufferedBytes()).isPositive());

            // From a thread other than the event loop: a second pause, then one resume, leaves it paused.
            handler.connection.pauseReading();
            handler.connection.resumeReading();
            assertThat(handler.records.poll(200, TimeUnit.MILLISECONDS)).isNull();

            handler.connection.resumeReading();
            assertThat(handler.records.poll(5, TimeUnit.SECONDS)).isEqualTo(second);
            assertThat(handler.records.poll(5, TimeUnit.SECONDS)).isEqualTo(third);

            // An extra resume does nothing; reading goes on.
            handler.connection.resumeReading();
            byte[] fourth = Records.beginRequest(2);
            client.send(fourth);
            assertThat(handler.records.poll(5, TimeUnit.SECONDS)).isEqualTo(fourth);
        } finally {
            transport.stop();
        }
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void sessionIsToldWhenTheOutboundBufferCrossesTheWaterMarks(Io io) throws Exception {
        RecordingHandler handler = new RecordingHandler();
        Transport transport = new Transport(config(TCP).writeBufferWaterMarks(32 * 1024, 64 * 1024)
                .useEpoll(io.useEpoll).build());
        try {
            transport.setHandler(handler);
            transport.start();
            assertThat(transport.ioKind()).as("runs on %s %s", io, io.whyNot()).isEqualTo(io.kind);
            TestClient client = connectTcp(transport, TCP);
            client.send(Records.beginRequest(1));
            assertThat(handler.records.poll(5, TimeUnit.SECONDS)).isNotNull();
            Connection connection = handler.connection;

            // The client reads nothing: kernel buffers fill, then the connection's own.
            long written = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!handler.writability.contains(false) && System.nanoTime() < deadline) {
                ByteBuf chunk = connection.alloc().buffer(64 * 1024).writeZero(64 * 1024);
                connection.writeAndFlush(chunk);
                written += 64 * 1024;
                Thread.sleep(1);
            }
            assertThat(handler.writability).startsWith(false);

            client.drain(written, Duration.ofSeconds(10));

            await("the session hears the connection is writable again",
                    () -> handler.writability.get(handler.writability.size() - 1));
            assertThat(connection.isWritable()).isTrue();
        } finally {
            transport.stop();
        }
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void whenClosedRunsOnTheEventLoopOnceThePeerClosesUnlessForgotten(Io io) throws Exception {
        RecordingHandler handler = new RecordingHandler();
        Transport transport = new Transport(config(TCP).useEpoll(io.useEpoll).build());
        try {
            transport.setHandler(handler);
            transport.start();
            assertThat(transport.ioKind()).as("runs on %s %s", io, io.whyNot()).isEqualTo(io.kind);
            TestClient client = connectTcp(transport, TCP);
            client.send(Records.beginRequest(1));
            assertThat(handler.records.poll(5, TimeUnit.SECONDS)).isNotNull();
            Connection connection = handler.connection;
            java.util.concurrent.CompletableFuture<Boolean> closed = new java.util.concurrent.CompletableFuture<>();
            AtomicInteger forgottenRuns = new AtomicInteger();
            connection.whenClosed(() -> closed.complete(connection.inEventLoop()));
            connection.whenClosed(forgottenRuns::incrementAndGet).run();

            connection.resumeReading(); // the handler paused at the first record: reading again, it sees the end
            client.close();

            assertThat(closed.get(5, TimeUnit.SECONDS)).as("ran on the connection's event loop").isTrue();
            assertThat(connection.isOpen()).isFalse();
            assertThat(forgottenRuns).hasValue(0);
            // Registered after the close: runs at once (on the event loop).
            java.util.concurrent.CountDownLatch late = new java.util.concurrent.CountDownLatch(1);
            connection.whenClosed(late::countDown);
            assertThat(late.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            transport.stop();
        }
    }
}
