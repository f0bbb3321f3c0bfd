package io.fastpool.servlet.internal;

import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.EventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The session listeners of one servlet context while its app runs: the whiteboard listeners
 * registered as {@link HttpSessionListener}, {@link HttpSessionAttributeListener} or
 * {@link HttpSessionIdListener}, added as they start (in ranking order) and removed as they stop.
 * Sessions tell them of what happens to them in a request: made, attributes added, replaced and
 * removed, id changed, and invalidated (destroyed, in the reverse order, before the attributes go).
 * A session the pool's store ends by itself (time-out, eviction) is told the same way, off any
 * request, while the app is active ({@link ServletSession#ended}).
 */
final class SessionListeners {

    /** For a session outside a whiteboard context (the adapter used alone): nobody listens, and nothing is added to it. */
    static final SessionListeners NONE = new SessionListeners();

    private final List<HttpSessionListener> lifecycle = new CopyOnWriteArrayList<>();
    private final List<HttpSessionAttributeListener> attributes = new CopyOnWriteArrayList<>();
    private final List<HttpSessionIdListener> ids = new CopyOnWriteArrayList<>();

    /** Adds {@code listener} for the kinds of event it is registered for. */
    void add(EventListener listener, WhiteboardListener registered) {
        if (registered.sessionEvents() && listener instanceof HttpSessionListener sessions) {
            lifecycle.add(sessions);
        }
        if (registered.sessionAttributeEvents() && listener instanceof HttpSessionAttributeListener attribute) {
            attributes.add(attribute);
        }
        if (registered.sessionIdEvents() && listener instanceof HttpSessionIdListener id) {
            ids.add(id);
        }
    }

    void remove(EventListener listener) {
        lifecycle.remove(listener);
        attributes.remove(listener);
        ids.remove(listener);
    }

    /** Whether anyone here hears of a session's end: its lifecycle or its attribute listeners. */
    boolean hearEnds() {
        return !lifecycle.isEmpty() || !attributes.isEmpty();
    }

    void created(HttpSession session) {
        if (!lifecycle.isEmpty()) {
            HttpSessionEvent event = new HttpSessionEvent(session);
            lifecycle.forEach(listener -> listener.sessionCreated(event));
        }
    }

    void destroyed(HttpSession session) {
        if (!lifecycle.isEmpty()) {
            HttpSessionEvent event = new HttpSessionEvent(session);
            List<HttpSessionListener> order = List.copyOf(lifecycle);
            for (int i = order.size() - 1; i >= 0; i--) {
                order.get(i).sessionDestroyed(event);
            }
        }
    }

    /** {@code old} null: added; else replaced, the event carrying the old value as the specification says. */
    void attributeSet(HttpSession session, String name, Object value, Object old) {
        for (HttpSessionAttributeListener listener : attributes) {
            if (old == null) {
                listener.attributeAdded(new HttpSessionBindingEvent(session, name, value));
            } else {
                listener.attributeReplaced(new HttpSessionBindingEvent(session, name, old));
            }
        }
    }

    void attributeRemoved(HttpSession session, String name, Object old) {
        for (HttpSessionAttributeListener listener : attributes) {
            listener.attributeRemoved(new HttpSessionBindingEvent(session, name, old));
        }
    }

    void idChanged(HttpSession session, String oldId) {
        if (!ids.isEmpty()) {
            HttpSessionEvent event = new HttpSessionEvent(session);
            ids.forEach(listener -> listener.sessionIdChanged(event, oldId));
        }
    }
}
