package io.fastpool.servlet.internal;

import io.fastpool.api.Session;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A session of the app's pool ({@link Session}: the app's own bounded store, made only when the app
 * asks) seen through {@link HttpSession}. Attribute values that are {@link HttpSessionBindingListener}s
 * hear when they are bound and unbound, including at {@link #invalidate}.
 *
 * <p>The time-out is the pool's {@code sessionTimeout}, one for every session of the app: a value
 * given to {@link #setMaxInactiveInterval} is kept for {@link #getMaxInactiveInterval} but does not
 * change when the store ends the session. The context's session listeners ({@link SessionListeners})
 * hear of what happens in requests, and of a session the store ends by itself (time-out, eviction:
 * {@link #ended}), while the app is active.
 */
final class ServletSession implements HttpSession {

    private final Session session;
    private final ServletContext context;
    private final boolean isNew;
    private final SessionListeners listeners;
    private Integer maxInactiveSeconds;
    private boolean invalidated;

    ServletSession(Session session, ServletContext context, boolean isNew) {
        this.session = session;
        this.context = context;
        this.isNew = isNew;
        this.listeners = context instanceof WhiteboardServletContext whiteboard ? whiteboard.sessionListeners() : SessionListeners.NONE;
    }

    /** The session listeners of its context. */
    SessionListeners listeners() {
        return listeners;
    }

    /** Whether {@link #invalidate} was called through this view. */
    boolean invalidated() {
        return invalidated;
    }

    @Override
    public long getCreationTime() {
        return valid().creationTime();
    }

    @Override
    public String getId() {
        return session.id();
    }

    @Override
    public long getLastAccessedTime() {
        return valid().lastAccessTime();
    }

    @Override
    public ServletContext getServletContext() {
        return context;
    }

    @Override
    public void setMaxInactiveInterval(int interval) {
        maxInactiveSeconds = interval;
    }

    @Override
    public int getMaxInactiveInterval() {
        if (maxInactiveSeconds != null) {
            return maxInactiveSeconds;
        }
        long millis = session.timeoutMillis();
        return millis <= 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, TimeUnit.MILLISECONDS.toSeconds(millis));
    }

    @Override
    public Object getAttribute(String name) {
        return valid().attribute(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        return Collections.enumeration(new ArrayList<>(valid().attributeNames()));
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (name == null) {
            throw new IllegalArgumentException("a session attribute needs a name");
        }
        if (value == null) {
            removeAttribute(name);
            return;
        }
        Object old = valid().attribute(name);
        if (value instanceof HttpSessionBindingListener listener) {
            listener.valueBound(new HttpSessionBindingEvent(this, name, value));
        }
        session.setAttribute(name, value);
        if (old != null && old != value && old instanceof HttpSessionBindingListener listener) {
            listener.valueUnbound(new HttpSessionBindingEvent(this, name, old));
        }
        listeners.attributeSet(this, name, value, old);
    }

    @Override
    public void removeAttribute(String name) {
        Object old = valid().attribute(name);
        session.setAttribute(name, null);
        if (old instanceof HttpSessionBindingListener listener) {
            listener.valueUnbound(new HttpSessionBindingEvent(this, name, old));
        }
        if (old != null) {
            listeners.attributeRemoved(this, name, old);
        }
    }

    @Override
    public void invalidate() {
        valid();
        listeners.destroyed(this);
        List<String> names = new ArrayList<>(session.attributeNames());
        List<Object> values = names.stream().map(session::attribute).toList();
        invalidated = true;
        session.invalidate();
        for (int i = 0; i < names.size(); i++) {
            if (values.get(i) instanceof HttpSessionBindingListener listener) {
                listener.valueUnbound(new HttpSessionBindingEvent(this, names.get(i), values.get(i)));
            }
            listeners.attributeRemoved(this, names.get(i), values.get(i));
        }
    }

    /**
     * {@code session} ended without a request (the pool's store timed it out or evicted it): the
     * session listeners of each of {@code contexts} hear it destroyed (in the reverse order) while its
     * attributes can still be read; then it is ended for good (a request still holding it finds it
     * gone), each attribute value that is a binding listener is unbound, once, and each context's
     * attribute listeners hear the attributes removed, as for {@link #invalidate}. The store keeps
     * one session for all the app's contexts, so every context that listens is told.
     */
    static void ended(Session session, List<WhiteboardServletContext> contexts) {
        List<ServletSession> views = contexts.stream().map(context -> new ServletSession(session, context, false)).toList();
        views.forEach(view -> view.listeners.destroyed(view));
        List<String> names = new ArrayList<>(session.attributeNames());
        List<Object> values = names.stream().map(session::attribute).toList();
        views.forEach(view -> view.invalidated = true);
        session.invalidate();
        if (views.isEmpty()) {
            return;
        }
        for (int i = 0; i < names.size(); i++) {
            if (values.get(i) instanceof HttpSessionBindingListener listener) {
                listener.valueUnbound(new HttpSessionBindingEvent(views.get(0), names.get(i), values.get(i)));
            }
            for (ServletSession view : views) {
                view.listeners.attributeRemoved(view, names.get(i), values.get(i));
            }
        }
    }

    @Override
    public boolean isNew() {
        valid();
        return isNew;
    }

    private Session valid() {
        if (invalidated) {
            throw new IllegalStateException("session " + session.id() + " was invalidated");
        }
        return session;
    }
}
