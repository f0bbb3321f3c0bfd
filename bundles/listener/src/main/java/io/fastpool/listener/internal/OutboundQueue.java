package io.fastpool.listener.internal;

import io.fastpool.api.RequestAbortedException;
import io.fastpool.transport.Connection;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * The outbound side of one connection, its one owner. Handler threads hand it whole records of
 * their responses; the event loop writes them in the order they came, so the records of one
 * request never overtake each other and its END_REQUEST comes last.
 *
 * <p>The hand-over is lock-free: handlers add to a multi-producer, single-consumer queue and the
 * event loop takes from it without a lock, so it never parks against a handler appending (the
 * profile in docs/benchmarks.md caught it parking on the lock this queue had). A handler that adds
 * to the queue while no drain is scheduled schedules one; every buffer added until that drain has
 * taken the queue empty goes out in the same pass, with one flush, and one task per pass reaches
 * the event loop, not one per response. A request's last buffer travels in its exchange
 * ({@link FcgiExchange#queueEnd}), so the queue holds only the handlers' own objects.
 *
 * <p>A handler thread waits here while the connection cannot take more: its outbound buffer is
 * over the high water mark, or more than {@link #MAX_QUEUED_BYTES} wait for the event loop. It is
 * woken, never polled: by the connection becoming writable, by the event loop draining the queue,
 * by a cancel of its request, and by the connection closing, which the connection itself reports
 * ({@link Connection#whenClosed}), so a close the session missed cannot strand a worker. The event
 * loop takes the lock to wake writers only when one waits ({@link #waiting}).
 *
 * <p>Lock order: a {@link FcgiResponse}'s monitor, then this queue's lock; nothing else is taken
 * while holding the lock. It guards the adding to the queue, the waits, and the state of every
 * {@link FcgiExchange} on the connection, so a write and a cancel are decided in one place: no
 * STDOUT record can follow its request's END_REQUEST. Nobody holds it while waiting (a writer
 * waits on its condition, which releases it) or while writing to the connection, so the event
 * loop, which takes this lock and never a response's, is never blocked by a handler (invariant 8).
 */
final class OutboundQueue {

    /** Bytes of response records queued for the event loop before a handler thread waits. */
    static final long MAX_QUEUED_BYTES = 256 * 1024;
    /** Entries per chunk of the queue's linked arrays: one chunk is allocated per this many buffers queued. */
    private static final int CHUNK_SIZE = 64;

    /** What the event loop does with the buffer that ends a request (it ends with END_REQUEST); the drain flushes after. */
    interface RequestEnds {
        void requestEnded(FcgiExchange exchange, ByteBuf withEndRequest);

        /** A handler's thread, its last buffer about to be written by it ({@link #writeByCaller}): counts the answer. */
        void endingByCaller(FcgiExchange exchange);

        /** Event loop, from the drain: ends the requests whose handlers wrote their last buffers. */
        void endByCallers();
    }

    private final Connection connection;
    private final RequestEnds ends;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    /** A {@link ByteBuf} for a buffer, an {@link FcgiExchange} for its request's last one; added under the lock. */
    private final MpscUnboundedAtomicArrayQueue<Object> queued = new MpscUnboundedAtomicArrayQueue<>(CHUNK_SIZE);
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Requests whose last buffer their handler wrote itself; the event loop ends them when it next looks ({@link #pollEndedByCaller}). */
    private final MpscUnboundedAtomicArrayQueue<FcgiExchange> endedByCaller = new MpscUnboundedAtomicArrayQueue<>(CHUNK_SIZE);
    /** Whether a drain is scheduled or running; whoever set it is the queue's one consumer until it clears it. */
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable scheduleDrain;
    private final Runnable forgetClose;
    private final Runnable callerDecided = this::callerDecided;
    /** The request whose handler holds the drain to write its last buffer ({@link #writeByCaller}); that thread's only. */
    private FcgiExchange endingByCaller;
    /** Writers waiting for room; changed under the lock, read by the event loop without it. */
    private volatile int waiting;
    /** Set under the lock; the drain reads it without. */
    private volatile boolean closed;

    OutboundQueue(Connection connection, RequestEnds ends) {
        this.connection = connection;
        this.ends = ends;
        this.scheduleDrain = connection.eventLoopTask(this::drain);
        this.forgetClose = connection.whenClosed(this::close);
    }

    /** Takes the lock that guards this queue and the state of the connection's exchanges. */
    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /**
     * With the lock held, on a handler thread: waits until the connection can take more, or
     * {@code exchange} takes no more writes, or the connection is gone.
     *
     * @throws RequestAbortedException if interrupted (the lock is held again when it is thrown)
     */
    void awaitRoom(FcgiExchange exchange) throws RequestAbortedException {
        while (mustWait(exchange)) {
            // Counted before looking again, so the event loop either sees the count or this writer sees the room it made.
            waiting++;
            try {
                if (mustWait(exchange)) {
                    room.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RequestAbortedException("interrupted while waiting to write the response: " + exchange.describe());
            } finally {
                waiting--;
            }
        }
    }

    private boolean mustWait(FcgiExchange exchange) {
        return !closed && exchange.takesWrites() && (queuedBytes.get() > MAX_QUEUED_BYTES || !connection.isWritable());
    }

    /** With the lock held: whether the connection is gone (closed, or left by its session). */
    boolean isClosed() {
        return closed;
    }

    /**
     * With the lock held: queues {@code out} (whole records, flushed when written) behind every
     * buffer queued before it. {@code last} marks the buffer ending with {@code exchange}'s
     * END_REQUEST. A closed queue releases it.
     */
    void append(FcgiExchange exchange, ByteBuf out, boolean last) {
        if (closed) {
            out.release();
            return;
        }
        offer(exchange, out, last);
        if (drainScheduled.compareAndSet(false, true)) {
            scheduleHeldDrain();
        }
    }

    /** With the lock held: adds {@code out} behind what is queued; {@code last} marks its request's last buffer. */
    private void offer(FcgiExchange exchange, ByteBuf out, boolean last) {
        queuedBytes.addAndGet(out.readableBytes());
        if (last) {
            exchange.queueEnd(out);
            queued.offer(exchange);
        } else {
            queued.offer(out);
        }
    }

    /** With the lock held, holding the drain: hands it to the event loop. */
    private void scheduleHeldDrain() {
        try {
            scheduleDrain.run();
        } catch (RejectedExecutionException e) {
            // The transport has stopped: nothing will be written, and nobody may wait for it. This thread
            // holds the drain, so it may release what is queued.
            closeLocked(true);
        }
    }

    /**
     * With the lock held, on a handler's thread ending its request: takes the drain when nothing is
     * queued, for {@link #writeByCaller}. Nothing queued after is written before the drain is let go.
     */
    boolean takeDrainForCaller() {
        return !closed && queued.isEmpty() && drainScheduled.compareAndSet(false, true);
    }

    /**
     * A handler's thread holding the drain ({@link #takeDrainForCaller}), without the lock: writes
     * {@code out}, its request's last buffer, to the socket itself when the connection can take it
     * so (sparing the event loop a wake-up), else queues it for the event loop as usual. Its request
     * ends on the event loop when it next looks ({@link #pollEndedByCaller}).
     */
    void writeByCaller(FcgiExchange exchange, ByteBuf out) {
        endingByCaller = exchange;
        if (!connection.writeFromCaller(out, callerDecided)) {
            endingByCaller = null;
            lock.lock();
            try {
                if (closed) {
                    out.release();
                    closeLocked(true); // holding the drain: what other handlers queued meanwhile is this thread's to release
                    return;
                }
                offer(exchange, out, true);
                scheduleHeldDrain();
            } finally {
                lock.unlock();
            }
            return;
        }
        endingByCaller = null;
        drainScheduled.set(false);
        if (!queued.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            lock.lock();
            try {
                scheduleHeldDrain(); // what was queued meanwhile
            } finally {
                lock.unlock();
            }
        }
    }

    /** The handler's thread holding the drain, once its write is certain: its request is over. */
    private void callerDecided() {
        FcgiExchange exchange = endingByCaller;
        ends.endingByCaller(exchange);
        endedByCaller.offer(exchange);
    }

    /** Event loop: a request whose handler wrote its last buffer itself, or null. */
    FcgiExchange pollEndedByCaller() {
        return endedByCaller.poll();
    }

    /** Locks and queues: for what the listener sends itself (an END_REQUEST after a cancel). */
    void enqueue(FcgiExchange exchange, ByteBuf out, boolean last) {
        lock.lock();
        try {
            append(exchange, out, last);
        } finally {
            lock.unlock();
        }
    }

    /** With the lock held: wakes every writer waiting, to look again at its request and the connection. */
    void wakeWritersLocked() {
        room.signalAll();
    }

    /** Event loop: the connection became writable, or the queue was drained. */
    void wakeWriters() {
        if (waiting == 0) {
            return;
        }
        lock.lock();
        try {
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection is gone, or its session leaves it: every waiting writer fails at once, what is
     * queued is released, and nothing more is accepted.
     */
    void close() {
        lock.lock();
        try {
            closeLocked(false);
        } finally {
            lock.unlock();
        }
        forgetClose.run();
    }

    /**
     * With the lock held. What is queued is released here if this thread holds the drain or can take
     * it; otherwise by the drain that holds it, which sees {@link #closed} (on the event loop, that
     * is a drain scheduled or the one running that closed the connection).
     */
    private void closeLocked(boolean holdingDrain) {
        closed = true;
        room.signalAll();
        if (holdingDrain || drainScheduled.compareAndSet(false, true)) {
            queuedBytes.addAndGet(-releaseQueued());
            drainScheduled.set(false);
        }
    }

    private long releaseQueued() {
        long bytes = 0;
        for (Object next = queued.poll(); next != null; next = queued.poll()) {
            ByteBuf out = bufferOf(next);
            bytes += out.readableBytes();
            out.release();
        }
        return bytes;
    }

    /**
     * Event loop: writes every queued buffer in order, also those queued while it writes, then
     * flushes once. It lets go of the drain before it looks at the queue a last time: a buffer
     * queued after that look schedules the next drain.
     */
    private void drain() {
        ends.endByCallers();
        boolean wrote = false;
        do {
            wrote |= writeQueued();
            drainScheduled.set(false);
        } while (!queued.isEmpty() && drainScheduled.compareAndSet(false, true));
        wakeWriters();
        if (wrote) {
            connection.flush();
        }
    }

    /** Event loop, holding the drain: writes (or, once closed, releases) what is queued; whether it wrote any. */
    private boolean writeQueued() {
        long bytes = 0;
        boolean wrote = false;
        for (Object next = queued.poll(); next != null; next = queued.poll()) {
            ByteBuf out = bufferOf(next);
            bytes += out.readableBytes();
            if (closed) {
                out.release();
            } else if (next instanceof FcgiExchange exchange) {
                ends.requestEnded(exchange, out);
                wrote = true;
            } else {
                connection.write(out);
                wrote = true;
            }
        }
        queuedBytes.addAndGet(-bytes);
        return wrote;
    }

    private static ByteBuf bufferOf(Object queuedEntry) {
        return queuedEntry instanceof FcgiExchange exchange ? exchange.takeQueuedEnd() : (ByteBuf) queuedEntry;
    }
}
