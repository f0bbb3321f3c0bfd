package io.fastpool.servlet.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.Charset;

/**
 * Encodes characters straight into the response's buffer. Unlike an {@code OutputStreamWriter} it
 * keeps no bytes of its own, so the response's buffer size, commit and {@code resetBuffer()} see
 * everything written; only a high surrogate waits for its low half.
 */
final class ResponseWriter extends Writer {

    private final OutputStream out;
    private final Charset charset;
    private char pendingHighSurrogate;

    ResponseWriter(OutputStream out, Charset charset) {
        this.out = out;
        this.charset = charset;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        encode(new String(chars, offset, length));
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        encode(text.substring(offset, offset + length));
    }

    private void encode(String text) throws IOException {
        if (text.isEmpty()) {
            return;
        }
        if (pendingHighSurrogate != 0) {
            text = pendingHighSurrogate + text;
            pendingHighSurrogate = 0;
        }
        char last = text.charAt(text.length() - 1);
        if (Character.isHighSurrogate(last)) {
            pendingHighSurrogate = last;
            text = text.substring(0, text.length() - 1);
        }
        out.write(text.getBytes(charset));
    }

    /** Forgets a waiting high surrogate, as the buffer it belonged to was reset. */
    void reset() {
        pendingHighSurrogate = 0;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
