package io.fastpool.servlet.internal;

import io.fastpool.api.Response;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.Arrays;

/**
 * The response body as a {@link ServletOutputStream}, buffered as the Servlet API requires: bytes
 * stay in a buffer of {@code getBufferSize()} bytes, which {@code reset()} can still discard, until
 * it overflows or is flushed; then the response commits (status and headers go to Fastpool's
 * response) and the bytes follow. Once as many bytes as a declared Content-Length are written the
 * response commits, and writing more is an error rather than a broken HTTP message.
 *
 * <p>Until the response commits, the buffer is Fastpool's own where it can be: Fastpool's response
 * holds up to its {@link Response#bufferSize()} bytes unsent, with status and headers still open, and
 * drops them on {@link Response#resetBuffer()}, which is all the Servlet buffer needs. So bytes that
 * fit there are written straight through ("held"), and a response smaller than both buffers, most
 * of them, is copied once and needs no array of its own. Only bytes that would fill Fastpool's
 * buffer before the Servlet one is full (a Servlet buffer set larger than the listener's), and what
 * is written after the response committed, wait in an array here, which grows as bytes come up to the
 * buffer size (an array of the full size made for every request was 8 KiB of garbage each:
 * RequestPathBenchmark's servlet hello allocated 10.3 KB per request with it).
 *
 * <p>A {@link WriteListener} (an async request's) hears {@code onWritePossible} on a worker of the
 * app's pool: the stream is always ready, and a write that finds the connection full waits for it
 * to drain, holding that worker; what the listener throws goes to its {@code onError}.
 *
 * <p>The body half of {@link ServletResponseAdapter}, which extends it and is its own output stream
 * ({@code getOutputStream()} returns the response): one object per response instead of two, which
 * with the fields they shared (Fastpool's response, the Content-Length, a reference each way) was
 * 64 bytes per request. This class keeps the body's state and rules; the subclass commits.
 */
abstract class ResponseOutput extends ServletOutputStream {

    private static final byte[] EMPTY = new byte[0];
    private static final int FIRST_ARRAY = 64;

    /** Fastpool's response, which the body goes to. */
    final Response response;
    /** The declared Content-Length, or -1. */
    long contentLength = -1;
    private byte[] buffer = EMPTY;
    private int bufferSize;
    private int count;
    private long written;
    private boolean discarding;
    private boolean listening;

    ResponseOutput(Response response, int bufferSize) {
        this.response = response;
        this.bufferSize = bufferSize;
    }

    /** Commits the response: status and headers go to Fastpool's response, once. */
    abstract void commit();

    /** Whether the response committed (or was given over to an error page or a redirect). */
    public abstract boolean isCommitted();

    /** The request's async support; null when it cannot start async. */
    abstract ServletAsync asyncSupport();

    /**
     * Bytes written straight into Fastpool's response and not committed: still ours to drop. Until the
     * response commits, every byte written since the last reset is held there or waits in the array.
     */
    private int held() {
        return isCommitted() ? 0 : (int) (written - count);
    }

    /**
     * One byte; {@code ServletOutputStream.print} writes every character this way, so it stays cheap
     * while the array has room, and a byte is never written straight (Fastpool's stream would take it
     * one call, and one array, at a time).
     */
    @Override
    public void write(int b) throws IOException {
        if (!discarding && count < buffer.length && held() + count < bufferSize && (contentLength < 0 || written + 1 < contentLength)) {
            buffer[count++] = (byte) b;
            written++;
        } else {
            write(new byte[] {(byte) b}, 0, 1, false);
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        write(bytes, offset, length, true);
    }

    /** {@code mayHold}: the bytes may go straight into Fastpool's buffer while the response is not committed. */
    private void write(byte[] bytes, int offset, int length, boolean mayHold) throws IOException {
        if (discarding || length == 0) {
            return;
        }
        if (contentLength >= 0 && written + length > contentLength) {
            throw new IOException("writing " + length + " more bytes would exceed the response's Content-Length of "
                    + contentLength + " (" + written + " written)");
        }
        if (held() + count + length > bufferSize) {
            drain();
        }
        if (length >= bufferSize) {
            commit();
            response.body().write(bytes, offset, length);
        } else if (mayHold && count == 0 && !isCommitted() && written + length < response.bufferSize()) {
            response.body().write(bytes, offset, length);
        } else {
            if (count + length > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(bufferSize, Math.max(count + length, Math.max(FIRST_ARRAY, buffer.length * 2))));
            }
            System.arraycopy(bytes, offset, buffer, count, length);
            count += length;
        }
        written += length;
        if (written == contentLength) {
            drain();
        }
    }

    /** Commits the response and sends what is buffered on to the client now. */
    @Override
    public void flush() throws IOException {
        if (!discarding) {
            drain();
            response.body().flush();
        }
    }

    /**
     * Commits the response and hands what is buffered to Fastpool's response, without flushing that
     * to the client: the response completes when the servlet returns, and a flush here would cost
     * the web server a second write (and packet) for every response. What {@code finish()} and a
     * servlet closing its stream do. Bytes already held by Fastpool's response stay there, in front.
     */
    void drain() throws IOException {
        if (discarding) {
            return;
        }
        commit();
        if (count > 0) {
            response.body().write(buffer, 0, count);
            count = 0;
        }
    }

    @Override
    public void close() throws IOException {
        drain();
    }

    int bufferSize() {
        return bufferSize;
    }

    /** Whether anything was written since the start or the last reset. */
    boolean hasContent() {
        return written > 0;
    }

    void resizeBuffer(int size) {
        bufferSize = size;
        if (buffer.length > size) {
            buffer = EMPTY;
        }
    }

    /** Drops what is buffered, here and held by Fastpool's response, as {@code resetBuffer()} does. */
    void dropBuffered() {
        if (held() > 0) {
            response.resetBuffer();
        }
        count = 0;
        written = 0;
    }

    /** From now on writes are dropped: the response was replaced by an error or a redirect. */
    void discardFurtherWrites() {
        dropBuffered();
        discarding = true;
    }

    /** Writes are kept again, into an empty buffer: an error page replaces what was dropped. */
    void reopen() {
        dropBuffered();
        discarding = false;
    }

    /** Always ready: writes block, also a write listener's. */
    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
        ServletAsync async = asyncSupport();
        if (async == null) {
            throw new IllegalStateException("non-blocking writes need an async request (startAsync), and this servlet does not support async");
        }
        if (writeListener == null) {
            throw new NullPointerException("setWriteListener(null)");
        }
        if (listening) {
            throw new IllegalStateException("setWriteListener was already called for this request");
        }
        async.runIo(() -> {
            try {
                writeListener.onWritePossible();
            } catch (IOException | RuntimeException e) {
                writeListener.onError(e);
            }
        });
        listening = true;
    }
}
