package io.fastpool.samples.echo;

import io.fastpool.api.Mount;
import io.fastpool.api.Request;
import io.fastpool.api.RequestBodyException;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * Answers at /echo, in plain text, with what the request looked like once it reached the app: a
 * test can see what the web server and Fastpool made of what it sent. Shows the whole read side of
 * the API: the paths ({@code contextPath} is the mount, {@code pathInfo} the rest), query
 * parameters, headers, and a body read as a stream, so a body of any size takes no more memory
 * than the read buffer.
 *
 * <pre>
 * method: POST
 * path: /echo/a b
 * context path: /echo
 * path info: /a b
 * query string: x=1&amp;y=%C3%A9
 * query parameters:
 *   x: 1
 *   y: é
 * headers:
 *   Content-Length: 5
 *   Host: localhost
 * content length: 5
 * body length: 5
 * body sha-256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
 * </pre>
 *
 * <p>Headers are sorted by name, one line per value. A body that does not match its
 * {@code Content-Length} is answered 400; an aborted request is left to the pool (the client is gone).
 */
@Component(service = WebApp.class)
@Mount(path = "/echo")
public class Echo implements WebApp {

    private static final int READ_BUFFER_SIZE = 8192;

    @Override
    public void handle(Request request, Response response) throws IOException {
        // Read the whole body first: an error found in it must be answered before anything is written.
        BodySummary body;
        try {
            body = summarise(request.body());
        } catch (RequestBodyException e) {
            response.sendError(400, "The request body did not match its Content-Length: " + e.getMessage());
            return;
        }

        StringBuilder text = new StringBuilder();
        line(text, "method", request.method());
        line(text, "path", request.path());
        line(text, "context path", request.contextPath());
        line(text, "path info", request.pathInfo());
        line(text, "query string", request.queryString());
        text.append("query parameters:\n");
        for (Map.Entry<String, List<String>> parameter : request.queryParameterMap().entrySet()) {
            for (String value : parameter.getValue()) {
                text.append("  ").append(parameter.getKey()).append(": ").append(value).append('\n');
            }
        }
        text.append("headers:\n");
        List<String> names = new ArrayList<>(request.headers().names());
        names.sort(String.CASE_INSENSITIVE_ORDER);
        for (String name : names) {
            for (String value : request.headers().getAll(name)) {
                text.append("  ").append(name).append(": ").append(value).append('\n');
            }
        }
        line(text, "content length", Long.toString(request.contentLength()));
        line(text, "body length", Long.toString(body.length()));
        line(text, "body sha-256", body.sha256());

        response.setContentType("text/plain; charset=UTF-8");
        response.body().write(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void line(StringBuilder text, String label, String value) {
        text.append(label).append(": ").append(value).append('\n');
    }

    /** Reads the body to its end, counting and hashing as it goes. */
    private static BodySummary summarise(InputStream body) throws IOException {
        MessageDigest sha256 = newSha256();
        byte[] buffer = new byte[READ_BUFFER_SIZE];
        long length = 0;
        int read;
        while ((read = body.read(buffer)) != -1) {
            sha256.update(buffer, 0, read);
            length += read;
        }
        return new BodySummary(length, HexFormat.of().formatHex(sha256.digest()));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The body's length in bytes and its SHA-256 in lower-case hex. */
    private record BodySummary(long length, String sha256) {
    }
}
