package io.fastpool.servlet.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLConnection;

/**
 * Serves a resource registration ({@link WhiteboardResource}): the part of the path its pattern
 * matched is replaced by the prefix, and the result is asked of the servlet context, that is of
 * the context's {@code ServletContextHelper.getResource}; its type comes from the helper's
 * {@code getMimeType}, else the whiteboard's table. A name without a resource is a 404. GET and
 * HEAD (HttpServlet answers the other methods 405).
 */
final class ResourceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final String prefix;

    ResourceServlet(String prefix) {
        this.prefix = prefix;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = nameOf(request);
        URL resource = getServletContext().getResource(name);
        if (resource == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        URLConnection connection = resource.openConnection();
        long length = connection.getContentLengthLong();
        String type = getServletContext().getMimeType(name);
        if (type != null) {
            response.setContentType(type);
        }
        if (length >= 0) {
            response.setContentLengthLong(length);
        }
        long modified = connection.getLastModified();
        if (modified > 0) {
            response.setDateHeader("Last-Modified", modified);
        }
        try (InputStream in = connection.getInputStream(); OutputStream out = response.getOutputStream()) {
            in.transferTo(out);
        }
    }

    /** The resource's name: for {@code /res/*}, the prefix and the path info; for an exact pattern, the prefix; else prefix and servlet path. */
    String nameOf(HttpServletRequest request) {
        MappingMatch match = request.getHttpServletMapping().getMappingMatch();
        String rest = switch (match) {
            case EXACT -> "";
            case PATH -> request.getPathInfo() == null ? "" : request.getPathInfo();
            default -> request.getServletPath();
        };
        return prefix.equals("/") ? (rest.isEmpty() ? "/" : rest) : prefix + rest;
    }
}
