package io.fastpool.servlet.internal;

import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.MappingMatch;

/**
 * The request as an async dispatch to another path of the app ({@code AsyncContext.dispatch(path)})
 * shows it to the servlet that path maps to: the new path's request URI, servlet path, path info and
 * mapping; everything else, the original request's path elements among its attributes included, is
 * the request's own.
 */
final class AsyncDispatchRequest extends HttpServletRequestWrapper {

    private final ServletRoute route;
    private final String path;

    AsyncDispatchRequest(HttpServletRequest request, ServletRoute route, String path) {
        super(request);
        this.route = route;
        this.path = path;
    }

    @Override
    public String getRequestURI() {
        return route.contextPath() + path;
    }

    @Override
    public StringBuffer getRequestURL() {
        StringBuffer url = super.getRequestURL();
        url.setLength(url.length() - super.getRequestURI().length());
        return url.append(getRequestURI());
    }

    @Override
    public String getServletPath() {
        return route.servletPath();
    }

    @Override
    public String getPathInfo() {
        return route.pathInfo();
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
}
