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
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Serves a resource registration ({@link WhiteboardResource}): the part of the path its pattern
 * matched is replaced by the prefix, and the result is asked of the servlet context, that is of
 * the context's {@code ServletContextHelper.getResource} (for the default context, the registering
 * bundle's entries; for the Felix Web Console's, its own helper's); its type comes from the helper's
 * {@code getMimeType}, else the whiteboard's table. With {@code Content-Length} when the
 * resource knows it, and {@code Last-Modified}: the later of the resource's date and the time its
 * bundle was installed or updated (bnd's reproducible builds give every entry of every version the
 * same date, so a changed file after a hot swap must not look unchanged); 304 to an
 * {@code If-Modified-Since} not older than that.
 *
 * <p>Only files: a path with a {@code ..} segment, that names a folder (ends with
 * {@code /}, or the resource found does) or that has no resource is a 404, so nothing is listed
 * and nothing outside the prefix is reached. GET and HEAD (HttpServlet answers the other methods
 * 405).
 */
final class ResourceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final String prefix;
    private final LongSupplier bundleModified;

    /** {@code bundleModified}: when the registering bundle was last installed or updated ({@code Bundle.getLastModified}). */
    ResourceServlet(String prefix, LongSupplier bundleModified) {
        this.prefix = prefix;
        this.bundleModified = bundleModified;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        serve(request, response, true);
    }

    /** The headers a GET would have, without reading the resource's bytes. */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        serve(request, response, false);
    }

    private void serve(HttpServletRequest request, HttpServletResponse response, boolean withBody) throws IOException {
        String name = nameOf(request);
        URL resource = name == null || name.endsWith("/") ? null : getServletContext().getResource(name);
        if (resource == null || resource.getPath().endsWith("/")) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        URLConnection connection = resource.openConnection();
        long modified = Math.max(connection.getLastModified(), bundleModified.getAsLong()) / 1000 * 1000; // HTTP dates: whole seconds
        if (modified > 0 && notModifiedSince(request, modified)) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        String type = getServletContext().getMimeType(name);
        if (type != null) {
            response.setContentType(type);
        }
        if (modified > 0) {
            response.setDateHeader("Last-Modified", modified);
        }
        long length = connection.getContentLengthLong();
        if (length >= 0) {
            response.setContentLengthLong(length);
        }
        if (withBody) {
            try (InputStream in = connection.getInputStream(); OutputStream out = response.getOutputStream()) {
                in.transferTo(out);
            }
        }
    }

    private static boolean notModifiedSince(HttpServletRequest request, long modified) {
        try {
            long since = request.getDateHeader("If-Modified-Since");
            return since >= 0 && modified <= since;
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
    }

    /**
     * The resource's name: for {@code /res/*}, the prefix and the path info; for an exact pattern,
     * the prefix; else prefix and servlet path. {@code null} when the rest has a {@code ..} segment.
     */
    String nameOf(HttpServletRequest request) {
        MappingMatch match = request.getHttpServletMapping().getMappingMatch();
        String rest = switch (match) {
            case EXACT -> "";
            case PATH -> request.getPathInfo() == null ? "" : request.getPathInfo();
            default -> request.getServletPath();
        };
        if (List.of(rest.split("/")).contains("..")) {
            return null;
        }
        return prefix.equals("/") ? (rest.isEmpty() ? "/" : rest) : prefix + rest;
    }
}
