package io.fastpool.listener.internal;

import io.fastpool.api.RequestAbortedException;
import io.fastpool.api.Response;
import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordType;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Response} written as a CGI response in STDOUT records. The body is buffered up to the
 * configured size; the first time the buffer fills, or the handler flushes, the status and headers
 * go out ({@code Status: 200 OK}, the headers, an empty line) and the response is committed. A
 * response that fits the buffer leaves in one write together with END_REQUEST.
 */
final class FcgiResponse implements Response {

    private final FcgiExchange exchange;
    private final int bufferSize;
    private final Output output = new Output();
    private final List<String[]> headers = new ArrayList<>(8);
    private int status = 200;
    private boolean committed;
    private boolean finished;
    /** Body bytes not yet sent; allocated on first write. */
    private ByteBuf content;

    FcgiResponse(FcgiExchange exchange, int bufferSize) {
        this.exchange = exchange;
        this.bufferSize = bufferSize;
    }

    @Override
    public synchronized void setStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be between 100 and 999, was " + status);
        }
        if (!committed) {
            this.status = status;
        }
    }

    @Override
    public synchronized int status() {
        return status;
    }

    @Override
    public synchronized void setHeader(String name, String value) {
        checkHeader(name, value);
        if (committed) {
            return;
        }
        headers.removeIf(h -> h[0].equalsIgnoreCase(name));
        headers.add(new String[] {name, value});
    }

    @Override
    public synchronized void addHeader(String name, String value) {
        checkHeader(name, value);
        if (!committed) {
            headers.add(new String[] {name, value});
        }
    }

    @Override
    public synchronized String header(String name) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i)[0].equalsIgnoreCase(name)) {
                return headers.get(i)[1];
            }
        }
        return null;
    }

    @Override
    public void setContentType(String contentType) {
        setHeader("Content-Type", contentType);
    }

    @Override
    public OutputStream body() {
        return output;
    }

    @Override
    public synchronized boolean isCommitted() {
        return committed;
    }

    @Override
    public synchronized void sendError(int status, String message) throws IOException {
        if (committed) {
            throw new IllegalStateException("response already committed: cannot send error " + status);
        }
        setStatus(status);
        headers.removeIf(h -> h[0].equalsIgnoreCase("Content-Type") || h[0].equalsIgnoreCase("Content-Length"));
        headers.add(new String[] {"Content-Type", "text/plain; charset=UTF-8"});
        if (content != null) {
            content.clear();
        }
        String text = status + " " + HttpStatus.reason(status) + "\n" + (message == null || message.isEmpty() ? "" : message + "\n");
        output.write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends what is buffered with END_REQUEST; idempotent. Called when the handler is done. */
    synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            sendBuffered(true, true);
        } catch (IOException e) {
            // The request was aborted or the connection closed: nothing left to tell anyone.
            releaseContent();
        }
    }

    /** Drops the buffered body: the exchange ended without it (abort, connection closed). */
    synchronized void releaseContent() {
        if (content != null) {
            content.release();
            content = null;
        }
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
        synchronized (this) {
            if (finished) {
                throw new IOException("response already complete");
            }
            if (exchange.isCancelled()) {
                throw new RequestAbortedException("request aborted: " + exchange.describe());
            }
            while (length > 0) {
                if (content == null) {
                    content = exchange.alloc().buffer(Math.min(bufferSize, Math.max(256, length)), bufferSize);
                }
                int room = bufferSize - content.readableBytes();
                int chunk = Math.min(room, length);
                content.writeBytes(bytes, offset, chunk);
                offset += chunk;
                length -= chunk;
                if (content.readableBytes() >= bufferSize) {
                    // Flush: unflushed records would fill the outbound buffer, and a writer waiting for
                    // it to drain would wait forever.
                    sendBuffered(true, false);
                }
            }
        }
    }

    /** Sends the header block if not sent yet, the buffered body, and if {@code last} the end of the response. */
    private void sendBuffered(boolean flush, boolean last) throws IOException {
        int bodyLength = content == null ? 0 : content.readableBytes();
        byte[] head = committed ? null : headerBlock(last ? bodyLength : -1);
        int headLength = head == null ? 0 : head.length;
        int stdoutLength = headLength + bodyLength;
        if (stdoutLength == 0 && !last) {
            return;
        }
        int records = (stdoutLength + Fcgi.MAX_CONTENT_LENGTH - 1) / Fcgi.MAX_CONTENT_LENGTH;
        ByteBuf out = exchange.alloc().buffer(stdoutLength + records * 16 + (last ? 24 : 0));
        int requestId = exchange.requestId();
        int written = 0;
        while (written < stdoutLength) {
            int length = Math.min(Fcgi.MAX_CONTENT_LENGTH, stdoutLength - written);
            int padding = Fcgi.paddingFor(length);
            FcgiEncoder.writeHeader(out, FcgiRecordType.STDOUT.code(), requestId, length, padding);
            int end = written + length;
            if (written < headLength) {
                int fromHead = Math.min(headLength, end) - written;
                out.writeBytes(head, written, fromHead);
                written += fromHead;
            }
            if (written < end) {
                out.writeBytes(content, end - written);
                written = end;
            }
            out.writeZero(padding);
        }
        if (last) {
            FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDOUT, requestId);
            FcgiEncoder.writeEndRequest(out, requestId, 0, FcgiProtocolStatus.REQUEST_COMPLETE);
            releaseContent();
        } else if (content != null) {
            content.clear();
        }
        committed = true;
        exchange.send(out, flush || last, last);
    }

    /**
     * The CGI header block. {@code wholeBodyLength} is the body's length when the whole response is
     * in hand (it ends before anything was sent), else -1: then, like a servlet container, it says
     * {@code Content-Length} unless the app did, so the web server need not chunk the response.
     */
    private byte[] headerBlock(int wholeBodyLength) {
        StringBuilder block = new StringBuilder(64 + headers.size() * 32);
        block.append("Status: ").append(status).append(' ').append(HttpStatus.reason(status)).append("\r\n");
        boolean lengthKnown = false;
        for (String[] header : headers) {
            block.append(header[0]).append(": ").append(header[1]).append("\r\n");
            lengthKnown |= header[0].equalsIgnoreCase("Content-Length") || header[0].equalsIgnoreCase("Transfer-Encoding");
        }
        if (wholeBodyLength >= 0 && !lengthKnown && status >= 200 && status != 204 && status != 304
                && (exchange.request() == null || !"HEAD".equals(exchange.request().method()))) {
            block.append("Content-Length: ").append(wholeBodyLength).append("\r\n");
        }
        block.append("\r\n");
        return block.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void checkHeader(String name, String value) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("header name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F || c == ':') {
                throw new IllegalArgumentException("header name " + RequestPath.abbreviate(name) + " has character "
                        + (int) c + " at " + i + ", which is not allowed in a header name");
            }
        }
        if (value == null) {
            throw new IllegalArgumentException("header " + name + " has a null value");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xFF) {
                throw new IllegalArgumentException("header " + name + " value has character " + (int) c + " at " + i
                        + " (CR, LF, NUL and characters beyond ISO-8859-1 are refused: they would split or corrupt the response)");
            }
        }
    }

    /** The body stream the handler writes to. */
    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            FcgiResponse.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
            FcgiResponse.this.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            synchronized (FcgiResponse.this) {
                if (!finished) {
                    sendBuffered(true, false);
                }
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
