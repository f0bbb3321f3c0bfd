package io.fastpool.testkit;

import io.fastpool.api.Detached;
import io.fastpool.api.Headers;
import io.fastpool.api.Request;
import io.fastpool.api.Session;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A request as a pool hands it to an app mounted at its context path: enough of {@link Request} to
 * call an app's {@code handle()}, a pool or a status page directly in a unit test. Headers are
 * matched without regard to case, as HTTP does; CGI variables are only those given.
 */
public final class FakeRequest implements Request {

    private final String method;
    private final String uri;
    private final String contextPath;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, String> variables = new HashMap<>();
    private InputStream body = InputStream.nullInputStream();
    private String remoteAddress = "127.0.0.1";
    private boolean secure;
    private String serverName = "localhost";
    private int serverPort = 80;
    private Function<Boolean, Session> sessions;
    private Detached detached;
    private volatile boolean ended;

    /** {@code method uri} for an app mounted at {@code contextPath}. */
    public FakeRequest(String method, String uri, String contextPath) {
        this.method = method;
        this.uri = uri;
        this.contextPath = contextPath;
    }

    /** {@code method uri} for an app mounted at the first segment of the path ({@code /app} for {@code /app/x}). */
    public FakeRequest(String method, String uri) {
        this(method, uri, firstSegment(URI.create(uri).getPath()));
    }

    public FakeRequest header(String name, String value) {
        headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        return this;
    }

    /** A body with a matching {@code Content-Length}. */
    public FakeRequest body(byte[] bytes) {
        header("Content-Length", Integer.toString(bytes.length));
        return body(new ByteArrayInputStream(bytes));
    }

    public FakeRequest body(InputStream stream) {
        this.body = stream;
        return this;
    }

    /** A CGI variable the front sent, such as {@code HTTP_USER_AGENT}. */
    public FakeRequest variable(String name, String value) {
        variables.put(name, value);
        return this;
    }

    public FakeRequest remoteAddress(String address) {
        this.remoteAddress = address;
        return this;
    }

    /** Whether the front received the request over TLS ({@code HTTPS=on}). */
    public FakeRequest secure(boolean secure) {
        this.secure = secure;
        return this;
    }

    /** The host name the request was for, as the listener reads it from the Host header or SERVER_NAME; "localhost" unless set. */
    public FakeRequest serverName(String name) {
        this.serverName = name;
        return this;
    }

    /** The port the web server accepted the request on (SERVER_PORT); 80 unless set. */
    public FakeRequest serverPort(int port) {
        this.serverPort = port;
        return this;
    }

    /** What {@link #detach} returns; without one, as outside a pool, it throws. */
    public FakeRequest detachable(Detached detached) {
        this.detached = detached;
        return this;
    }

    @Override
    public Detached detach() {
        return detached == null ? Request.super.detach() : detached;
    }

    /** Where {@link #session} gets sessions from (a fake client's store); without one, as outside a pool, it throws. */
    public FakeRequest sessions(Function<Boolean, Session> sessions) {
        this.sessions = sessions;
        return this;
    }

    @Override public String method() { return method; }
    @Override public String uri() { return uri; }
    @Override
    public String path() {
        int mark = uri.indexOf('?');
        return URI.create(mark < 0 ? uri : uri.substring(0, mark)).getPath();
    }
    @Override public String contextPath() { return contextPath; }

    @Override
    public String pathInfo() {
        String path = path();
        return path.startsWith(contextPath) ? path.substring(contextPath.length()) : "";
    }

    @Override
    public String queryString() {
        // Split by hand rather than with URI, so that a test can send a query the URI class refuses (bad escapes).
        int mark = uri.indexOf('?');
        return mark < 0 ? "" : uri.substring(mark + 1);
    }

    @Override
    public String queryParameter(String name) {
        List<String> values = queryParameters(name);
        return values.isEmpty() ? null : values.get(0);
    }

    @Override
    public List<String> queryParameters(String name) {
        return queryParameterMap().getOrDefault(name, List.of());
    }

    @Override
    public Map<String, List<String>> queryParameterMap() {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (String pair : queryString().split("&")) {
            if (!pair.isEmpty()) {
                String[] nameAndValue = pair.split("=", 2);
                parameters.computeIfAbsent(decode(nameAndValue[0]), k -> new ArrayList<>())
                        .add(nameAndValue.length == 2 ? decode(nameAndValue[1]) : "");
            }
        }
        return parameters;
    }

    /**
     * Marks the request ended, as its exchange's {@code complete()} does: from now on its headers and
     * variables throw, as the FastCGI listener's do once the connection's next request has their bytes.
     */
    public void end() {
        ended = true;
    }

    private <T> T live(T value) {
        if (ended) {
            throw new IllegalStateException("the request has ended, and its headers and CGI variables with it: " + method + " " + uri);
        }
        return value;
    }

    @Override
    public Headers headers() {
        return new Headers() {
            @Override public String get(String name) {
                List<String> values = getAll(name);
                return values.isEmpty() ? null : values.get(values.size() - 1);
            }
            @Override public List<String> getAll(String name) { return live(headers.getOrDefault(name, List.of())); }
            @Override public boolean contains(String name) { return live(headers.containsKey(name)); }
            @Override public Set<String> names() { return live(headers.keySet()); }
        };
    }

    @Override public String header(String name) { return headers().get(name); }
    @Override public String contentType() { return header("Content-Type"); }

    @Override
    public long contentLength() {
        String length = header("Content-Length");
        return length == null ? -1 : Long.parseLong(length);
    }

    @Override public String variable(String name) { return live(variables.get(name)); }
    @Override public Set<String> variableNames() { return live(Set.copyOf(variables.keySet())); }
    @Override public String remoteAddress() { return live(remoteAddress); }
    @Override public int remotePort() { return live(50000); }
    @Override public String serverAddress() { return live("127.0.0.1"); }
    @Override public int serverPort() { return serverPort; }
    @Override public String serverName() { return serverName; }
    @Override public String protocol() { return live("HTTP/1.1"); }
    @Override public boolean isSecure() { return live(secure); }
    @Override public InputStream body() { return body; }
    @Override public Object attribute(String name) { return null; }
    @Override public void setAttribute(String name, Object value) { }

    @Override
    public Session session(boolean create) {
        if (sessions == null) {
            throw new UnsupportedOperationException("no sessions outside a pool");
        }
        return sessions.apply(create);
    }

    /** As a pool does: a new id for the request's session (a {@link FakeSession}). */
    @Override
    public String changeSessionId() {
        if (!(session(false) instanceof FakeSession session)) {
            throw new IllegalStateException("this request has no session");
        }
        return session.changeId();
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }

    private static String firstSegment(String path) {
        int second = path.indexOf('/', 1);
        return second < 0 ? path : path.substring(0, second);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
