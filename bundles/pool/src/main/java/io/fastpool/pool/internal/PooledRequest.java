package io.fastpool.pool.internal;

import io.fastpool.api.Detached;
import io.fastpool.api.Headers;
import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.Session;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The request as an app in a pool sees it: the protocol front's request, plus the app's sessions.
 * A session is looked up from the {@value #COOKIE} cookie only when the app asks, and created only
 * when it asks to create one; the response then carries the cookie (HttpOnly, and Secure when the
 * request came over HTTPS), and again with a new id when the app changes it. {@link #detach()} is the pool's ({@link DetachedRequest}).
 */
final class PooledRequest implements Request {

    static final String COOKIE = "FPSESSION";

    private final Request request;
    private final Response response;
    private final SessionStore sessions;
    private final Supplier<Detached> detacher;
    private Session session;

    PooledRequest(Request request, Response response, SessionStore sessions, Supplier<Detached> detacher) {
        this.request = request;
        this.response = response;
        this.sessions = sessions;
        this.detacher = detacher;
    }

    @Override
    public Detached detach() {
        return detacher.get();
    }

    @Override
    public Session session(boolean create) {
        if (session != null && !SessionStore.ended(session)) {
            return session;
        }
        boolean invalidatedHere = session != null;
        session = null;
        String id = invalidatedHere ? null : cookie(COOKIE); // after invalidate() (a logout), only a new session
        if (id != null) {
            session = sessions.find(id);
        }
        if (session == null && create) {
            session = sessions.create();
            setCookie(session.id());
        }
        return session;
    }

    /** A new id for the session, in the store and in a new cookie (which comes after, and so wins over, one this request set before). */
    @Override
    public String changeSessionId() {
        Session current = session(false);
        if (current == null) {
            throw new IllegalStateException("this request has no session");
        }
        String id = sessions.changeId(current);
        setCookie(id);
        return id;
    }

    private void setCookie(String id) {
        String path = request.contextPath().isEmpty() ? "/" : request.contextPath();
        response.addHeader("Set-Cookie", COOKIE + "=" + id + "; Path=" + path + "; HttpOnly; SameSite=Lax"
                + (request.isSecure() ? "; Secure" : ""));
    }

    /** The value of cookie {@code name} in the Cookie headers, or {@code null}. */
    String cookie(String name) {
        for (String header : request.headers().getAll("Cookie")) {
            int at = 0;
            while (at < header.length()) {
                int end = header.indexOf(';', at);
                if (end < 0) {
                    end = header.length();
                }
                int equals = header.indexOf('=', at);
                if (equals > 0 && equals < end && header.substring(at, equals).trim().equals(name)) {
                    return header.substring(equals + 1, end).trim();
                }
                at = end + 1;
            }
        }
        return null;
    }

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public String uri() {
        return request.uri();
    }

    @Override
    public String path() {
        return request.path();
    }

    @Override
    public String contextPath() {
        return request.contextPath();
    }

    @Override
    public String pathInfo() {
        return request.pathInfo();
    }

    @Override
    public String queryString() {
        return request.queryString();
    }

    @Override
    public String queryParameter(String name) {
        return request.queryParameter(name);
    }

    @Override
    public List<String> queryParameters(String name) {
        return request.queryParameters(name);
    }

    @Override
    public Map<String, List<String>> queryParameterMap() {
        return request.queryParameterMap();
    }

    @Override
    public Headers headers() {
        return request.headers();
    }

    @Override
    public String header(String name) {
        return request.header(name);
    }

    @Override
    public String contentType() {
        return request.contentType();
    }

    @Override
    public long contentLength() {
        return request.contentLength();
    }

    @Override
    public String variable(String name) {
        return request.variable(name);
    }

    @Override
    public Set<String> variableNames() {
        return request.variableNames();
    }

    @Override
    public String remoteAddress() {
        return request.remoteAddress();
    }

    @Override
    public int remotePort() {
        return request.remotePort();
    }

    @Override
    public String serverAddress() {
        return request.serverAddress();
    }

    @Override
    public int serverPort() {
        return request.serverPort();
    }

    @Override
    public String serverName() {
        return request.serverName();
    }

    @Override
    public String protocol() {
        return request.protocol();
    }

    @Override
    public boolean isSecure() {
        return request.isSecure();
    }

    @Override
    public InputStream body() {
        return request.body();
    }

    @Override
    public Object attribute(String name) {
        return request.attribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        request.setAttribute(name, value);
    }

    @Override
    public String toString() {
        return request.toString();
    }
}
