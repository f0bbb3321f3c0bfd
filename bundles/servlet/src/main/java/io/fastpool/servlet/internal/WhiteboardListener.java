package io.fastpool.servlet.internal;

import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequestListener;
import java.util.List;
import java.util.Map;

/**
 * One listener service ({@code osgi.http.whiteboard.listener=true}) as its properties describe it:
 * its order among listeners, its context, and the events it takes, those of the listener interfaces
 * it is registered under ({@code objectClass}), as the whiteboard specifies; so far
 * {@code ServletContextListener} (when the app starts and stops) and {@code ServletRequestListener}
 * (around each request).
 *
 * @param serviceId      the service's {@code service.id}
 * @param ranking        the service's {@code service.ranking} (0 without one)
 * @param contextSelect  its context selection filter, or {@code null} for the default context
 * @param contextEvents  whether it is registered as a {@code ServletContextListener}
 * @param requestEvents  whether it is registered as a {@code ServletRequestListener}
 */
record WhiteboardListener(long serviceId, int ranking, String contextSelect, boolean contextEvents, boolean requestEvents) {

    static WhiteboardListener of(Map<String, Object> properties) {
        List<String> types = WhiteboardServlet.strings(properties.get("objectClass"));
        return new WhiteboardListener(WhiteboardServlet.serviceId(properties), WhiteboardServlet.ranking(properties),
                WhiteboardServlet.contextSelect(properties), types.contains(ServletContextListener.class.getName()),
                types.contains(ServletRequestListener.class.getName()));
    }

    /** Whether it is told before {@code other} (and, when the app stops, after it): higher ranking, then the older service. */
    boolean outranks(WhiteboardListener other) {
        return WhiteboardServlet.outranks(ranking, serviceId, other.ranking, other.serviceId);
    }
}
