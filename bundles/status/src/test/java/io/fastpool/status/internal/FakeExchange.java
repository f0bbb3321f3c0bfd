package io.fastpool.status.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.spi.Exchange;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A request and its response as the listener would hand them over, recorded for assertions. */
final class FakeExchange implements Exchange {

    final String method;
    final String path;
    final String query;
    final String remoteAddress;
    final Map<String, String> requestHeaders = new LinkedHashMap<>();
    final FakeResponse response = new FakeResponse();
    final CountDownLatch completed = new CountDownLatch(1);
    volatile String completedOn;

    FakeExchange(String method, String path, String query, String remoteAddress) {
        this.method = method;
        this.path = path;
        this.query = query;
        this.remoteAddress = remoteAddress;
    }

    static FakeExchange get(String path, String query) {
        return new FakeExchange("GET", path, query, "127.0.0.1");
    }

    FakeExchange header(String name, String value) {
        requestHeaders.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    /**
     * The request: only what the status bundle reads. The mount is taken to be the first path
     * segment, as the listener would set it for {@code /fastpool-status}.
     */
    @Override
    public Request request() {
        int second = path.indexOf('/', 1);
        String contextPath = second < 0 ? path : path.substring(0, second);
        return (Request) Proxy.newProxyInstance(Request.class.getClassLoader(), new Class<?>[] {Request.class}, (proxy, m, args) -> {
            switch (m.getName()) {
                case "method": return method;
                case "path": return path;
                case "contextPath": return contextPath;
                case "pathInfo": return path.substring(contextPath.length());
                case "queryString": return query;
                case "remoteAddress": return remoteAddress;
                case "header": return requestHeaders.get(((String) args[0]).toLowerCase(Locale.ROOT));
                case "queryParameterMap": {
                    Map<String, List<String>> parameters = new LinkedHashMap<>();
                    if (!query.isEmpty()) {
                        for (String pair : query.split("&")) {
                            int equals = pair.indexOf('=');
                            parameters.computeIfAbsent(equals < 0 ? pair : pair.substring(0, equals), k -> new ArrayList<>())
                                    .add(equals < 0 ? "" : pair.substring(equals + 1));
                        }
                    }
                    return parameters;
                }
                case "toString": return method + " " + path;
                default: throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    @Override
    public Response response() {
        return response;
    }

    @Override
    public void complete() {
        completedOn = Thread.currentThread().getName();
        completed.countDown();
    }

    boolean awaitCompletion() throws InterruptedException {
        return completed.await(10, TimeUnit.SECONDS);
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public void onCancel(Runnable action) {
    }

    @Override
    public String describe() {
        return "test request " + method + " " + path;
    }

    /** A response that keeps what was written. */
    static final class FakeResponse implements Response {
        int status = 200;
        final Map<String, String> headers = new LinkedHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean committed;

        @Override
        public void setStatus(int status) {
            this.status = status;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public void setHeader(String name, String value) {
            headers.put(name.toLowerCase(Locale.ROOT), value);
        }

        @Override
        public void addHeader(String name, String value) {
            headers.merge(name.toLowerCase(Locale.ROOT), value, (a, b) -> a + ", " + b);
        }

        @Override
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public void setContentType(String contentType) {
            setHeader("Content-Type", contentType);
        }

        @Override
        public OutputStream body() {
            return body;
        }

        @Override
        public boolean isCommitted() {
            return committed;
        }

        @Override
        public void sendError(int status, String message) {
            this.status = status;
            setContentType("text/plain; charset=UTF-8");
            body.reset();
            body.writeBytes((status + "\n" + (message == null ? "" : message)).getBytes(StandardCharsets.UTF_8));
        }

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }
}
