package io.fastpool.pool.internal;

import io.fastpool.api.Headers;
import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.Session;
import io.fastpool.api.spi.Exchange;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** An exchange as a protocol front would hand it over, recording the answer. */
final class FakeExchange implements Exchange {

    final String uri;
    final Map<String, List<String>> headers = new LinkedHashMap<>();
    final boolean secure;
    final CountDownLatch completed = new CountDownLatch(1);
    final FakeResponse response = new FakeResponse();
    private final List<Runnable> cancelActions = new ArrayList<>();
    private volatile boolean cancelled;

    FakeExchange(String uri) {
        this(uri, false);
    }

    FakeExchange(String uri, boolean secure) {
        this.uri = uri;
        this.secure = secure;
    }

    FakeExchange header(String name, String value) {
        headers.computeIfAbsent(name.toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>()).add(value);
        return this;
    }

    boolean awaitCompletion() throws InterruptedException {
        return completed.await(5, TimeUnit.SECONDS);
    }

    void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            cancelled = true;
            actions = new ArrayList<>(cancelActions);
        }
        actions.forEach(Runnable::run);
    }

    @Override
    public Request request() {
        return new FakeRequest();
    }

    @Override
    public FakeResponse response() {
        return response;
    }

    /** When set, complete() waits for it: a response whose connection takes nothing more. */
    volatile CountDownLatch completeGate;
    /** Counted down when complete() is entered. */
    final CountDownLatch completing = new CountDownLatch(1);

    @Override
    public void complete() {
        completing.countDown();
        CountDownLatch gate = completeGate;
        if (gate != null) {
            try {
                gate.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        completed.countDown();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public synchronized void onCancel(Runnable action) {
        if (cancelled) {
            action.run();
        } else {
            cancelActions.add(action);
        }
    }

    @Override
    public String describe() {
        return "GET " + uri;
    }

    /** Records status, headers and body. */
    static final class FakeResponse implements Response {
        volatile int status = 200;
        final Map<String, List<String>> headers = new LinkedHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        volatile boolean committed;

        @Override
        public void setStatus(int status) {
            this.status = status;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public synchronized void setHeader(String name, String value) {
            headers.put(name, new ArrayList<>(List.of(value)));
        }

        @Override
        public synchronized void addHeader(String name, String value) {
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }

        @Override
        public synchronized String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(values.size() - 1);
        }

        @Override
        public void setContentType(String contentType) {
            setHeader("Content-Type", contentType);
        }

        @Override
        public OutputStream body() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    committed = true;
                    body.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    committed = true;
                    body.write(b, off, len);
                }
            };
        }

        @Override
        public boolean isCommitted() {
            return committed;
        }

        @Override
        public void sendError(int status, String message) {
            this.status = status;
            body.reset();
            body.writeBytes((status + (message == null ? "" : " " + message)).getBytes(StandardCharsets.UTF_8));
        }

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    private final class FakeRequest implements Request {
        @Override
        public String method() {
            return "GET";
        }

        @Override
        public String uri() {
            return uri;
        }

        @Override
        public String path() {
            int q = uri.indexOf('?');
            return q < 0 ? uri : uri.substring(0, q);
        }

        @Override
        public String contextPath() {
            return "/app";
        }

        @Override
        public String pathInfo() {
            return path().substring(Math.min(4, path().length()));
        }

        @Override
        public String queryString() {
            int q = uri.indexOf('?');
            return q < 0 ? "" : uri.substring(q + 1);
        }

        @Override
        public String queryParameter(String name) {
            return null;
        }

        @Override
        public List<String> queryParameters(String name) {
            return List.of();
        }

        @Override
        public Map<String, List<String>> queryParameterMap() {
            return Map.of();
        }

        @Override
        public Headers headers() {
            return new Headers() {
                @Override
                public String get(String name) {
                    List<String> values = getAll(name);
                    return values.isEmpty() ? null : values.get(values.size() - 1);
                }

                @Override
                public List<String> getAll(String name) {
                    return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
                }

                @Override
                public boolean contains(String name) {
                    return !getAll(name).isEmpty();
                }

                @Override
                public Set<String> names() {
                    return headers.keySet();
                }
            };
        }

        @Override
        public String header(String name) {
            return headers().get(name);
        }

        @Override
        public String contentType() {
            return null;
        }

        @Override
        public long contentLength() {
            return -1;
        }

        @Override
        public String variable(String name) {
            return name.equals("HTTP_USER_AGENT") ? "curl/8" : null;
        }

        @Override
        public Set<String> variableNames() {
            return Set.of();
        }

        @Override
        public String remoteAddress() {
            return "127.0.0.1";
        }

        @Override
        public int remotePort() {
            return 1;
        }

        @Override
        public String serverAddress() {
            return "127.0.0.1";
        }

        @Override
        public int serverPort() {
            return 80;
        }

        @Override
        public String serverName() {
            return "localhost";
        }

        @Override
        public String protocol() {
            return "HTTP/1.1";
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public InputStream body() {
            return InputStream.nullInputStream();
        }

        @Override
        public Object attribute(String name) {
            return null;
        }

        @Override
        public void setAttribute(String name, Object value) {
        }

        @Override
        public Session session(boolean create) {
            throw new UnsupportedOperationException();
        }
    }
}
