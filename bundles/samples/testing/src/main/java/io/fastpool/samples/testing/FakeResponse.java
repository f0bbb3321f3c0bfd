package io.fastpool.samples.testing;

import io.fastpool.api.Response;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** Records what an app answers: status, headers (one value each) and body; flushing commits it. */
public final class FakeResponse implements Response {

    private int status = 200;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private boolean committed;
    private String errorMessage;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream() {
        @Override
        public void flush() {
            committed = true;
        }
    };

    @Override public void setStatus(int status) { this.status = status; }
    @Override public int status() { return status; }
    @Override public void setHeader(String name, String value) { headers.put(name, value); }
    @Override public void addHeader(String name, String value) { headers.put(name, value); }
    @Override public String header(String name) { return headers.get(name); }
    @Override public void setContentType(String contentType) { setHeader("Content-Type", contentType); }
    @Override public OutputStream body() { return body; }
    @Override public boolean isCommitted() { return committed; }

    @Override
    public void sendError(int status, String message) {
        if (committed) {
            throw new IllegalStateException("response already committed: cannot send error " + status);
        }
        this.status = status;
        this.errorMessage = message;
        headers.clear();
        body.reset();
    }

    /** The message given to {@link #sendError}, or {@code null}. */
    public String errorMessage() {
        return errorMessage;
    }

    public String text() {
        return body.toString(StandardCharsets.UTF_8);
    }
}
