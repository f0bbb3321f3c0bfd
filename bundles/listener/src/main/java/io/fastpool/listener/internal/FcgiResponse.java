package io.fastpool.listener.internal;

import io.fastpool.api.RequestAbortedException;
import io.fastpool.api.Response;
import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A {@link Response} written as a CGI response in STDOUT records. The body is buffered up to the
 * configured size; the first time the buffer fills, or the handler flushes, the status and headers
 * go out ({@code Status:} unless it is 200, the headers, an empty line) and the response is committed. A
 * response that fits the buffer leaves in one write together with END_REQUEST.
 *
 * <p>Its monitor is the first lock of the connection's lock order ({@link OutboundQueue}): the
 * handler holds it while it writes, also while it waits for the connection to take more. The event
 * loop therefore never takes the monitor of a response a handler has: what it reads ({@link #status()},
 * {@link #isCommitted()}) is volatile; it writes only the responses it answers itself (400, 404, 431).
 */
final class FcgiResponse implements Response {

    private final FcgiExchange exchange;
    private final int bufferSize;
    private final Output output = new Output();
    /** Header names and values, alternating; made by the first header (most responses have one or two). */
    private String[] headers = NO_HEADERS;
    private int headerCount;
    private static final String[] NO_HEADERS = new String[0];
    /** Volatile, as {@link #committed}: the event loop reads them without this monitor, which a writer holds while it waits. */
    private volatile int status = 200;
    private volatile boolean committed;
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
    public int status() {
        return status;
    }

    @Override
    public synchronized void setHeader(String name, String value) {
        checkHeader(name, value);
        if (committed) {
            return;
        }
        removeHeaders(name, null);
        appendHeader(name, value);
    }

    @Override
    public synchronized void addHeader(String name, String value) {
        checkHeader(name, value);
        if (!committed) {
            appendHeader(name, value);
        }
    }

    private void appendHeader(String name, String value) {
        if (2 * headerCount == headers.length) {
            headers = Arrays.copyOf(headers, Math.max(4, headers.length * 2));
        }
        headers[2 * headerCount] = name;
        headers[2 * headerCount + 1] = value;
        headerCount++;
    }

    /** Removes every header named {@code name} or {@code other} (any case; {@code other} may be null). */
    private void removeHeaders(String name, String other) {
        int kept = 0;
        for (int i = 0; i < headerCount; i++) {
            String each = headers[2 * i];
            if (!each.equalsIgnoreCase(name) && (other == null || !each.equalsIgnoreCase(other))) {
                headers[2 * kept] = each;
                headers[2 * kept + 1] = headers[2 * i + 1];
                kept++;
            }
        }
        Arrays.fill(headers, 2 * kept, 2 * headerCount, null);
        headerCount = kept;
    }

    @Override
    public synchronized String header(String name) {
        for (int i = headerCount - 1; i >= 0; i--) {
            if (headers[2 * i].equalsIgnoreCase(name)) {
                return headers[2 * i + 1];
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
    public int bufferSize() {
        return bufferSize;
    }

    @Override
    public synchronized void resetBuffer() {
        if (committed) {
            throw new IllegalStateException("response already committed: its body cannot be reset");
        }
        if (content != null) {
            content.clear();
        }
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public synchronized void sendError(int status, String message) throws IOException {
        if (committed) {
            throw new IllegalStateException("response already committed: cannot send error " + status);
        }
        setStatus(status);
        removeHeaders("Content-Type", "Content-Length");
        appendHeader("Content-Type", "text/plain; charset=UTF-8");
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
            sendBuffered(true);
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
                    sendBuffered(false);
                }
            }
        }
    }

    /** Sends the header block if not sent yet, the buffered body, and if {@code last} the end of the response. */
    private void sendBuffered(boolean last) throws IOException {
        int bodyLength = content == null ? 0 : content.readableBytes();
        int wholeBodyLength = last ? bodyLength : -1;
        boolean lengthHeader = !committed && saysContentLength(wholeBodyLength);
        int headLength = committed ? 0 : headerLength(wholeBodyLength, lengthHeader);
        int stdoutLength = headLength + bodyLength;
        if (stdoutLength == 0 && !last) {
            return;
        }
        int records = (stdoutLength + Fcgi.MAX_CONTENT_LENGTH - 1) / Fcgi.MAX_CONTENT_LENGTH;
        ByteBuf out = exchange.alloc().buffer(stdoutLength + records * 16 + (last ? 24 : 0));
        int requestId = exchange.requestId();
        if (stdoutLength <= Fcgi.MAX_CONTENT_LENGTH) {
            if (stdoutLength > 0) {
                // The usual case: one STDOUT record, the header block written straight into it.
                int padding = Fcgi.paddingFor(stdoutLength);
                FcgiEncoder.writeHeader(out, FcgiRecordType.STDOUT.code(), requestId, stdoutLength, padding);
                if (headLength > 0) {
                    writeHeaderBlock(out, wholeBodyLength, lengthHeader);
                }
                if (bodyLength > 0) {
                    out.writeBytes(content, bodyLength);
                }
                out.writeZero(padding);
            }
        } else {
            writeRecords(out, headLength, wholeBodyLength, lengthHeader);
        }
        if (last) {
            FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDOUT, requestId);
            FcgiEncoder.writeEndRequest(out, requestId, 0, FcgiProtocolStatus.REQUEST_COMPLETE);
            releaseContent();
        } else if (content != null) {
            content.clear();
        }
        committed = true;
        exchange.send(out, last);
    }

    /** A stream longer than one record (a large header block or buffer): the codec cuts it into records. */
    private void writeRecords(ByteBuf out, int headLength, int wholeBodyLength, boolean lengthHeader) {
        ByteBuf stream = headLength == 0 ? content.retain() : exchange.alloc().heapBuffer(headLength);
        try {
            if (headLength > 0) {
                writeHeaderBlock(stream, wholeBodyLength, lengthHeader);
                if (content != null && content.isReadable()) {
                    stream = Unpooled.wrappedBuffer(stream, content.retain());
                }
            }
            FcgiEncoder.writeStream(out, FcgiRecordType.STDOUT, exchange.requestId(), stream);
        } finally {
            stream.release();
        }
    }

    /**
     * Whether the header block says {@code Content-Length} for us. {@code wholeBodyLength} is the
     * body's length when the whole response is in hand (it ends before anything was sent), else -1:
     * then, like a servlet container, it does unless the app did, so the web server need not chunk
     * the response.
     */
    private boolean saysContentLength(int wholeBodyLength) {
        if (wholeBodyLength < 0 || status < 200 || status == 204 || status == 304
                || (exchange.request() != null && "HEAD".equals(exchange.request().method()))) {
            return false;
        }
        for (int i = 0; i < headerCount; i++) {
            if (headers[2 * i].equalsIgnoreCase("Content-Length") || headers[2 * i].equalsIgnoreCase("Transfer-Encoding")) {
                return false;
            }
        }
        return true;
    }

    private static final int STATUS_PREFIX = "Status: ".length();
    private static final int CONTENT_LENGTH_PREFIX = "Content-Length: ".length();

    /**
     * Whether the header block names the status. CGI's default status is 200, so a 200 with any other
     * header needs no {@code Status:} line (Caddy passed one on to the browser as a header; nginx,
     * Apache, HAProxy and lighttpd take its absence as 200). A block must hold at least one header, so
     * a 200 with nothing else still says it.
     */
    private boolean statusLine(boolean lengthHeader) {
        return status != 200 || (headerCount == 0 && !lengthHeader);
    }

    /** The header block's length in bytes (every character is one ISO-8859-1 byte: checkHeader saw to it). */
    private int headerLength(int wholeBodyLength, boolean lengthHeader) {
        int length = statusLine(lengthHeader) ? STATUS_PREFIX + 3 + 1 + HttpStatus.reason(status).length() + 2 : 0;
        for (int i = 0; i < 2 * headerCount; i += 2) {
            length += headers[i].length() + 2 + headers[i + 1].length() + 2;
        }
        if (lengthHeader) {
            length += CONTENT_LENGTH_PREFIX + digits(wholeBodyLength) + 2;
        }
        return length + 2;
    }

    /** Writes the CGI header block as ISO-8859-1 bytes, without making a String of it. */
    private void writeHeaderBlock(ByteBuf out, int wholeBodyLength, boolean lengthHeader) {
        if (statusLine(lengthHeader)) {
            out.writeCharSequence("Status: ", StandardCharsets.ISO_8859_1);
            writeNumber(out, status);
            out.writeByte(' ');
            out.writeCharSequence(HttpStatus.reason(status), StandardCharsets.ISO_8859_1);
            out.writeShort(CRLF);
        }
        for (int i = 0; i < 2 * headerCount; i += 2) {
            out.writeCharSequence(headers[i], StandardCharsets.ISO_8859_1);
            out.writeByte(':').writeByte(' ');
            out.writeCharSequence(headers[i + 1], StandardCharsets.ISO_8859_1);
            out.writeShort(CRLF);
        }
        if (lengthHeader) {
            out.writeCharSequence("Content-Length: ", StandardCharsets.ISO_8859_1);
            writeNumber(out, wholeBodyLength);
            out.writeShort(CRLF);
        }
        out.writeShort(CRLF);
    }

    private static final int CRLF = ('\r' << 8) | '\n';

    private static int digits(int value) {
        int digits = 1;
        for (int rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        return digits;
    }

    private static void writeNumber(ByteBuf out, int value) {
        int divisor = 1;
        for (int rest = value / 10; rest > 0; rest /= 10) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            out.writeByte('0' + (value / divisor) % 10);
        }
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
                    sendBuffered(false);
                }
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
