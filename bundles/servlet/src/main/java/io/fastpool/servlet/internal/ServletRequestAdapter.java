package io.fastpool.servlet.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Session;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.MappingMatch;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.security.Principal;
import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Fastpool {@link Request} seen through {@link HttpServletRequest}. Header values, addresses and
 * the scheme come from the CGI variables the web server passed (through {@code Request} and
 * {@link RequestOrigin}); the context path, servlet path and path info from the {@link ServletRoute}
 * the router matched. Parameters ({@link RequestParameters}), multipart parts ({@link MultipartParts})
 * and cookies are parsed on first use.
 *
 * <p>Longer than most classes here because {@code HttpServletRequest} has some seventy methods;
 * each is a line or a few, and the work sits in the helpers named above. What most requests never
 * ask for is kept in a part made on first need ({@code Uncommon}), so the adapter made for every
 * request stays small; that part is this class's state, not a job of its own.
 *
 * <p>Sessions are the pool's ({@link ServletSession}); async is {@link ServletAsync}'s, for a request
 * whose servlet and filters all support it ({@code startAsync} throws otherwise). Not yet
 * (docs/servlet.md): login, and HTTP upgrade (FastCGI cannot carry it).
 */
public final class ServletRequestAdapter implements HttpServletRequest {

    private static final String NOT_YET = " is not supported by Fastpool's servlet adapter yet (issue 16; docs/servlet.md)";

    private final Request request;
    private final ServletRoute route;
    private final ServletContext context;
    /** Its limits, and the request ids. */
    private final ServletInvoker invoker;
    private final MultipartConfigElement multipart;
    private Map<String, Object> attributes = Collections.emptyMap();
    private Map<String, String[]> parameters;
    private ServletSession session;
    /** Made on first need; null while the request needs none of it. */
    private Uncommon uncommon;

    /** Which of the body's views the servlet took: the Servlet API allows one of stream and reader. */
    private enum BodyUse { NONE, STREAM, READER }

    /**
     * What a request needs only when the servlet asks for it: the body (its stream, reader and parts),
     * where the client went, cookies, the charset, a failed parse, async, its id. Kept apart so that
     * a request that asks for none of it, a GET answered from its path and parameters, makes a
     * smaller adapter (48 bytes rather than 96: the adapter is made for every request).
     */
    private static final class Uncommon {
        RequestOrigin origin;
        List<Cookie> cookies;
        /** The request's charset once known (from Content-Type, or set); {@code characterEncodingKnown} says whether it is. */
        String characterEncoding;
        boolean characterEncodingKnown;
        RuntimeException parameterFailure;
        RequestInput input;
        BufferedReader reader;
        BodyUse bodyUse = BodyUse.NONE;
        MultipartParts parts;
        RuntimeException partsFailure;
        /** Null when the servlet or one of its filters does not support async. */
        ServletAsync async;
        DispatcherType dispatcherType = DispatcherType.REQUEST;
        /** 0 until the servlet asks: an id is drawn only for a request that reports one. */
        long requestId;
    }

    /**
     * A request served by {@code invoker}, which gives its limits and, if the servlet asks, its id.
     *
     * @param context   the servlet context the route belongs to; {@code null} until the whiteboard supplies one
     * @param multipart the servlet's multipart configuration, {@code null} when it reads no {@code multipart/form-data}
     */
    ServletRequestAdapter(Request request, ServletRoute route, ServletContext context, ServletInvoker invoker,
            MultipartConfigElement multipart) {
        this.request = request;
        this.route = route;
        this.context = context;
        this.invoker = invoker;
        this.multipart = multipart;
    }

    /**
     * A request outside an invoker (a test's), under {@code limits}.
     *
     * @param requestId what {@link #getRequestId()} reports (in hexadecimal), unique among the server's current requests
     */
    public ServletRequestAdapter(Request request, ServletRoute route, ServletContext context, ServletLimits limits,
            MultipartConfigElement multipart, long requestId) {
        this(request, route, context, new ServletInvoker(limits, ErrorPageHandler.PLAIN, Clock.systemUTC()), multipart);
        uncommon().requestId = requestId;
    }

    private Uncommon uncommon() {
        if (uncommon == null) {
            uncommon = new Uncommon();
        }
        return uncommon;
    }

    private BodyUse bodyUse() {
        return uncommon == null ? BodyUse.NONE : uncommon.bodyUse;
    }

    /** The request's async support, null when the servlet or one of its filters does not support async. */
    ServletAsync asyncSupport() {
        return uncommon == null ? null : uncommon.async;
    }

    // ---- request line and paths

    @Override public String getMethod() { return request.method(); }
    @Override public String getProtocol() { return request.protocol(); }
    @Override public String getScheme() { return origin().scheme(); }
    @Override public String getRequestURI() { return origin().requestUri(); }
    @Override public StringBuffer getRequestURL() { return new StringBuffer(origin().root()).append(origin().requestUri()); }

    /** Made on first use: a servlet that never asks where the client went costs no Host header lookup. */
    private RequestOrigin origin() {
        Uncommon state = uncommon();
        if (state.origin == null) {
            state.origin = new RequestOrigin(request);
        }
        return state.origin;
    }

    @Override public String getContextPath() { return route.contextPath(); }
    @Override public String getServletPath() { return route.servletPath(); }
    @Override public String getPathInfo() { return route.pathInfo(); }
    /** No request maps to a file: Fastpool serves from bundles. */
    @Override public String getPathTranslated() { return null; }

    @Override
    public String getQueryString() {
        String query = request.queryString();
        return query.isEmpty() ? null : query;
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
        return new HttpServletMapping() {
            @Override public String getMatchValue() { return route.matchValue(); }
            @Override public String getPattern() { return route.pattern(); }
            @Override public String getServletName() { return ""; }
            @Override public MappingMatch getMappingMatch() { return route.match(); }
        };
    }

    // ---- headers

    @Override public String getHeader(String name) { return request.header(name); }
    @Override public Enumeration<String> getHeaders(String name) { return Collections.enumeration(request.headers().getAll(name)); }
    @Override public Enumeration<String> getHeaderNames() { return Collections.enumeration(request.headers().names()); }

    @Override
    public long getDateHeader(String name) {
        String value = request.header(name);
        return value == null ? -1 : HttpDates.parse(value);
    }

    @Override
    public int getIntHeader(String name) {
        String value = request.header(name);
        return value == null ? -1 : Integer.parseInt(value.trim());
    }

    @Override
    public String getContentType() {
        return request.contentType();
    }

    @Override
    public int getContentLength() {
        long length = getContentLengthLong();
        return length > Integer.MAX_VALUE ? -1 : (int) length;
    }

    /** {@code -1} without a Content-Length; {@link InvalidContentLengthException} for one that is not a number. */
    @Override
    public long getContentLengthLong() {
        String header = request.header("Content-Length");
        if (header == null) {
            return -1;
        }
        String digits = header.trim();
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidContentLengthException("Content-Length '" + header + "' is not a non-negative number");
        }
        return Long.parseLong(digits);
    }

    // ---- cookies and locales

    @Override
    public Cookie[] getCookies() {
        List<Cookie> cookies = cookies();
        return cookies.isEmpty() ? null : cookies.stream().map(c -> (Cookie) c.clone()).toArray(Cookie[]::new);
    }

    @Override
    public Locale getLocale() {
        List<Locale> locales = AcceptLanguage.locales(request.header("Accept-Language"));
        return locales.isEmpty() ? Locale.getDefault() : locales.get(0);
    }

    @Override
    public Enumeration<Locale> getLocales() {
        List<Locale> locales = AcceptLanguage.locales(request.header("Accept-Language"));
        return Collections.enumeration(locales.isEmpty() ? List.of(Locale.getDefault()) : locales);
    }

    // ---- body

    @Override
    public String getCharacterEncoding() {
        Uncommon state = uncommon();
        if (!state.characterEncodingKnown) {
            state.characterEncoding = ContentType.charsetOf(request.contentType());
            state.characterEncodingKnown = true;
        }
        return state.characterEncoding;
    }

    /** Takes effect for parameters and the reader not yet read; ignored once either was, as the API says. */
    @Override
    public void setCharacterEncoding(String encoding) throws UnsupportedEncodingException {
        if (bodyUse() == BodyUse.READER || parameters != null) {
            return;
        }
        charset(encoding);
        Uncommon state = uncommon();
        state.characterEncoding = encoding;
        state.characterEncodingKnown = true;
    }

    @Override
    public ServletInputStream getInputStream() {
        if (bodyUse() == BodyUse.READER) {
            throw new IllegalStateException("getReader() was called on this request: the body can be read one way only");
        }
        uncommon().bodyUse = BodyUse.STREAM;
        return input();
    }

    /** In the request's charset, else ISO-8859-1 as the Servlet API prescribes. */
    @Override
    public BufferedReader getReader() throws IOException {
        if (bodyUse() == BodyUse.STREAM) {
            throw new IllegalStateException("getInputStream() was called on this request: the body can be read one way only");
        }
        Uncommon state = uncommon();
        if (state.reader == null) {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : charset(encoding);
            state.reader = new BufferedReader(new InputStreamReader(input(), charset));
            state.bodyUse = BodyUse.READER;
        }
        return state.reader;
    }

    private static Charset charset(String name) throws UnsupportedEncodingException {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new UnsupportedEncodingException("unknown charset '" + name + "'");
        }
    }

    // ---- parameters

    @Override
    public String getParameter(String name) {
        String[] values = getParameterMap().get(name);
        return values == null ? null : values[0];
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(getParameterMap().keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        String[] values = getParameterMap().get(name);
        return values == null ? null : values.clone();
    }

    /**
     * Parsed once. A form body is parsed only for a POST of {@code application/x-www-form-urlencoded}
     * whose body the servlet has not started reading; the fields of a {@code multipart/form-data} body
     * only when the servlet has a multipart configuration. A failure is thrown again on every call.
     */
    @Override
    public Map<String, String[]> getParameterMap() {
        if (uncommon != null && uncommon.parameterFailure != null) {
            throw uncommon.parameterFailure;
        }
        if (parameters == null) {
            try {
                parameters = RequestParameters.parse(request.queryString(), formBody(), invoker.limits());
                if (multipart != null && isMultipart() && ((uncommon != null && uncommon.parts != null) || bodyUse() == BodyUse.NONE)) {
                    parameters = withFormFields(parameters);
                }
            } catch (BadRequestException | MultipartTooLargeException e) {
                uncommon().parameterFailure = e;
                throw e;
            }
        }
        return parameters;
    }

    private Map<String, String[]> withFormFields(Map<String, String[]> queryParameters) {
        try {
            return RequestParameters.withFields(queryParameters, multipartParts(), charsetOrUtf8());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the multipart body failed: " + e.getMessage(), e);
        }
    }

    private RequestParameters.FormBody formBody() {
        String type = request.contentType();
        if (!"POST".equals(request.method()) || bodyUse() != BodyUse.NONE || type == null
                || !ContentType.parse(type).is("application/x-www-form-urlencoded")) {
            return null;
        }
        return new RequestParameters.FormBody(input(), getContentLengthLong(), charsetOrUtf8());
    }

    /** The request's charset, else UTF-8: how form bodies are read. */
    private Charset charsetOrUtf8() {
        try {
            String encoding = getCharacterEncoding();
            return encoding == null ? StandardCharsets.UTF_8 : charset(encoding);
        } catch (UnsupportedEncodingException e) {
            throw new MalformedParameterException("form body: " + e.getMessage(), e);
        }
    }

    // ---- attributes

    @Override public Object getAttribute(String name) { return attributes.get(name); }
    @Override public Enumeration<String> getAttributeNames() { return Collections.enumeration(List.copyOf(attributes.keySet())); }

    @Override
    public void removeAttribute(String name) {
        if (!attributes.isEmpty()) {
            Object old = attributes.remove(name);
            if (old != null && context instanceof WhiteboardServletContext whiteboard) {
                whiteboard.requestAttributeRemoved(this, name, old);
            }
        }
    }

    /** The map is made on the first attribute: most requests never set one. */
    @Override
    public void setAttribute(String name, Object value) {
        if (value == null) {
            removeAttribute(name);
            return;
        }
        if (attributes.isEmpty()) {
            attributes = new LinkedHashMap<>(4);
        }
        Object old = attributes.put(name, value);
        if (context instanceof WhiteboardServletContext whiteboard) {
            whiteboard.requestAttributeSet(this, name, value, old);
        }
    }

    // ---- connection

    @Override public boolean isSecure() { return request.isSecure(); }
    @Override public String getServerName() { return origin().serverName(); }
    @Override public int getServerPort() { return origin().serverPort(); }
    @Override public String getRemoteAddr() { return request.remoteAddress(); }
    @Override public int getRemotePort() { return request.remotePort(); }
    @Override public String getLocalAddr() { return request.serverAddress(); }
    @Override public int getLocalPort() { return request.serverPort(); }

    @Override
    public String getRemoteHost() {
        String host = request.variable("REMOTE_HOST");
        return host == null || host.isEmpty() ? request.remoteAddress() : host;
    }

    @Override
    public String getLocalName() {
        String name = request.variable("SERVER_NAME");
        return name == null || name.isEmpty() ? request.serverAddress() : name;
    }

    @Override
    public String getRequestId() {
        Uncommon state = uncommon();
        if (state.requestId == 0) {
            state.requestId = invoker.nextRequestId();
        }
        return Long.toHexString(state.requestId);
    }
    /** FastCGI carries no HTTP/2 stream id through to the app. */
    @Override public String getProtocolRequestId() { return ""; }

    @Override
    public ServletConnection getServletConnection() {
        return new ServletConnection() {
            @Override public String getConnectionId() { return getRequestId(); }
            @Override public String getProtocol() { return request.protocol(); }
            @Override public String getProtocolConnectionId() { return ""; }
            @Override public boolean isSecure() { return request.isSecure(); }
        };
    }

    // ---- context and dispatch

    @Override public ServletContext getServletContext() { return context; }
    @Override public DispatcherType getDispatcherType() { return uncommon == null ? DispatcherType.REQUEST : uncommon.dispatcherType; }

    /** Relative paths resolve against this request's servlet path and path info; the context decides the rest. */
    @Override
    public RequestDispatcher getRequestDispatcher(String path) {
        if (context == null || path == null) {
            return null;
        }
        if (path.startsWith("/")) {
            return context.getRequestDispatcher(path);
        }
        String current = route.servletPath() + (route.pathInfo() == null ? "" : route.pathInfo());
        return context.getRequestDispatcher(current.substring(0, current.lastIndexOf('/') + 1) + path);
    }

    // ---- security: the web server authenticates; REMOTE_USER says whom

    @Override public String getAuthType() { return request.variable("AUTH_TYPE"); }

    @Override
    public String getRemoteUser() {
        String user = request.variable("REMOTE_USER");
        return user == null || user.isEmpty() ? null : user;
    }

    @Override
    public Principal getUserPrincipal() {
        String user = getRemoteUser();
        return user == null ? null : () -> user;
    }

    /** Roles come with the whiteboard's ServletContextHelper.handleSecurity, later. */
    @Override public boolean isUserInRole(String role) { return false; }

    @Override
    public boolean authenticate(HttpServletResponse response) throws ServletException {
        throw new ServletException("authenticate()" + NOT_YET);
    }

    @Override
    public void login(String username, String password) throws ServletException {
        throw new ServletException("login()" + NOT_YET);
    }

    @Override
    public void logout() throws ServletException {
        throw new ServletException("logout()" + NOT_YET);
    }

    // ---- sessions: the pool's (made only when asked for; the cookie is the pool's FPSESSION)

    /** The cookie the pool keeps its session id in (io.fastpool.pool's PooledRequest sets it). */
    static final String SESSION_COOKIE = "FPSESSION";

    @Override public HttpSession getSession(boolean create) {
        if (session != null && !session.invalidated()) {
            return session;
        }
        Session found = request.session(create);
        if (found == null) {
            return null;
        }
        boolean isNew = !found.id().equals(getRequestedSessionId());
        session = new ServletSession(found, context, isNew);
        if (isNew && create) { // made by the pool just now: the client did not name it
            session.listeners().created(session);
        }
        return session;
    }

    @Override public HttpSession getSession() { return getSession(true); }

    /** The pool moves the session to a new id and sets the new cookie; the {@code HttpSession} is the same object. */
    @Override public String changeSessionId() {
        if (getSession(false) == null) {
            throw new IllegalStateException("this request has no session");
        }
        String oldId = session.getId();
        String changed = request.changeSessionId();
        session.listeners().idChanged(session, oldId);
        return changed;
    }

    @Override public String getRequestedSessionId() {
        for (Cookie cookie : cookies()) {
            if (SESSION_COOKIE.equals(cookie.getName())) {
                return cookie.getValue();
            }
        }
        return null;
    }

    @Override public boolean isRequestedSessionIdValid() {
        String requested = getRequestedSessionId();
        HttpSession current = requested == null ? null : getSession(false);
        return current != null && requested.equals(current.getId());
    }

    @Override public boolean isRequestedSessionIdFromCookie() { return getRequestedSessionId() != null; }
    @Override public boolean isRequestedSessionIdFromURL() { return false; }

    // ---- multipart

    /**
     * Read once, under the servlet's multipart configuration. A request that is not
     * {@code multipart/form-data} is a {@link ServletException}; a servlet without multipart
     * configuration or a body over its limits an {@link IllegalStateException}, as the API says.
     */
    @Override
    public Collection<Part> getParts() throws IOException, ServletException {
        if (!isMultipart()) {
            throw new ServletException("not a multipart/form-data request (Content-Type: " + request.contentType() + ")");
        }
        if (multipart == null) {
            throw new IllegalStateException("this servlet has no multipart configuration"
                    + " (osgi.http.whiteboard.servlet.multipart.enabled=true): its requests' parts are not read");
        }
        return multipartParts().parts();
    }

    @Override
    public Part getPart(String name) throws IOException, ServletException {
        for (Part part : getParts()) {
            if (part.getName().equals(name)) {
                return part;
            }
        }
        return null;
    }

    private MultipartParts multipartParts() throws IOException {
        Uncommon state = uncommon();
        if (state.partsFailure != null) {
            throw state.partsFailure;
        }
        if (state.parts == null) {
            try {
                state.parts = MultipartParts.read(this, multipart, invoker.limits(), charsetOrUtf8());
            } catch (MultipartTooLargeException | MalformedMultipartException e) {
                state.partsFailure = e;
                throw e;
            }
        }
        return state.parts;
    }

    private boolean isMultipart() {
        String type = request.contentType();
        return type != null && ContentType.parse(type).is("multipart/form-data");
    }

    /** Deletes the files the request's parts were stored in; called when the request ends. */
    public void cleanUp() {
        if (uncommon != null && uncommon.parts != null) {
            uncommon.parts.delete();
        }
    }

    // ---- async (ServletAsync); upgrade: not possible

    /** Gives the request its async support: the servlet and every filter on its way support async. */
    void async(ServletAsync support) {
        Uncommon state = uncommon();
        state.async = support;
        if (state.input != null) {
            state.input.async(support);
        }
    }

    /** Made when the body is first read: most requests never read one. */
    private RequestInput input() {
        Uncommon state = uncommon();
        if (state.input == null) {
            state.input = new RequestInput(request.body());
            state.input.async(state.async);
        }
        return state.input;
    }

    private List<Cookie> cookies() {
        Uncommon state = uncommon();
        if (state.cookies == null) {
            state.cookies = Cookies.parse(request.headers().getAll("Cookie"));
        }
        return state.cookies;
    }

    /**
     * An async dispatch begins ({@code AsyncContext.dispatch}): the dispatcher type is ASYNC, and the
     * request's original path elements are kept in the attributes the specification names.
     */
    void dispatchedAsync() {
        if (getDispatcherType() != DispatcherType.ASYNC) {
            setAttribute(AsyncContext.ASYNC_REQUEST_URI, getRequestURI());
            setAttribute(AsyncContext.ASYNC_CONTEXT_PATH, getContextPath());
            setAttribute(AsyncContext.ASYNC_SERVLET_PATH, getServletPath());
            setAttribute(AsyncContext.ASYNC_PATH_INFO, getPathInfo());
            setAttribute(AsyncContext.ASYNC_QUERY_STRING, getQueryString());
            setAttribute(AsyncContext.ASYNC_MAPPING, getHttpServletMapping());
            uncommon().dispatcherType = DispatcherType.ASYNC;
        }
    }

    @Override public boolean isAsyncStarted() { return asyncSupport() != null && asyncSupport().isStarted(); }
    @Override public boolean isAsyncSupported() { return asyncSupport() != null; }

    @Override
    public AsyncContext startAsync() {
        return startAsync(this, responseForAsync());
    }

    @Override
    public AsyncContext startAsync(ServletRequest servletRequest, ServletResponse servletResponse) {
        ServletAsync async = asyncSupport();
        if (async == null) {
            throw new IllegalStateException("startAsync() is not supported here: the servlet, or a filter in its chain, is not registered with"
                    + " osgi.http.whiteboard.servlet.asyncSupported=true (filters: .filter.asyncSupported=true)");
        }
        return async.start(servletRequest, servletResponse);
    }

    private ServletResponse responseForAsync() {
        return asyncSupport() == null ? null : asyncSupport().originalResponse();
    }

    @Override
    public AsyncContext getAsyncContext() {
        ServletAsync async = asyncSupport();
        if (async == null || !async.wasStarted()) {
            throw new IllegalStateException("this request is not in async mode");
        }
        return async;
    }

    /** FastCGI carries requests, not connections: an upgraded protocol cannot pass through the web server. */
    @Override
    public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) throws ServletException {
        throw new ServletException("HTTP upgrade is not possible over FastCGI: the web server keeps the connection");
    }

    @Override
    public String toString() {
        return request.toString();
    }
}
