package io.fastpool.servlet.internal;

import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_ASYNC_SUPPORTED;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_ERROR_PAGE;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_INIT_PARAM_PREFIX;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_MULTIPART_ENABLED;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_MULTIPART_FILESIZETHRESHOLD;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_MULTIPART_LOCATION;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_MULTIPART_MAXFILESIZE;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_MULTIPART_MAXREQUESTSIZE;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN;

import jakarta.servlet.MultipartConfigElement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One servlet service as its whiteboard properties describe it, read from the service's properties
 * without getting the service: its patterns ({@code osgi.http.whiteboard.servlet.pattern}, a
 * String, array or collection), name ({@code .servlet.name}; without one, the servlet's class name
 * once it is got), the errors it is the page for ({@code .servlet.errorPage}: status codes, {@code 4xx},
 * {@code 5xx}, exception class names; a servlet may have only these), init parameters
 * ({@code servlet.init.*}, the specification's prefix, without {@code osgi.http.whiteboard.}),
 * multipart settings ({@code .servlet.multipart.*}), whether it supports async requests
 * ({@code .servlet.asyncSupported}), its order among servlets (service ranking, then the older
 * service), and the servlet contexts it selects ({@code osgi.http.whiteboard.context.select},
 * matched by {@link WhiteboardContext#selectedBy}).
 *
 * @param serviceId   the service's {@code service.id}
 * @param ranking     the service's {@code service.ranking} (0 without one)
 * @param name        the servlet's name, or {@code null} to take its class name
 * @param patterns    its patterns, as given
 * @param initParams  its init parameters, in no particular order
 * @param errorPages  the status codes, {@code 4xx}/{@code 5xx} and exception class names it is the error page for
 * @param multipart   where and how large its multipart bodies may be, or {@code null} when it takes none
 * @param contextSelect its context selection filter, or {@code null} for the default context
 * @param asyncSupported whether it may start async requests ({@code .servlet.asyncSupported=true})
 */
record WhiteboardServlet(long serviceId, int ranking, String name, List<String> patterns, List<String> errorPages,
        Map<String, String> initParams, MultipartConfigElement multipart, String contextSelect, boolean asyncSupported) {

    /**
     * Reads a servlet service's properties (its {@code ServiceReference}'s, as a map); a multipart
     * size that is not a number is an {@link IllegalArgumentException}.
     */
    static WhiteboardServlet of(Map<String, Object> properties) {
        return new WhiteboardServlet(serviceId(properties), ranking(properties), text(properties, HTTP_WHITEBOARD_SERVLET_NAME),
                strings(properties.get(HTTP_WHITEBOARD_SERVLET_PATTERN)), strings(properties.get(HTTP_WHITEBOARD_SERVLET_ERROR_PAGE)),
                initParams(properties, HTTP_WHITEBOARD_SERVLET_INIT_PARAM_PREFIX), multipart(properties), contextSelect(properties),
                flag(properties, HTTP_WHITEBOARD_SERVLET_ASYNC_SUPPORTED));
    }

    /** Whether it comes before {@code other} for a pattern both claim: higher ranking, then the older service. */
    boolean outranks(WhiteboardServlet other) {
        return outranks(ranking, serviceId, other.ranking, other.serviceId);
    }

    // ---- reading whiteboard properties, for filters too ------------------------------------------

    static boolean outranks(int ranking, long serviceId, int otherRanking, long otherServiceId) {
        return ranking != otherRanking ? ranking > otherRanking : serviceId < otherServiceId;
    }

    static long serviceId(Map<String, Object> properties) {
        return ((Number) properties.getOrDefault("service.id", 0L)).longValue();
    }

    static int ranking(Map<String, Object> properties) {
        return properties.get("service.ranking") instanceof Integer ranking ? ranking : 0;
    }

    /** A non-blank String property, or null. */
    static String text(Map<String, Object> properties, String key) {
        return properties.get(key) instanceof String text && !text.isBlank() ? text : null;
    }

    /** A boolean property, given as a Boolean or a String; false when absent. */
    static boolean flag(Map<String, Object> properties, String key) {
        Object value = properties.get(key);
        return value instanceof Boolean bool ? bool : value != null && Boolean.parseBoolean(value.toString().trim());
    }

    /** The context selection filter, checked; {@code null} for the default context. A malformed one is an {@link IllegalArgumentException}. */
    static String contextSelect(Map<String, Object> properties) {
        if (!(properties.get(HTTP_WHITEBOARD_CONTEXT_SELECT) instanceof String text) || text.isBlank()) {
            return null;
        }
        WhiteboardContext.filter(text.trim());
        return text.trim();
    }

    /** The properties starting with {@code prefix}, without it, as Strings. */
    static Map<String, String> initParams(Map<String, Object> properties, String prefix) {
        Map<String, String> initParams = new LinkedHashMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(prefix) && value != null) {
                initParams.put(key.substring(prefix.length()), String.valueOf(value));
            }
        });
        return Map.copyOf(initParams);
    }

    private static MultipartConfigElement multipart(Map<String, Object> properties) {
        if (!Boolean.parseBoolean(String.valueOf(properties.get(HTTP_WHITEBOARD_SERVLET_MULTIPART_ENABLED)))) {
            return null;
        }
        Object location = properties.get(HTTP_WHITEBOARD_SERVLET_MULTIPART_LOCATION);
        return new MultipartConfigElement(location == null ? "" : location.toString(),
                longOf(properties.get(HTTP_WHITEBOARD_SERVLET_MULTIPART_MAXFILESIZE), -1),
                longOf(properties.get(HTTP_WHITEBOARD_SERVLET_MULTIPART_MAXREQUESTSIZE), -1),
                (int) longOf(properties.get(HTTP_WHITEBOARD_SERVLET_MULTIPART_FILESIZETHRESHOLD), 0));
    }

    private static long longOf(Object value, long otherwise) {
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a multipart size must be a number of bytes, was '" + value + "'", e);
        }
    }

    /** A String, String[] or collection property as a list; empty when absent. */
    static List<String> strings(Object value) {
        List<String> values = new ArrayList<>();
        if (value instanceof String text) {
            values.add(text);
        } else if (value instanceof String[] array) {
            values.addAll(List.of(array));
        } else if (value instanceof Collection<?> collection) {
            collection.forEach(item -> values.add(String.valueOf(item)));
        }
        return List.copyOf(values);
    }
}
