package io.fastpool.listener.internal;

import io.fastpool.api.Headers;
import io.fastpool.api.Request;
import io.fastpool.api.Session;
import io.fastpool.listener.internal.Params.Variable;
import java.io.InputStream;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Request} read from a FastCGI request's CGI variables. The path, host, port and method
 * are worked out once the PARAMS stream ends, for routing and for logs; everything else on first use.
 *
 * <p>The variables live as long as the request: once it has completed, its connection's next
 * request reuses their bytes ({@link Params#release}), and reading a header or a variable then
 * throws {@link IllegalStateException}. What was worked out at the start (the URI, path, query
 * string, method, host and port) and the attributes stay readable, so a log line or a request's
 * {@code toString} made later still says what it was.
 */
final class FcgiRequest implements Request {

    private static final String[] COMMON_METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"};

    private final Params params;
    /** The generation of {@link #params} this request reads ({@link Params#isLive}). */
    private final int generation;
    private final RequestBody body;
    private final String rawUri;
    private final String path;
    private final String queryString;
    private final String host;
    private final int serverPort;
    private final long contentLength;
    private final String method;
    private String contextPath = "";
    private Headers headers;
    private Map<String, Object> attributes;
    private Map<String, List<String>> queryParameters;

    /**
     * Reads what routing needs; throws {@link RequestPath.BadPathException} for a path that cannot
     * be served. {@code repeated} holds the connection's last URI and host, kept as they are when this
     * request repeats them.
     */
    FcgiRequest(Params params, RequestBody body, Repeated repeated) {
        this.params = params;
        this.generation = params.generation();
        this.body = body;
        this.method = methodOf(params);
        String uri = params.get(Variable.REQUEST_URI, repeated.uri);
        String query;
        String rawPath;
        if (uri != null && !uri.isEmpty()) {
            repeated.uri = uri;
            int mark = uri.indexOf('?');
            rawPath = mark < 0 ? uri : uri.substring(0, mark);
            query = mark < 0 ? "" : uri.substring(mark + 1);
            // An absolute-form target ("http://host/path") carries its path after the authority.
            if (rawPath.startsWith("http://") || rawPath.startsWith("https://")) {
                int slash = rawPath.indexOf('/', rawPath.indexOf("//") + 2);
                rawPath = slash < 0 ? "/" : rawPath.substring(slash);
            }
            this.rawUri = uri;
            this.path = RequestPath.decode(rawPath);
        } else {
            // No REQUEST_URI (Jetty's FastCGI client, some CGI gateways): DOCUMENT_URI, else SCRIPT_NAME
            // and PATH_INFO. CGI defines these as already decoded, so they are normalised, not decoded again.
            query = orEmpty(params.get(Variable.QUERY_STRING));
            String documentUri = params.get(Variable.DOCUMENT_URI);
            String decodedPath = documentUri != null && !documentUri.isEmpty() ? documentUri
                    : orEmpty(params.get(Variable.SCRIPT_NAME)) + orEmpty(params.get(Variable.PATH_INFO));
            this.path = RequestPath.normaliseDecoded(decodedPath.isEmpty() ? "/" : decodedPath);
            this.rawUri = decodedPath + (query.isEmpty() ? "" : "?" + query);
        }
        String queryVariable = params.get(Variable.QUERY_STRING, query);
        this.queryString = queryVariable != null ? queryVariable : query;
        String hostHeader = params.get(Variable.HTTP_HOST, repeated.host);
        if (hostHeader != null && !hostHeader.isEmpty()) {
            repeated.host = hostHeader;
        }
        this.host = hostOf(hostHeader, hostHeader == null || hostHeader.isEmpty() ? params.get(Variable.SERVER_NAME) : null);
        long port = params.number(Variable.SERVER_PORT, 5);
        this.serverPort = port > 0 && port <= 65535 ? (int) port : 0;
        this.contentLength = params.number(Variable.CONTENT_LENGTH, 18);
    }

    /**
     * Event loop: the URI and Host header of a connection's last request. A web server's requests on
     * one connection mostly repeat them, and then the next request takes the same Strings rather
     * than new ones.
     */
    static final class Repeated {
        private String uri;
        private String host;
    }

    /** The routing key's host part: lower-case, without port. */
    String routingHost() {
        return host;
    }

    void setContextPath(String contextPath) {
        this.contextPath = contextPath;
    }

    /**
     * Read once at the start, as a common method's constant String where it is one: a servlet asks
     * for it on every request, twice or more ({@code HttpServlet.service}, {@code getParameter}'s form
     * check), and the request's description in logs needs it after the request has ended.
     */
    private static String methodOf(Params params) {
        for (String common : COMMON_METHODS) {
            if (params.is(Variable.REQUEST_METHOD, common)) {
                return common;
            }
        }
        String value = params.get(Variable.REQUEST_METHOD);
        return value == null || value.isEmpty() ? "GET" : value;
    }

    /**
     * {@code value}, read from the variables, if they were still this request's when it was read.
     *
     * @throws IllegalStateException if the request has ended and its variables have gone
     */
    String live(String value) {
        if (!params.isLive(generation)) {
            throw new IllegalStateException("the request has ended, and its headers and CGI variables with it: " + this
                    + " (read them before completing it)");
        }
        return value;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String uri() {
        return rawUri;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String contextPath() {
        return contextPath;
    }

    @Override
    public String pathInfo() {
        return path.substring(Math.min(contextPath.length(), path.length()));
    }

    @Override
    public String queryString() {
        return queryString;
    }

    @Override
    public String queryParameter(String name) {
        List<String> values = queryParameterMap().get(name);
        return values == null ? null : values.get(0);
    }

    @Override
    public List<String> queryParameters(String name) {
        return queryParameterMap().getOrDefault(name, List.of());
    }

    @Override
    public Map<String, List<String>> queryParameterMap() {
        if (queryParameters == null) {
            queryParameters = QueryString.parse(queryString);
        }
        return queryParameters;
    }

    /** Sessions belong to an app's pool, which wraps this request; the bare listener keeps none. */
    @Override
    public Session session(boolean create) {
        throw new UnsupportedOperationException("sessions are kept by the app's pool; this request was not dispatched through one");
    }

    @Override
    public Headers headers() {
        if (headers == null) {
            headers = new CgiHeaders(params, this);
        }
        return headers;
    }

    @Override
    public String header(String name) {
        return headers().get(name);
    }

    @Override
    public String contentType() {
        String type = live(params.get(Variable.CONTENT_TYPE));
        return type == null || type.isEmpty() ? null : type;
    }

    @Override
    public long contentLength() {
        return contentLength;
    }

    @Override
    public String variable(String name) {
        return live(params.get(name));
    }

    @Override
    public Set<String> variableNames() {
        Set<String> names = new LinkedHashSet<>();
        for (int at = params.first(); at >= 0; at = params.next(at)) {
            names.add(params.name(at));
        }
        live(null);
        return Collections.unmodifiableSet(names);
    }

    @Override
    public String remoteAddress() {
        return orEmpty(live(params.get("REMOTE_ADDR")));
    }

    @Override
    public int remotePort() {
        return parsePort(live(params.get("REMOTE_PORT")));
    }

    @Override
    public String serverAddress() {
        return orEmpty(live(params.get("SERVER_ADDR")));
    }

    @Override
    public int serverPort() {
        return serverPort;
    }

    @Override
    public String serverName() {
        return host;
    }

    @Override
    public String protocol() {
        String protocol = live(params.get("SERVER_PROTOCOL"));
        return protocol == null ? "HTTP/1.1" : protocol;
    }

    @Override
    public boolean isSecure() {
        String https = params.get("HTTPS");
        String scheme = params.get("REQUEST_SCHEME");
        live(null);
        return https != null && !https.isEmpty() && !https.equalsIgnoreCase("off") || "https".equalsIgnoreCase(scheme);
    }

    @Override
    public InputStream body() {
        return body;
    }

    @Override
    public Object attribute(String name) {
        return attributes == null ? null : attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (value == null) {
            if (attributes != null) {
                attributes.remove(name);
            }
            return;
        }
        if (attributes == null) {
            attributes = new HashMap<>(4);
        }
        attributes.put(name, value);
    }

    @Override
    public String toString() {
        return method() + " " + rawUri;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    static String hostOf(String hostHeader, String serverName) {
        String host = hostHeader != null && !hostHeader.isEmpty() ? hostHeader : serverName;
        if (host == null || host.isEmpty()) {
            return "";
        }
        int end = host.length();
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = host.lastIndexOf(':');
            if (colon >= 0 && host.indexOf(':') == colon) {
                end = colon;
            }
        }
        boolean upper = false;
        for (int i = 0; i < end && !upper; i++) {
            char c = host.charAt(i);
            upper = c >= 'A' && c <= 'Z';
        }
        if (!upper) {
            return end == host.length() ? host : host.substring(0, end); // the usual case: nothing to lower
        }
        StringBuilder lower = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            lower.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return lower.toString();
    }

    static int parsePort(String port) {
        if (port == null || port.isEmpty() || port.length() > 5) {
            return 0;
        }
        int value = 0;
        for (int i = 0; i < port.length(); i++) {
            char c = port.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 65535 ? value : 0;
    }
}
