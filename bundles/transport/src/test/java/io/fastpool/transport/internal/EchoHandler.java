package io.fastpool.transport.internal;

import io.fastpool.transport.Connection;
import io.fastpool.transport.ConnectionHandler;
import io.fastpool.transport.ConnectionSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler for tests whose sessions write every record back. A record with request id
 * {@link #FAILING_REQUEST_ID} makes the session throw; {@link #idle} says what {@code isIdle} answers.
 */
final class EchoHandler implements ConnectionHandler {

    static final int FAILING_REQUEST_ID = 666;

    volatile boolean idle = true;
    /** Echo with writeAndClose: the answer ends the connection, as without FCGI_KEEP_CONN. */
    volatile boolean closeAfterEcho;
    /** What onInputShutdown answers: true closes at once. */
    volatile boolean closeOnInputShutdown = true;
    final AtomicInteger inputShutdowns = new AtomicInteger();
    final BlockingQueue<Session> opened = new LinkedBlockingQueue<>();
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    final AtomicInteger detached = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public ConnectionSession open(Connection connection) {
        Session session = new Session(connection);
        opened.add(session);
        return session;
    }

    /** One echoing session; counts its own callbacks. */
    final class Session implements ConnectionSession {
        final Connection connection;
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger detaches = new AtomicInteger();

        Session(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void onRecord(ByteBuf record) {
            received.add(ByteBufUtil.getBytes(record));
            if (Records.requestId(record) == FAILING_REQUEST_ID) {
                throw new IllegalStateException("test session fails on request " + FAILING_REQUEST_ID);
            }
            if (closeAfterEcho) {
                connection.writeAndClose(record.retainedDuplicate());
            } else {
                connection.writeAndFlush(record.retainedDuplicate());
            }
        }

        @Override
        public boolean onInputShutdown() {
            inputShutdowns.incrementAndGet();
            return closeOnInputShutdown;
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
        }

        @Override
        public boolean isIdle() {
            return idle;
        }

        @Override
        public void detach() {
            detaches.incrementAndGet();
            detached.incrementAndGet();
        }

        @Override
        public void onClose() {
            closes.incrementAndGet();
            closed.incrementAndGet();
        }
    }
}
