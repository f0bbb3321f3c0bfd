package io.fastpool.listener.internal;

import io.fastpool.transport.Connection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request body bytes one connection holds for handlers that have not read them yet. Past the
 * limit the connection stops reading from its socket (the client is slowed by TCP flow control);
 * below half the limit it reads again. This bounds the memory a fast client and a slow handler
 * can take, whatever the body's size.
 */
final class InboundBudget {

    private final Connection connection;
    private final long limit;
    private final AtomicLong buffered = new AtomicLong();
    /** Touched only on the event loop. */
    private boolean paused;

    InboundBudget(Connection connection, long limit) {
        this.connection = connection;
        this.limit = limit;
    }

    /** Event loop: bytes were queued for a handler. */
    void add(int bytes) {
        if (buffered.addAndGet(bytes) > limit && !paused) {
            paused = true;
            connection.pauseReading();
        }
    }

    /** Any thread: a handler read (or dropped) bytes. */
    void consumed(int bytes) {
        long now = buffered.addAndGet(-bytes);
        if (now <= limit / 2 && now + bytes > limit / 2) {
            connection.eventLoop().execute(this::resumeIfBelow);
        }
    }

    private void resumeIfBelow() {
        if (paused && buffered.get() <= limit / 2) {
            paused = false;
            connection.resumeReading();
        }
    }

    long buffered() {
        return buffered.get();
    }

    boolean isPaused() {
        return paused;
    }
}
