package io.fastpool.servlet.internal;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextAttributeEvent;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestAttributeEvent;
import jakarta.servlet.ServletRequestAttributeListener;
import java.util.EventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The attribute listeners of one servlet context while its app runs: the whiteboard listeners
 * registered as {@link ServletContextAttributeListener} (the context's attributes added, replaced,
 * removed) or {@link ServletRequestAttributeListener} (the same for the attributes of each request
 * in the context), added as they start, in ranking order, and removed as they stop. A replaced
 * attribute's event carries the old value, as the specification says.
 *
 * <p>A request asks {@link #hearRequests()} before it makes an event: with no request attribute
 * listener, setting an attribute costs one read of an empty list.
 */
final class AttributeListeners {

    private final List<ServletContextAttributeListener> context = new CopyOnWriteArrayList<>();
    private final List<ServletRequestAttributeListener> requests = new CopyOnWriteArrayList<>();

    /** Adds {@code listener} for the kinds of event it is registered for. */
    void add(EventListener listener, WhiteboardListener registered) {
        if (registered.contextAttributeEvents() && listener instanceof ServletContextAttributeListener contextListener) {
            context.add(contextListener);
        }
        if (registered.requestAttributeEvents() && listener instanceof ServletRequestAttributeListener requestListener) {
            requests.add(requestListener);
        }
    }

    void remove(EventListener listener) {
        context.remove(listener);
        requests.remove(listener);
    }

    /** Whether a request attribute listener listens. */
    boolean hearRequests() {
        return !requests.isEmpty();
    }

    /** {@code old} null: added; else replaced. */
    void contextAttributeSet(ServletContext source, String name, Object value, Object old) {
        for (ServletContextAttributeListener listener : context) {
            if (old == null) {
                listener.attributeAdded(new ServletContextAttributeEvent(source, name, value));
            } else {
                listener.attributeReplaced(new ServletContextAttributeEvent(source, name, old));
            }
        }
    }

    void contextAttributeRemoved(ServletContext source, String name, Object old) {
        for (ServletContextAttributeListener listener : context) {
            listener.attributeRemoved(new ServletContextAttributeEvent(source, name, old));
        }
    }

    /** {@code old} null: added; else replaced. */
    void requestAttributeSet(ServletContext source, ServletRequest request, String name, Object value, Object old) {
        for (ServletRequestAttributeListener listener : requests) {
            if (old == null) {
                listener.attributeAdded(new ServletRequestAttributeEvent(source, request, name, value));
            } else {
                listener.attributeReplaced(new ServletRequestAttributeEvent(source, request, name, old));
            }
        }
    }

    void requestAttributeRemoved(ServletContext source, ServletRequest request, String name, Object old) {
        for (ServletRequestAttributeListener listener : requests) {
            listener.attributeRemoved(new ServletRequestAttributeEvent(source, request, name, old));
        }
    }
}
