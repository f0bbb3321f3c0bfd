package io.fastpool.servlet.internal;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.MappingMatch;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A request as a forward, include or error dispatch shows it to its target (Servlet 6.0, 9.3 to
 * 9.5 and 10.9): its dispatcher type; for a forward the target's path elements (servlet path, path
 * info, mapping, request URI, query string) and the {@code jakarta.servlet.forward.*} attributes
 * holding the original ones; for an include the {@code jakarta.servlet.include.*} attributes
 * holding the target's, the path elements staying the original request's; for an error the
 * {@code jakarta.servlet.error.*} attributes. The dispatch path's query parameters come before the
 * request's own of the same name.
 *
 * <p>The dispatch's attributes sit in front of the request's; setting or removing one of those
 * names goes to the request.
 */
final class DispatchedRequest extends HttpServletRequestWrapper {

    private final DispatcherType type;
    /** The target's path elements for a forward, else {@code null} (the request's own). */
    private final ServletRoute route;
    private final String requestUri;
    private final String queryString;
    private final Map<String, Object> dispatchAttributes;
    private final String servletName;
    private Map<String, String[]> parameters;

    private DispatchedRequest(HttpServletRequest request, DispatcherType type, ServletRoute route, String requestUri,
            String queryString, Map<String, Object> dispatchAttributes, String servletName) {
        super(request);
        this.type = type;
        this.route = route;
        this.requestUri = requestUri;
        this.queryString = queryString;
        this.dispatchAttributes = dispatchAttributes;
        this.servletName = servletName;
    }

    /**
     * A forward to {@code route} (null: a named dispatcher, which keeps the path elements and sets
     * no forward attributes) at {@code requestUri} with {@code query} (null: none given).
     */
    static DispatchedRequest forward(HttpServletRequest request, ServletRoute route, String requestUri, String query, String servletName) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (route != null && request.getAttribute(RequestDispatcher.FORWARD_REQUEST_URI) == null) {
            attributes.put(RequestDispatcher.FORWARD_REQUEST_URI, request.getRequestURI());
            attributes.put(RequestDispatcher.FORWARD_CONTEXT_PATH, request.getContextPath());
            attributes.put(RequestDispatcher.FORWARD_SERVLET_PATH, request.getServletPath());
            putIfSet(attributes, RequestDispatcher.FORWARD_PATH_INFO, request.getPathInfo());
            putIfSet(attributes, RequestDispatcher.FORWARD_QUERY_STRING, request.getQueryString());
            attributes.put(RequestDispatcher.FORWARD_MAPPING, request.getHttpServletMapping());
        }
        String shownQuery = route != null && query != null ? query : request.getQueryString();
        return new DispatchedRequest(request, DispatcherType.FORWARD, route, route == null ? null : requestUri, shownQuery,
                attributes, servletName).withQuery(query);
    }

    /** An include of {@code route} (null: a named dispatcher, which sets no include attributes). */
    static DispatchedRequest include(HttpServletRequest request, ServletRoute route, String requestUri, String query, String servletName) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (route != null) {
            attributes.put(RequestDispatcher.INCLUDE_REQUEST_URI, requestUri);
            attributes.put(RequestDispatcher.INCLUDE_CONTEXT_PATH, route.contextPath());
            attributes.put(RequestDispatcher.INCLUDE_SERVLET_PATH, route.servletPath());
            putIfSet(attributes, RequestDispatcher.INCLUDE_PATH_INFO, route.pathInfo());
            putIfSet(attributes, RequestDispatcher.INCLUDE_QUERY_STRING, query);
            attributes.put(RequestDispatcher.INCLUDE_MAPPING, mapping(route, servletName));
        }
        return new DispatchedRequest(request, DispatcherType.INCLUDE, null, null, request.getQueryString(), attributes,
                null).withQuery(query);
    }

    /** An error dispatch: the request's path elements, and the {@code jakarta.servlet.error.*} attributes. */
    static DispatchedRequest error(HttpServletRequest request, int status, String message, Throwable exception, String failedServlet) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put(RequestDispatcher.ERROR_STATUS_CODE, status);
        attributes.put(RequestDispatcher.ERROR_MESSAGE, message != null ? message : exception != null && exception.getMessage() != null
                ? exception.getMessage() : "");
        if (exception != null) {
            attributes.put(RequestDispatcher.ERROR_EXCEPTION, exception);
            attributes.put(RequestDispatcher.ERROR_EXCEPTION_TYPE, exception.getClass());
        }
        attributes.put(RequestDispatcher.ERROR_REQUEST_URI, request.getRequestURI());
        putIfSet(attributes, RequestDispatcher.ERROR_SERVLET_NAME, failedServlet);
        return new DispatchedRequest(request, DispatcherType.ERROR, null, null, request.getQueryString(), attributes, null);
    }

    private static void putIfSet(Map<String, Object> attributes, String name, Object value) {
        if (value != null) {
            attributes.put(name, value);
        }
    }

    private DispatchedRequest withQuery(String query) {
        if (query != null && !query.isEmpty()) {
            Map<String, String[]> merged = new LinkedHashMap<>();
            RequestParameters.parse(query, null, ServletLimits.DEFAULTS).forEach(merged::put);
            super.getParameterMap().forEach((name, values) -> merged.merge(name, values, DispatchedRequest::concat));
            parameters = Collections.unmodifiableMap(merged);
        }
        return this;
    }

    private static String[] concat(String[] first, String[] then) {
        String[] both = Arrays.copyOf(first, first.length + then.length);
        System.arraycopy(then, 0, both, first.length, then.length);
        return both;
    }

    static HttpServletMapping mapping(ServletRoute route, String servletName) {
        return new HttpServletMapping() {
            @Override public String getMatchValue() { return route.matchValue(); }
            @Override public String getPattern() { return route.pattern(); }
            @Override public String getServletName() { return servletName == null ? "" : servletName; }
            @Override public MappingMatch getMappingMatch() { return route.match(); }
        };
    }

    @Override public DispatcherType getDispatcherType() { return type; }

    // ---- path elements: the target's for a forward

    @Override public String getServletPath() { return route != null ? route.servletPath() : super.getServletPath(); }
    @Override public String getPathInfo() { return route != null ? route.pathInfo() : super.getPathInfo(); }
    @Override public String getRequestURI() { return route != null ? requestUri : super.getRequestURI(); }
    @Override public String getQueryString() { return queryString; }

    @Override
    public StringBuffer getRequestURL() {
        if (route == null) {
            return super.getRequestURL();
        }
        StringBuffer original = super.getRequestURL();
        String uri = super.getRequestURI();
        return new StringBuffer(original.substring(0, original.length() - uri.length())).append(requestUri);
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
        return route != null ? mapping(route, servletName) : super.getHttpServletMapping();
    }

    /** A relative path resolves against this dispatch's path, so a forwarded servlet's relative links are its own. */
    @Override
    public RequestDispatcher getRequestDispatcher(String path) {
        if (path == null || path.startsWith("/") || route == null) {
            return super.getRequestDispatcher(path);
        }
        String current = getServletPath() + (getPathInfo() == null ? "" : getPathInfo());
        return getServletContext().getRequestDispatcher(current.substring(0, current.lastIndexOf('/') + 1) + path);
    }

    // ---- parameters: the dispatch path's first

    @Override
    public String getParameter(String name) {
        String[] values = getParameterMap().get(name);
        return values == null ? null : values[0];
    }

    @Override public Map<String, String[]> getParameterMap() { return parameters != null ? parameters : super.getParameterMap(); }
    @Override public Enumeration<String> getParameterNames() { return Collections.enumeration(getParameterMap().keySet()); }

    @Override
    public String[] getParameterValues(String name) {
        String[] values = getParameterMap().get(name);
        return values == null ? null : values.clone();
    }

    // ---- attributes: the dispatch's in front

    @Override
    public Object getAttribute(String name) {
        Object value = dispatchAttributes.get(name);
        return value != null ? value : super.getAttribute(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        Set<String> names = new LinkedHashSet<>(dispatchAttributes.keySet());
        names.addAll(Collections.list(super.getAttributeNames()));
        return Collections.enumeration(names);
    }

    @Override
    public void setAttribute(String name, Object value) {
        dispatchAttributes.remove(name);
        super.setAttribute(name, value);
    }

    @Override
    public void removeAttribute(String name) {
        dispatchAttributes.remove(name);
        super.removeAttribute(name);
    }
}
