package io.fastpool.listener.internal;

import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plays the web server in tests: writes FastCGI requests and hands them to a session record by record. */
final class WebServer {

    private final FcgiSession session;

    WebServer(FcgiSession session) {
        this.session = session;
    }

    /** The CGI variables nginx sends for a GET of {@code uri}, plus {@code extra}. */
    static Map<String, String> params(String method, String uri, String... extra) {
        Map<String, String> params = new LinkedHashMap<>();
        int query = uri.indexOf('?');
        params.put("QUERY_STRING", query < 0 ? "" : uri.substring(query + 1));
        params.put("REQUEST_METHOD", method);
        params.put("CONTENT_TYPE", "");
        params.put("CONTENT_LENGTH", "");
        params.put("SCRIPT_NAME", query < 0 ? uri : uri.substring(0, query));
        params.put("REQUEST_URI", uri);
        params.put("SERVER_PROTOCOL", "HTTP/1.1");
        params.put("REQUEST_SCHEME", "http");
        params.put("REMOTE_ADDR", "192.0.2.10");
        params.put("REMOTE_PORT", "51234");
        params.put("SERVER_ADDR", "127.0.0.1");
        params.put("SERVER_PORT", "80");
        params.put("SERVER_NAME", "localhost");
        params.put("HTTP_HOST", "localhost");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            params.put(extra[i], extra[i + 1]);
        }
        return params;
    }

    void begin(int id, boolean keep) {
        feed(out -> FcgiEncoder.writeBeginRequest(out, id, FcgiRole.RESPONDER, keep));
    }

    void params(int id, Map<String, String> params) {
        feed(out -> {
            FcgiEncoder.writeParams(out, id, new ArrayList<>(params.entrySet()));
            FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, id);
        });
    }

    void stdin(int id, String text) {
        feed(out -> FcgiEncoder.writeStream(out, FcgiRecordType.STDIN, id,
                Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8))));
    }

    void stdinEnd(int id) {
        feed(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDIN, id));
    }

    void abort(int id) {
        feed(out -> FcgiEncoder.writeAbortRequest(out, id));
    }

    /** A whole request: BEGIN, PARAMS, STDIN with {@code body}, the STDIN end. */
    void request(int id, boolean keep, Map<String, String> params, String body) {
        begin(id, keep);
        params(id, params);
        if (!body.isEmpty()) {
            stdin(id, body);
        }
        stdinEnd(id);
    }

    /** Hands whatever {@code writer} writes to the session, one whole record per call, as the transport does. */
    void feed(java.util.function.Consumer<ByteBuf> writer) {
        ByteBuf bytes = Unpooled.buffer();
        writer.accept(bytes);
        feedRaw(bytes);
    }

    void feedRaw(ByteBuf bytes) {
        try {
            List<ByteBuf> records = new ArrayList<>();
            while (bytes.readableBytes() >= Fcgi.HEADER_LENGTH) {
                records.add(bytes.readRetainedSlice(Fcgi.recordLength(bytes, bytes.readerIndex())));
            }
            for (ByteBuf record : records) {
                try {
                    session.onRecord(record);
                } finally {
                    record.release();
                }
            }
        } finally {
            bytes.release();
        }
    }
}
