package io.fastpool.testkit;

import io.fastpool.api.Response;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records what an app, a pool or a status page answers: status, headers (names without regard to
 * case; {@link #header} gives the last value) and body. As the listener's response does, it commits
 * when the body is flushed, and {@link #sendError} replaces an uncommitted body with a plain-text
 * one and refuses a committed response. Safe to read from the test thread while a worker writes.
 *
 * <p>By default it holds nothing back ({@link #bufferSize()} is 0): every byte written counts as
 * sent, and {@link #resetBuffer} has nothing to drop. {@link #buffered} makes it hold the body as
 * the listener's response does: below the buffer size bytes stay unsent (and {@link #text} shows
 * them), {@code resetBuffer} drops them, and reaching the size commits.
 */
public final class FakeResponse implements Response {

    /** The status set last; a field so that tests can poll it in a condition. */
    public volatile int status = 200;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private volatile boolean committed;
    private volatile String errorMessage;
    private int bufferSize;
    /** How many bytes of the body count as sent: the rest is held, and {@link #resetBuffer} drops it. */
    private int sent;
    private final OutputStream stream = new OutputStream() {
        @Override
        public void write(int b) {
            synchronized (FakeResponse.this) {
                body.write(b);
                written();
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            synchronized (FakeResponse.this) {
                body.write(bytes, offset, length);
                written();
            }
        }

        @Override
        public void flush() {
            synchronized (FakeResponse.this) {
                sent = body.size();
                committed = true;
            }
        }
    };

    /** Holds up to {@code size} body bytes unsent, as the listener's response does; returns this fake. */
    public synchronized FakeResponse buffered(int size) {
        bufferSize = size;
        return this;
    }

    private void written() {
        if (body.size() - sent >= bufferSize) {
            sent = body.size();
            committed |= bufferSize > 0;
        }
    }

    @Override
    public synchronized int bufferSize() {
        return bufferSize;
    }

    @Override
    public synchronized void resetBuffer() {
        if (committed) {
            throw new IllegalStateException("response already committed: its body cannot be reset");
        }
        byte[] kept = Arrays.copyOf(body.toByteArray(), sent);
        body.reset();
        body.writeBytes(kept);
    }

    @Override public void setStatus(int status) { this.status = status; }
    @Override public int status() { return status; }

    @Override
    public synchronized void setHeader(String name, String value) {
        headers.put(name, new ArrayList<>(List.of(value)));
    }

    @Override
    public synchronized void addHeader(String name, String value) {
        headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    @Override
    public synchronized String header(String name) {
        List<String> values = headers.get(name);
        return values == null ? null : values.get(values.size() - 1);
    }

    /** Every value of a header, in the order set. */
    public synchronized List<String> headers(String name) {
        return List.copyOf(headers.getOrDefault(name, List.of()));
    }

    @Override public void setContentType(String contentType) { setHeader("Content-Type", contentType); }
    @Override public OutputStream body() { return stream; }
    @Override public boolean isCommitted() { return committed; }

    @Override
    public synchronized void sendError(int status, String message) {
        if (committed) {
            throw new IllegalStateException("response already committed: cannot send error " + status);
        }
        this.status = status;
        this.errorMessage = message;
        headers.remove("Content-Length");
        setContentType("text/plain; charset=UTF-8");
        body.reset();
        sent = 0;
        body.writeBytes((status + "\n" + (message == null ? "" : message + "\n")).getBytes(StandardCharsets.UTF_8));
    }

    /** The message given to {@link #sendError}, or {@code null}. */
    public String errorMessage() {
        return errorMessage;
    }

    /** The body as UTF-8 text. */
    public synchronized String text() {
        return body.toString(StandardCharsets.UTF_8);
    }
}
