package io.fastpool.servlet.internal;

import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.List;
import java.util.Map;

/**
 * One listener service ({@code osgi.http.whiteboard.listener=true}) as its properties describe it:
 * its order among listeners, its context, and the events it takes, those of the listener interfaces
 * it is registered under ({@code objectClass}), as the whiteboard specifies:
 * {@code ServletContextListener} (when the app starts and stops), {@code ServletRequestListener}
 * (around each request), the session listeners ({@link SessionListeners}), and the attribute
 * listeners of the context and of its requests ({@link AttributeListeners}).
 *
 * @param serviceId      the service's {@code service.id}
 * @param ranking        the service's {@code service.ranking} (0 without one)
 * @param contextSelect  its context selection filter, or {@code null} for the default context
 * @param contextEvents  whether it is registered as a {@code ServletContextListener}
 * @param requestEvents  whether it is registered as a {@code ServletRequestListener}
 * @param sessionEvents  whether it is registered as an {@code HttpSessionListener}
 * @param sessionAttributeEvents whether it is registered as an {@code HttpSessionAttributeListener}
 * @param sessionIdEvents whether it is registered as an {@code HttpSessionIdListener}
 * @param contextAttributeEvents whether it is registered as a {@code ServletContextAttributeListener}
 * @param requestAttributeEvents whether it is registered as a {@code ServletRequestAttributeListener}
 */
record WhiteboardListener(long serviceId, int ranking, String contextSelect, boolean contextEvents, boolean requestEvents,
        boolean sessionEvents, boolean sessionAttributeEvents, boolean sessionIdEvents, boolean contextAttributeEvents,
        boolean requestAttributeEvents) {

    static WhiteboardListener of(Map<String, Object> properties) {
        List<String> types = WhiteboardServlet.strings(properties.get("objectClass"));
        return new WhiteboardListener(WhiteboardServlet.serviceId(properties), WhiteboardServlet.ranking(properties),
                WhiteboardServlet.contextSelect(properties), types.contains(ServletContextListener.class.getName()),
                types.contains(ServletRequestListener.class.getName()), types.contains(HttpSessionListener.class.getName()),
                types.contains(HttpSessionAttributeListener.class.getName()), types.contains(HttpSessionIdListener.class.getName()),
                types.contains(ServletContextAttributeListener.class.getName()), types.contains(ServletRequestAttributeListener.class.getName()));
    }

    /** Whether it takes any session event. */
    boolean anySessionEvents() {
        return sessionEvents || sessionAttributeEvents || sessionIdEvents;
    }

    /** Whether it takes any event of a context's or request's attributes. */
    boolean anyAttributeEvents() {
        return contextAttributeEvents || requestAttributeEvents;
    }

    /** Whether it is told before {@code other} (and, when the app stops, after it): higher ranking, then the older service. */
    boolean outranks(WhiteboardListener other) {
        return WhiteboardServlet.outranks(ranking, serviceId, other.ranking, other.serviceId);
    }
}
