package io.fastpool.bench.load;

import io.fastpool.fcgi.CgiParams;
import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The request a run sends, encoded once per request id so that sending one costs a buffer
 * duplicate and no encoding: BEGIN_REQUEST (RESPONDER), the PARAMS a stock nginx sends
 * ({@link CgiParams}), the empty PARAMS,
 * the body as STDIN records and the empty STDIN.
 *
 * <p>The encoded requests are read-only and shared by every connection and thread; each send takes
 * a {@link #retainedRequest retained duplicate}. A body is encoded once and shared by every id: a
 * request with a body is a composite of its id's record headers and slices of that body, cut into
 * records of {@link #STDIN_CHUNK} bytes (a multiple of 8, so only the last one is padded).
 */
final class RequestTemplate implements AutoCloseable {

    /** Content bytes per STDIN record: the largest multiple of 8 a record holds. */
    static final int STDIN_CHUNK = Fcgi.MAX_CONTENT_LENGTH & ~7;

    /** What the simulated web server calls itself, in SERVER_SOFTWARE and the default User-Agent. */
    static final String SOFTWARE = "fcgi-load";

    /** Content type of a POST body unless a Content-Type header says otherwise: one PHP does not parse. */
    static final String DEFAULT_BODY_TYPE = "application/octet-stream";

    private final ByteBuf[] requests;
    private final int requestBytes;

    private RequestTemplate(ByteBuf[] requests) {
        this.requests = requests;
        this.requestBytes = requests[1].readableBytes();
    }

    /**
     * The parameters of one request as a stock nginx sends them ({@link CgiParams}): the document
     * root and script file of the options, default headers User-Agent and Accept, and the
     * {@code --header}s, which replace a default of the same name.
     */
    static List<Map.Entry<String, String>> params(LoadOptions options) {
        boolean post = options.bodySize() > 0;
        CgiParams params = CgiParams.request(post ? "POST" : "GET", options.path())
                .set("DOCUMENT_ROOT", options.documentRoot())
                .set("SCRIPT_FILENAME", options.effectiveScriptFilename())
                .set("SERVER_SOFTWARE", SOFTWARE)
                .header("User-Agent", SOFTWARE)
                .header("Accept", "*/*");
        if (post) {
            params.header("Content-Type", DEFAULT_BODY_TYPE).header("Content-Length", Integer.toString(options.bodySize()));
        }
        for (Header header : options.headers()) {
            params.header(header.name(), header.value());
        }
        return params.list();
    }

    /**
     * Encodes the request of {@code options} for request ids 1 to {@code options.multiplex()}.
     *
     * @throws IllegalArgumentException if a parameter is not ISO-8859-1
     */
    static RequestTemplate encode(LoadOptions options, ByteBufAllocator alloc) {
        List<Map.Entry<String, String>> params = params(options);
        int ids = options.multiplex();
        ByteBuf[] requests = new ByteBuf[ids + 1];
        ByteBuf body = options.bodySize() > 0 ? body(alloc, options.bodySize()) : null;
        try {
            for (int id = 1; id <= ids; id++) {
                requests[id] = encodeOne(alloc, id, options.keepConnection(), params, body);
            }
        } catch (RuntimeException e) {
            for (ByteBuf request : requests) {
                if (request != null) {
                    request.release();
                }
            }
            throw e;
        } finally {
            if (body != null) {
                body.release();
            }
        }
        return new RequestTemplate(requests);
    }

    private static ByteBuf encodeOne(ByteBufAllocator alloc, int id, boolean keepConnection,
            List<Map.Entry<String, String>> params, ByteBuf body) {
        ByteBuf head = alloc.directBuffer(1024);
        List<ByteBuf> parts = new ArrayList<>();
        try {
            FcgiEncoder.writeBeginRequest(head, id, FcgiRole.RESPONDER, keepConnection);
            FcgiEncoder.writeParams(head, id, params);
            FcgiEncoder.writeStreamEnd(head, FcgiRecordType.PARAMS, id);
            if (body == null) {
                FcgiEncoder.writeStreamEnd(head, FcgiRecordType.STDIN, id);
                return head;
            }
            parts.add(head);
            ByteBuf recordHeader = head;
            int length = body.readableBytes();
            for (int offset = 0; offset < length; offset += STDIN_CHUNK) {
                int chunk = Math.min(STDIN_CHUNK, length - offset);
                FcgiEncoder.writeHeader(recordHeader, FcgiRecordType.STDIN.code(), id, chunk, Fcgi.paddingFor(chunk));
                parts.add(body.retainedSlice(offset, chunk));
                recordHeader = alloc.directBuffer(Fcgi.HEADER_LENGTH * 2);
                parts.add(recordHeader);
                recordHeader.writeZero(Fcgi.paddingFor(chunk));
            }
            FcgiEncoder.writeStreamEnd(recordHeader, FcgiRecordType.STDIN, id);
            ByteBuf request = Unpooled.wrappedBuffer(parts.size(), parts.toArray(new ByteBuf[0]));
            parts.clear();
            return request;
        } catch (RuntimeException e) {
            if (parts.isEmpty()) {
                head.release();
            }
            parts.forEach(ByteBuf::release);
            throw e;
        }
    }

    private static ByteBuf body(ByteBufAllocator alloc, int size) {
        ByteBuf body = alloc.directBuffer(size, size);
        for (int i = 0; i < size; i++) {
            body.writeByte('a' + i % 26);
        }
        return body;
    }

    /** A retained duplicate of the request with this id, to write and let the channel release. */
    ByteBuf retainedRequest(int requestId) {
        return requests[requestId].retainedDuplicate();
    }

    /** Bytes of one request on the wire. */
    int requestBytes() {
        return requestBytes;
    }

    /** Releases the encoded requests; duplicates still being written keep theirs alive. */
    @Override
    public void close() {
        for (ByteBuf request : requests) {
            if (request != null && request.refCnt() > 0) {
                request.release();
            }
        }
    }
}
