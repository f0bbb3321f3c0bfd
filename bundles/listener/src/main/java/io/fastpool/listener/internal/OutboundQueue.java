package io.fastpool.listener.internal;

import io.fastpool.api.RequestAbortedException;
import io.fastpool.transport.Connection;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outbound side of one connection, its one owner. Handler threads hand it whole records of
 * their responses; the event loop writes them in the order they came, so the records of one
 * request never overtake each other and its END_REQUEST comes last.
 *
 * <p>A handler thread waits here while the connection cannot take more: its outbound buffer is
 * over the high water mark, or more than {@link #MAX_QUEUED_BYTES} wait for the event loop. It is
 * woken, never polled: by the connection becoming writable, by the event loop draining the queue,
 * by a cancel of its request, and by the connection closing, which the connection itself reports
 * ({@link Connection#whenClosed}), so a close the session missed cannot strand a worker.
 *
 * <p>Lock order: a {@link FcgiResponse}'s monitor, then this queue's lock; nothing else is taken
 * while holding the lock. It guards the queue and the state of every {@link FcgiExchange} on the
 * connection, so a write and a cancel are decided in one place: no STDOUT record can follow its
 * request's END_REQUEST. Nobody holds it while waiting (a writer waits on its condition, which
 * releases it) or while writing to the connection (the event loop takes a batch and writes it after
 * letting go), so the event loop, which takes this lock and never a response's, is never blocked
 * by a handler (invariant 8).
 */
final class OutboundQueue {

    /** Bytes of response records queued for the event loop before a handler thread waits. */
    static final long MAX_QUEUED_BYTES = 256 * 1024;

    /** What the event loop does with the buffer that ends a request (it ends with END_REQUEST). */
    interface RequestEnds {
        void requestEnded(FcgiExchange exchange, ByteBuf withEndRequest);
    }

    private final Connection connection;
    private final RequestEnds ends;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private final Runnable drain = this::drain;
    private final Runnable forgetClose;
    /** Guarded by the lock: what handlers queued and the event loop has not taken yet. */
    private ArrayDeque<Pending> queued = new ArrayDeque<>();
    /** Event loop: the batch being written; swapped with {@link #queued} so neither is reallocated. */
    private ArrayDeque<Pending> writing = new ArrayDeque<>();
    private long queuedBytes;
    private boolean drainScheduled;
    private boolean closed;

    private record Pending(FcgiExchange exchange, ByteBuf out, boolean last) {
    }

    OutboundQueue(Connection connection, RequestEnds ends) {
        this.connection = connection;
        this.ends = ends;
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
        while (!closed && exchange.takesWrites() && (queuedBytes > MAX_QUEUED_BYTES || !connection.isWritable())) {
            try {
                room.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RequestAbortedException("interrupted while waiting to write the response: " + exchange.describe());
            }
        }
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
        queued.add(new Pending(exchange, out, last));
        queuedBytes += out.readableBytes();
        if (!drainScheduled) {
            drainScheduled = true;
            try {
                connection.eventLoop().execute(drain);
            } catch (RejectedExecutionException e) {
                // The transport has stopped: nothing will be written, and nobody may wait for it.
                closeLocked();
            }
        }
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

    /** Event loop: the connection became writable. */
    void wakeWriters() {
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
            closeLocked();
        } finally {
            lock.unlock();
        }
        forgetClose.run();
    }

    private void closeLocked() {
        closed = true;
        queuedBytes = 0;
        for (Pending pending : queued) {
            pending.out().release();
        }
        queued.clear();
        room.signalAll();
    }

    /** Event loop: writes every queued buffer in order, then flushes once. */
    private void drain() {
        ArrayDeque<Pending> batch;
        lock.lock();
        try {
            batch = queued;
            queued = writing;
            writing = batch;
            queuedBytes = 0;
            drainScheduled = false;
            room.signalAll();
        } finally {
            lock.unlock();
        }
        for (Pending pending = batch.poll(); pending != null; pending = batch.poll()) {
            if (pending.last()) {
                ends.requestEnded(pending.exchange(), pending.out());
            } else {
                connection.write(pending.out());
            }
        }
        connection.flush();
    }
}
