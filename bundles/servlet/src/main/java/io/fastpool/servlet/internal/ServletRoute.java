package io.fastpool.servlet.internal;

import jakarta.servlet.http.MappingMatch;

/**
 * Where a request landed: the parts of its path the Servlet API hands a servlet, as the caller
 * that matched the route split them (the whiteboard, from context paths and servlet patterns).
 * Fastpool picks an app's pool from the route before a pool thread runs the request, so the split
 * is made once, by the router, and the adapter only reports it.
 *
 * @param contextPath the servlet context's path, "" for the root context, else "/shop"
 * @param servletPath the part the servlet pattern matched, "" for a {@code /*} pattern
 * @param pathInfo    the rest after the servlet path, or {@code null} when nothing is left
 * @param match       how the pattern matched
 * @param pattern     the pattern that matched ({@code /cart/*}, {@code *.jsp}, {@code /})
 */
public record ServletRoute(String contextPath, String servletPath, String pathInfo, MappingMatch match, String pattern) {

    /** A request for {@code path} under {@code contextPath}, served by a {@code /*} servlet: all of it is path info. */
    public static ServletRoute everything(String contextPath, String path) {
        return new ServletRoute(contextPath, "", path.isEmpty() ? null : path, MappingMatch.PATH, "/*");
    }

    /**
     * The value the mapping matched, as {@link jakarta.servlet.http.HttpServletMapping#getMatchValue()}
     * defines it: for {@code /cart/*} and {@code /cart/item} it is {@code item}, for {@code *.jsp} and
     * {@code /a/b.jsp} it is {@code a/b}.
     */
    public String matchValue() {
        return switch (match) {
            case CONTEXT_ROOT, DEFAULT -> "";
            case EXACT -> servletPath.substring(1);
            case PATH -> pathInfo == null ? "" : pathInfo.substring(1);
            case EXTENSION -> servletPath.substring(1, servletPath.lastIndexOf('.'));
        };
    }
}
