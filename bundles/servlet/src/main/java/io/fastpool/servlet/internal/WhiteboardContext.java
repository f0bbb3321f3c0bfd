package io.fastpool.servlet.internal;

import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_NAME;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_PATH;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_DEFAULT_CONTEXT_NAME;

import java.util.Map;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.servlet.context.ServletContextHelper;

/**
 * One servlet context of the whiteboard: a {@code ServletContextHelper} service with
 * {@code osgi.http.whiteboard.context.name} and {@code .context.path}, or the default context
 * ("default" at "/") that the whiteboard itself provides ({@link #BUILT_IN_DEFAULT}, with the lowest
 * ranking, so that a bundle's own "default" shadows it). Servlets, filters and listeners select
 * contexts with an LDAP filter over these properties ({@link #selectedBy}).
 *
 * @param name       the context's name
 * @param path       its path as registered: "/" or "/a/b", no trailing slash
 * @param serviceId  the helper service's id (0 for the built-in default: older than any service)
 * @param ranking    the helper service's ranking
 * @param helper     the helper service, or {@code null} for the built-in default
 * @param properties the helper service's properties, which selection filters see
 */
record WhiteboardContext(String name, String path, long serviceId, int ranking, ServiceReference<ServletContextHelper> helper,
        Map<String, Object> properties) {

    /** The default context the whiteboard provides, as the specification describes it. */
    static final WhiteboardContext BUILT_IN_DEFAULT = new WhiteboardContext(HTTP_WHITEBOARD_DEFAULT_CONTEXT_NAME, "/", 0,
            Integer.MIN_VALUE, null, Map.of(HTTP_WHITEBOARD_CONTEXT_NAME, HTTP_WHITEBOARD_DEFAULT_CONTEXT_NAME,
                    HTTP_WHITEBOARD_CONTEXT_PATH, "/", "service.ranking", Integer.MIN_VALUE));

    /** What services select when they name no context. */
    static final String DEFAULT_SELECT = "(" + HTTP_WHITEBOARD_CONTEXT_NAME + "=" + HTTP_WHITEBOARD_DEFAULT_CONTEXT_NAME + ")";

    /**
     * Reads a helper service's properties; a missing or malformed name or path is an
     * {@link IllegalArgumentException} that says which.
     */
    static WhiteboardContext of(ServiceReference<ServletContextHelper> helper, Map<String, Object> properties) {
        String name = properties.get(HTTP_WHITEBOARD_CONTEXT_NAME) instanceof String text ? text.trim() : "";
        if (name.isEmpty() || !name.matches("[\\w.-]+")) {
            throw new IllegalArgumentException(HTTP_WHITEBOARD_CONTEXT_NAME + " '" + properties.get(HTTP_WHITEBOARD_CONTEXT_NAME)
                    + "' is not a symbolic name (letters, digits, '_', '-' and '.')");
        }
        String path = properties.get(HTTP_WHITEBOARD_CONTEXT_PATH) instanceof String text ? text.trim() : "";
        if (!path.matches("/|(/[\\w.~!$&'()+,;=:@%-]+)+")) {
            throw new IllegalArgumentException(HTTP_WHITEBOARD_CONTEXT_PATH + " '" + properties.get(HTTP_WHITEBOARD_CONTEXT_PATH)
                    + "' of context " + name + " is not a path: '/' or segments each starting with '/', no trailing '/'");
        }
        return new WhiteboardContext(name, path, WhiteboardServlet.serviceId(properties), WhiteboardServlet.ranking(properties),
                helper, Map.copyOf(properties));
    }

    /** The context path requests report: "" for the root, else the path. */
    String contextPath() {
        return path.equals("/") ? "" : path;
    }

    /** Whether this is the default context the whiteboard provides (no helper service to get). */
    boolean isBuiltIn() {
        return helper == null;
    }

    /** Whether this context wins over {@code other} of the same name: higher ranking, then the older service. */
    boolean outranks(WhiteboardContext other) {
        return WhiteboardServlet.outranks(ranking, serviceId, other.ranking, other.serviceId);
    }

    /** Whether a service's {@code osgi.http.whiteboard.context.select} ({@code null}: the default context) selects this context. */
    boolean selectedBy(String select) {
        if (select == null) {
            return name.equals(HTTP_WHITEBOARD_DEFAULT_CONTEXT_NAME);
        }
        return filter(select).matches(properties);
    }

    /** {@code select} as a filter; a malformed one is an {@link IllegalArgumentException}. */
    static Filter filter(String select) {
        try {
            return FrameworkUtil.createFilter(select);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("osgi.http.whiteboard.context.select '" + select + "' is not an LDAP filter: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Where the request for {@code path} (decoded, from the root) falls inside this context: the
     * rest after the context path ("" for the context's own path), or {@code null} when it is not
     * under it.
     */
    String pathInside(String path) {
        String prefix = contextPath();
        if (prefix.isEmpty()) {
            return path;
        }
        if (path.equals(prefix)) {
            return "";
        }
        return path.startsWith(prefix) && path.charAt(prefix.length()) == '/' ? path.substring(prefix.length()) : null;
    }
}
