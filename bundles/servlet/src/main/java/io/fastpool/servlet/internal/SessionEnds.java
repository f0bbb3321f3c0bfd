package io.fastpool.servlet.internal;

import io.fastpool.api.Session;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EventListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an active app does with the sessions its pool's store ends by itself (time-out, eviction:
 * {@link io.fastpool.api.SessionEndListener}): the session and session attribute listeners of its
 * open contexts hear them ended ({@link ServletSession#ended}). The pool asks whether the app
 * {@linkplain #listening() listens} each time it looks a session up, so the answer is a count of
 * the started listeners that would hear, kept as they start and stop, not a search.
 */
final class SessionEnds {

    private final AtomicInteger listeners = new AtomicInteger();

    /** Whether a started listener would hear of a session's end. */
    boolean listening() {
        return listeners.get() > 0;
    }

    /** A whiteboard listener started. */
    void started(EventListener listener, WhiteboardListener registered) {
        if (hearsEnds(listener, registered)) {
            listeners.incrementAndGet();
        }
    }

    /** A whiteboard listener stopped. */
    void stopped(EventListener listener, WhiteboardListener registered) {
        if (hearsEnds(listener, registered)) {
            listeners.decrementAndGet();
        }
    }

    /** On the pool's lifecycle thread, with the app's class loader: each open context whose listeners hear of it is told. */
    void ended(Session session, Collection<ActiveContext> open) {
        List<WhiteboardServletContext> listening = new ArrayList<>();
        for (ActiveContext context : open) {
            if (context.servletContext() instanceof WhiteboardServletContext whiteboard && whiteboard.sessionListeners().hearEnds()) {
                listening.add(whiteboard);
            }
        }
        ServletSession.ended(session, listening);
    }

    private static boolean hearsEnds(EventListener listener, WhiteboardListener registered) {
        return registered.sessionEvents() && listener instanceof HttpSessionListener
                || registered.sessionAttributeEvents() && listener instanceof HttpSessionAttributeListener;
    }
}
