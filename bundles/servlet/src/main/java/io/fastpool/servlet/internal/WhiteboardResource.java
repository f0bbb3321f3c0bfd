package io.fastpool.servlet.internal;

import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_RESOURCE_PATTERN;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_RESOURCE_PREFIX;

import java.util.List;
import java.util.Map;

/**
 * A resource registration ({@code osgi.http.whiteboard.resource.pattern} with {@code .resource.prefix})
 * on a service the whiteboard tracks: the paths it serves, described as a servlet's would be
 * (patterns, ranking, context selection), and the prefix that replaces the matched part to make
 * the resource's name for the context's {@code ServletContextHelper.getResource}.
 *
 * <p>Read from any service that carries them ({@link ResourceTracker}): a servlet service too, as
 * Apache Felix Web Console registers its {@code /res/*} on its servlet.
 *
 * @param servlet the registration as a servlet: patterns, ranking, context selection; named after the prefix
 * @param prefix  the resource name prefix, "/" or without a trailing slash
 */
record WhiteboardResource(WhiteboardServlet servlet, String prefix) {

    /** The resource registration among a service's properties, or {@code null} when it has none. */
    static WhiteboardResource of(Map<String, Object> properties) {
        List<String> patterns = WhiteboardServlet.strings(properties.get(HTTP_WHITEBOARD_RESOURCE_PATTERN));
        String prefix = WhiteboardServlet.text(properties, HTTP_WHITEBOARD_RESOURCE_PREFIX);
        if (patterns.isEmpty() || prefix == null) {
            return null;
        }
        String trimmed = prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        WhiteboardServlet servlet = new WhiteboardServlet(WhiteboardServlet.serviceId(properties), WhiteboardServlet.ranking(properties),
                "resource " + trimmed, patterns, List.of(), Map.of(), null, WhiteboardServlet.contextSelect(properties), false);
        return new WhiteboardResource(servlet, trimmed);
    }
}
