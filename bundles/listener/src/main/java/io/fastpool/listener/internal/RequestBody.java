package io.fastpool.listener.internal;

import io.fastpool.api.RequestBodyException;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * A request body streamed from STDIN records to the handler's thread. The event loop offers
 * chunks (retained slices of the records) as they arrive; the handler reads them, blocking while
 * none are there. Buffered bytes count toward the connection's {@link InboundBudget}, which stops
 * reading from the socket when handlers fall behind, so memory per connection stays bounded.
 */
final class RequestBody extends InputStream {

    /** No chunk queued: most requests (GET) have no body, so the queue is made by the first chunk. */
    private static final ArrayDeque<ByteBuf> NONE = new ArrayDeque<>(0);

    private ArrayDeque<ByteBuf> chunks = NONE;
    private final InboundBudget budget;
    private final long declaredLength;
    private long received;
    private boolean ended;
    /** Thrown once the queued bytes are read: a length mismatch found at the end of the stream. */
    private IOException endFailure;
    /** Thrown at once: the request was aborted or the connection closed. */
    private IOException failure;

    RequestBody(InboundBudget budget, long declaredLength) {
        this.budget = budget;
        this.declaredLength = declaredLength;
    }

    /**
     * Event loop: a STDIN chunk, taken over by the body. Returns a description of a length
     * mismatch to log, or null.
     */
    String offer(ByteBuf chunk) {
        int size = chunk.readableBytes();
        synchronized (this) {
            if (ended || failure != null) {
                chunk.release();
                return null;
            }
            received += size;
            if (declaredLength >= 0 && received > declaredLength) {
                int keep = (int) (size - (received - declaredLength));
                chunk.writerIndex(chunk.readerIndex() + keep);
                ended = true;
                endFailure = new RequestBodyException("request body is longer than its Content-Length of "
                        + declaredLength + " bytes");
                size = keep;
            }
            if (size > 0) {
                if (chunks == NONE) {
                    chunks = new ArrayDeque<>(4);
                }
                chunks.add(chunk);
                budget.add(size);
            } else {
                chunk.release();
            }
            notifyAll();
            return endFailure != null ? endFailure.getMessage() : null;
        }
    }

    /** Event loop: the empty STDIN record. Returns a description of a length mismatch to log, or null. */
    synchronized String end() {
        if (ended || failure != null) {
            return null;
        }
        ended = true;
        if (declaredLength >= 0 && received < declaredLength) {
            endFailure = new RequestBodyException("request body ended after " + received + " of the "
                    + declaredLength + " bytes its Content-Length declares");
        }
        notifyAll();
        return endFailure != null ? endFailure.getMessage() : null;
    }

    /** Any thread: no more bytes will come; pending readers get {@code cause}; buffered chunks are released. */
    synchronized void fail(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        releaseAll();
        notifyAll();
    }

    /** Whether the client has sent the whole body. */
    synchronized boolean isEnded() {
        return ended;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, target.length);
        if (length == 0) {
            return 0;
        }
        int copied;
        synchronized (this) {
            while (chunks.isEmpty()) {
                if (failure != null) {
                    throw failure;
                }
                if (ended) {
                    if (endFailure != null) {
                        throw endFailure;
                    }
                    return -1;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for the request body");
                }
            }
            if (failure != null) {
                throw failure;
            }
            ByteBuf head = chunks.peek();
            copied = Math.min(length, head.readableBytes());
            head.readBytes(target, offset, copied);
            if (!head.isReadable()) {
                chunks.poll().release();
            }
        }
        budget.consumed(copied);
        return copied;
    }

    @Override
    public synchronized int available() {
        int available = 0;
        for (ByteBuf chunk : chunks) {
            available += chunk.readableBytes();
        }
        return available;
    }

    /** Discards what is buffered: the handler is done with the body. Later offers are released at once. */
    @Override
    public void close() {
        synchronized (this) {
            if (ended && chunks.isEmpty() && failure == null) {
                // The whole body arrived (or there was none, as for a GET): nothing to free, and later
                // reads find its end, so no exception need be made.
                return;
            }
        }
        fail(new ClosedException()); // no stack: closing is routine
    }

    /** The body was closed by its handler. */
    private static final class ClosedException extends IOException {
        private static final long serialVersionUID = 1L;

        ClosedException() {
            super("request body closed");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private void releaseAll() {
        int released = 0;
        for (ByteBuf chunk; (chunk = chunks.poll()) != null; ) {
            released += chunk.readableBytes();
            chunk.release();
        }
        if (released > 0) {
            budget.consumed(released);
        }
    }
}
