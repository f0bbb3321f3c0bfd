package io.fastpool.servlet.internal;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * The request body as a {@link ServletInputStream}: blocking reads of Fastpool's streamed body.
 * Bytes the adapter had to read itself (a form body it then refused) are put back in front with
 * {@link #unread}, so the servlet still reads the body as the client sent it.
 */
final class RequestInput extends ServletInputStream {

    private InputStream in;
    private boolean finished;

    RequestInput(InputStream body) {
        this.in = body;
    }

    /** Puts {@code bytes}, read from the front of this stream, back in front of what is left. */
    void unread(byte[] bytes) {
        in = new SequenceInputStream(new ByteArrayInputStream(bytes), in);
        finished = false;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        finished = b < 0;
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int count = in.read(buffer, offset, length);
        finished = count < 0;
        return count;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public boolean isFinished() {
        return finished;
    }

    /** Always ready: reads block, as a request without {@code startAsync} may. */
    @Override
    public boolean isReady() {
        return true;
    }

    /** Non-blocking reads need async requests, which the adapter does not offer yet (docs/servlet.md). */
    @Override
    public void setReadListener(ReadListener listener) {
        throw new IllegalStateException("non-blocking reads need an async request; Fastpool's servlet adapter has no async support yet");
    }
}
