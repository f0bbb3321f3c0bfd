package io.fastpool.listener.internal;

import io.fastpool.transport.Connection;
import io.fastpool.transport.TransportLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Connection} without a socket for {@link RequestPathBenchmark}: the thread that created
 * it plays the connection's event loop. Tasks other threads hand to {@link #eventLoop()} wait in a
 * fixed-size queue until that thread runs them in {@link #awaitResponse()}, which also parks it
 * while there is nothing to do, and a task from another thread wakes it, as a netty event loop is
 * woken. What the session writes is kept for the benchmark to check and release.
 *
 * <p>It allocates nothing per request, so the benchmark's bytes per request are the listener's, the
 * pool's and the app's. What a real netty connection adds is not counted: the task object per
 * {@code execute} and the {@code ScheduledFutureTask} of the PARAMS timer (here one shared future
 * that never fires), and the channel's write path.
 *
 * <p>It lives in the listener's internal package because {@link FcgiSession} is package-private;
 * on the plain class path of the benchmarks jar that works, outside OSGi.
 */
final class LoopConnection implements Connection {

    private static final int SPINS_BEFORE_PARKING = 200;

    private final Thread loop = Thread.currentThread();
    private final Queue<Runnable> tasks = PlatformDependent.newFixedMpscQueue(1024);
    private final Executor executor = this::execute;
    private volatile boolean parked;
    /** The last buffer the session wrote with a flush; set and taken on the loop thread only. */
    private ByteBuf written;
    private boolean closed;

    @Override
    public long id() {
        return 1;
    }

    @Override
    public String listenAddress() {
        return "unix:run/fastpool.sock";
    }

    @Override
    public String remoteAddress() {
        return "unix";
    }

    @Override
    public int remotePort() {
        return 0;
    }

    @Override
    public String localAddress() {
        return "run/fastpool.sock";
    }

    @Override
    public int localPort() {
        return 0;
    }

    @Override
    public ByteBufAllocator alloc() {
        // What a channel's alloc() returns when the transport sets no allocator of its own.
        return ByteBufAllocator.DEFAULT;
    }

    @Override
    public Executor eventLoop() {
        return executor;
    }

    private void execute(Runnable task) {
        if (!tasks.offer(task)) {
            throw new IllegalStateException("more than 1024 tasks queued for the benchmark's event loop");
        }
        if (parked) {
            LockSupport.unpark(loop);
        }
    }

    @Override
    public boolean inEventLoop() {
        return Thread.currentThread() == loop;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return NeverFires.INSTANCE;
    }

    @Override
    public void write(ByteBuf data) {
        keep(data);
    }

    @Override
    public void writeAndFlush(ByteBuf data) {
        keep(data);
    }

    @Override
    public void flush() {
    }

    @Override
    public void writeAndClose(ByteBuf data) {
        keep(data);
        closed = true;
    }

    private void keep(ByteBuf data) {
        if (written != null) {
            // A hello response leaves in one write with its END_REQUEST; anything else is a change to look at.
            ByteBuf first = written;
            written = null;
            first.release();
            data.release();
            throw new IllegalStateException("the response came in more than one write");
        }
        written = data;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public Runnable whenClosed(Runnable action) {
        return () -> { }; // the benchmark never closes a connection with a writer waiting on it
    }

    @Override
    public void pauseReading() {
        throw new IllegalStateException("reading paused: a hello request has no body to hold back");
    }

    @Override
    public void resumeReading() {
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public TransportLimits limits() {
        return TransportLimits.DEFAULTS;
    }

    /**
     * Loop thread: runs queued tasks until the session has written a response, waiting for them
     * (spinning briefly, then parked) when a handler thread has yet to queue them. Returns what was
     * written; the caller releases it.
     */
    ByteBuf awaitResponse(long timeoutNanos) {
        long deadline = 0;
        int idle = 0;
        while (written == null) {
            Runnable task = tasks.poll();
            if (task != null) {
                task.run();
                idle = 0;
                continue;
            }
            if (++idle < SPINS_BEFORE_PARKING) {
                Thread.onSpinWait();
                continue;
            }
            if (deadline == 0) {
                deadline = System.nanoTime() + timeoutNanos;
            } else if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no response within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
            parked = true;
            if (tasks.isEmpty()) {
                LockSupport.parkNanos(this, 100_000);
            }
            parked = false;
        }
        ByteBuf response = written;
        written = null;
        return response;
    }

    boolean isClosed() {
        return closed;
    }

    /** The PARAMS timer: never fires, since every request here sends its PARAMS at once. */
    private static final class NeverFires implements ScheduledFuture<Object> {
        static final NeverFires INSTANCE = new NeverFires();

        @Override
        public long getDelay(TimeUnit unit) {
            return Long.MAX_VALUE;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return false;
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException("the PARAMS timer of the benchmark never fires");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("the PARAMS timer of the benchmark never fires");
        }
    }
}
