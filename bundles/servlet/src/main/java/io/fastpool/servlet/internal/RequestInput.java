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
 *
 * <p>A {@link ReadListener} (an async request's) is called on a worker of the app's pool: it is
 * always ready, so its reads block until the bytes come (the web server usually sends a body whole,
 * having buffered it), and it hears {@code onDataAvailable} as long as it reads, then
 * {@code onAllDataRead}; what it throws goes to its {@code onError}.
 */
final class RequestInput extends ServletInputStream {

    private InputStream in;
    private boolean finished;
    private long bytesRead;
    /** Set once the request may start async; null when it cannot. */
    private ServletAsync async;
    private ReadListener listener;

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
        if (!finished) {
            bytesRead++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int count = in.read(buffer, offset, length);
        finished = count < 0;
        if (count > 0) {
            bytesRead += count;
        }
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

    /** Always ready: reads block, also a read listener's. */
    @Override
    public boolean isReady() {
        return true;
    }

    void async(ServletAsync support) {
        this.async = support;
    }

    @Override
    public void setReadListener(ReadListener readListener) {
        if (async == null) {
            throw new IllegalStateException("non-blocking reads need an async request (startAsync), and this servlet does not support async");
        }
        if (readListener == null) {
            throw new NullPointerException("setReadListener(null)");
        }
        if (listener != null) {
            throw new IllegalStateException("setReadListener was already called for this request");
        }
        async.runIo(() -> feed(readListener));
        listener = readListener;
    }

    /** On a pool worker: data is available as long as the listener reads some; then all of it was read. */
    private void feed(ReadListener readListener) {
        try {
            long before;
            do {
                before = bytesRead;
                readListener.onDataAvailable();
            } while (!finished && bytesRead > before);
            if (finished) {
                readListener.onAllDataRead();
            }
        } catch (IOException | RuntimeException e) {
            readListener.onError(e);
        }
    }
}
