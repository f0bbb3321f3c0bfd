package io.fastpool.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link AsyncListener}s of one async request ({@link ServletAsync}), each with the request and
 * response it was added with, and how an event reaches them: in the order they were added, a
 * listener that throws logged without keeping the event from the others. Its monitor guards the
 * list only; listeners are called without it.
 */
final class AsyncListeners {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    /** What the listeners hear. */
    enum Event { START_ASYNC, COMPLETE, TIMEOUT, ERROR }

    private record Registered(AsyncListener listener, ServletRequest request, ServletResponse response) {
    }

    private final Object request;
    private List<Registered> registered = new ArrayList<>(2);

    /** @param request what the logs name when a listener fails */
    AsyncListeners(Object request) {
        this.request = request;
    }

    synchronized void add(AsyncListener listener, ServletRequest asRequest, ServletResponse asResponse) {
        registered.add(new Registered(listener, asRequest, asResponse));
    }

    /** A new {@code startAsync}: the listeners so far hear {@code onStartAsync} and are dropped (they add themselves again). */
    void startAsync(AsyncContext context) {
        List<Registered> told;
        synchronized (this) {
            told = registered;
            registered = new ArrayList<>(2);
        }
        tell(told, context, Event.START_ASYNC, null);
    }

    /** Tells every listener of {@code event}; {@code failure} is the error's cause. */
    void tell(AsyncContext context, Event event, Throwable failure) {
        List<Registered> told;
        synchronized (this) {
            told = List.copyOf(registered);
        }
        tell(told, context, event, failure);
    }

    private void tell(List<Registered> told, AsyncContext context, Event event, Throwable failure) {
        for (Registered each : told) {
            AsyncEvent asyncEvent = new AsyncEvent(context, each.request, each.response, failure);
            try {
                switch (event) {
                    case START_ASYNC -> each.listener.onStartAsync(asyncEvent);
                    case COMPLETE -> each.listener.onComplete(asyncEvent);
                    case TIMEOUT -> each.listener.onTimeout(asyncEvent);
                    case ERROR -> each.listener.onError(asyncEvent);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "an async listener failed on " + event + " of " + request, e);
            }
        }
    }
}
