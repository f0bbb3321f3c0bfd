package io.fastpool.servlet.internal;

import io.fastpool.api.Detached;
import io.fastpool.api.Request;
import io.fastpool.api.RequestAbortedException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * The {@link AsyncContext} of one request whose servlet and filters all support async, over the
 * pool's {@link Detached} request: {@code startAsync} detaches the request, so the pool's worker is
 * free when the servlet returns, and the response is finished by {@link #complete()} from any
 * thread. One object per request, returned by every {@code startAsync} of it.
 *
 * <p>The Servlet specification's rules, as kept here:
 * <ul>
 *   <li>{@code complete()} or {@code dispatch()} called while a dispatch (the servlet's first call,
 *       or an async dispatch) still runs takes effect when it returns; a dispatch that returns
 *       without starting async again, and without either, completes the request.
 *   <li>{@code dispatch()} runs the request again on a worker of the app's pool
 *       ({@link Detached#run}), with {@link DispatcherType#ASYNC} and the filters registered for
 *       {@code ASYNC}; {@code dispatch(path)} only to a path of the same app ({@link Dispatcher}).
 *   <li>The time-out (30 s unless {@code setTimeout}; 0 is none) tells the listeners
 *       {@code onTimeout} on a pool worker; if none of them completed or dispatched, the response is a
 *       500 (when still uncommitted) and the request completes.
 *   <li>A client that goes away (ABORT_REQUEST, the connection closing) or a drain that gives up is
 *       told to the listeners' {@code onError} with a {@link RequestAbortedException}, then the
 *       request completes.
 *   <li>{@code start(Runnable)} runs on a worker of the app's pool, with the app's class loader.
 *   <li>Listeners hear {@code onComplete} when the response is whole, just before the pool sends its
 *       end (and may let the app go); listeners added before a
 *       new {@code startAsync} hear {@code onStartAsync} and must add themselves again.
 * </ul>
 *
 * <p>Its monitor guards the state; listeners, the servlet and the pool are called without it.
 * Somewhat over 400 lines: the state's rules (start, completion, dispatch, time-out, abort, each
 * possibly asked while a dispatch runs) are one state machine and read best together; the
 * listeners live apart ({@link AsyncListeners}).
 */
final class ServletAsync implements AsyncContext {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    /** Runs the request again for an async dispatch: the app's servlet for {@code path} (null: the same), with its ASYNC filters. */
    @FunctionalInterface
    interface Dispatcher {
        void dispatch(String path, ServletRequestAdapter request, ServletResponseAdapter response) throws IOException, ServletException;
    }

    private final Request request;
    private final ServletRequestAdapter servletRequest;
    private final ServletResponseAdapter servletResponse;
    private final Dispatcher dispatcher;
    private volatile Detached detached;
    private ServletRequest givenRequest;
    private ServletResponse givenResponse;
    private final AsyncListeners listeners;
    private long timeoutMillis = Detached.DEFAULT_TIMEOUT_MILLIS;
    /** A dispatch (the first call of the servlet, or an async dispatch) runs, or is about to. */
    private boolean dispatching = true;
    /** startAsync was called, and neither dispatch nor complete since. */
    private boolean started;
    private boolean completeAsked;
    private boolean completed;
    /** The path of a dispatch asked for while another ran: {@link #SAME_PATH} or a path; null: none. */
    private String pendingDispatch;
    /** The time-out came while a dispatch ran: it is handled when the dispatch returns. */
    private boolean timeoutPending;

    /** What a dispatch to the request's own path is queued as (a path given to {@code dispatch} starts with '/'). */
    private static final String SAME_PATH = "";

    ServletAsync(Request request, ServletRequestAdapter servletRequest, ServletResponseAdapter servletResponse, Dispatcher dispatcher) {
        this.request = request;
        this.servletRequest = servletRequest;
        this.servletResponse = servletResponse;
        this.dispatcher = dispatcher;
        this.listeners = new AsyncListeners(request);
    }

    // ---- what the request adapter and the invoker ask

    /** {@code startAsync}: detaches the request the first time; tells the listeners of a new cycle after that. */
    AsyncContext start(ServletRequest asRequest, ServletResponse asResponse) {
        long timeout;
        synchronized (this) {
            if (!dispatching) {
                throw new IllegalStateException("startAsync() outside a dispatch of the request (from another thread, or after it returned)");
            }
            if (started) {
                throw new IllegalStateException("startAsync() was already called in this dispatch");
            }
            if (completeAsked) {
                throw new IllegalStateException("startAsync() after complete()");
            }
            started = true;
            givenRequest = asRequest;
            givenResponse = asResponse;
            timeout = timeoutMillis;
        }
        if (detached == null) {
            Detached made;
            try {
                made = request.detach();
            } catch (UnsupportedOperationException e) {
                synchronized (this) {
                    started = false;
                }
                throw new IllegalStateException("startAsync() needs a request run by a pool: " + e.getMessage(), e);
            }
            made.onTimeout(this::timedOut);
            made.onAbort(this::aborted);
            detached = made;
        }
        detached.setTimeout(timeout);
        listeners.startAsync(this);
        return this;
    }

    /**
     * Runs a read or write listener's call on a worker of the app's pool, as part of the request.
     *
     * @throws IllegalStateException if the request is not in async mode
     */
    void runIo(Runnable call) {
        synchronized (this) {
            if (!started) {
                throw new IllegalStateException("non-blocking reads and writes need an async request: call startAsync() first");
            }
        }
        detached.run(call);
    }

    /** The response as the invoker made it, for {@code startAsync()} without arguments. */
    ServletResponse originalResponse() {
        return servletResponse;
    }

    synchronized boolean isStarted() {
        return started;
    }

    /** Whether {@code startAsync} was ever called: the invoker then leaves the end of the request to this object. */
    boolean wasStarted() {
        return detached != null;
    }

    /**
     * A dispatch returned (also the servlet's first call): what was asked meanwhile happens now: a
     * completion, a dispatch, a time-out; a dispatch that neither started async again nor asked for
     * any of them completes the request.
     */
    void dispatchReturned() {
        String next = null;
        boolean finish = false;
        boolean timeout = false;
        synchronized (this) {
            dispatching = false;
            if (completeAsked) {
                finish = true;
            } else if (pendingDispatch != null) {
                next = pendingDispatch;
                pendingDispatch = null;
                dispatching = true;
            } else if (!started) {
                finish = true;
            } else if (timeoutPending) {
                timeoutPending = false;
                timeout = true;
            }
        }
        if (finish) {
            finish();
        } else if (next != null) {
            runDispatch(next);
        } else if (timeout) {
            detached.run(this::timedOut);
        }
    }

    /** The servlet threw after starting async: the listeners hear {@code onError}, and the request ends with a 500 if nothing else ended it. */
    void dispatchFailed(Throwable failure) {
        LOG.log(Level.ERROR, "an async request failed: " + request, failure);
        tellError(failure);
        synchronized (this) {
            if (completeAsked || pendingDispatch != null) {
                return;
            }
            started = false;
            completeAsked = true;
        }
        answer500();
    }

    // ---- AsyncContext

    @Override
    public synchronized ServletRequest getRequest() {
        return givenRequest;
    }

    @Override
    public synchronized ServletResponse getResponse() {
        return givenResponse;
    }

    @Override
    public synchronized boolean hasOriginalRequestAndResponse() {
        return givenRequest == servletRequest && givenResponse == servletResponse;
    }

    @Override
    public void dispatch() {
        dispatchTo(SAME_PATH);
    }

    @Override
    public void dispatch(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("an async dispatch path starts with '/', was " + path);
        }
        dispatchTo(path);
    }

    /** Only to this app's own context: dispatching to other contexts is not supported yet. */
    @Override
    public void dispatch(ServletContext context, String path) {
        if (context != servletRequest.getServletContext()) {
            throw new UnsupportedOperationException("an async dispatch to another servlet context is not supported yet (docs/servlet.md)");
        }
        dispatch(path);
    }

    private void dispatchTo(String path) {
        boolean now;
        synchronized (this) {
            if (!started) {
                throw new IllegalStateException("dispatch() without startAsync(), or after dispatch() or complete()");
            }
            started = false;
            now = !dispatching;
            if (now) {
                dispatching = true;
            } else {
                pendingDispatch = path;
            }
        }
        if (now) {
            runDispatch(path);
        }
    }

    /** Runs a dispatch on a worker of the app's pool. */
    private void runDispatch(String path) {
        detached.run(() -> {
            servletRequest.dispatchedAsync();
            try {
                dispatcher.dispatch(path.isEmpty() ? null : path, servletRequest, servletResponse);
            } catch (IOException | ServletException | RuntimeException e) {
                dispatchFailed(e);
            } finally {
                dispatchReturned();
            }
        });
    }

    @Override
    public void complete() {
        if (detached == null) {
            throw new IllegalStateException("complete() before startAsync()");
        }
        end();
    }

    /** Ends the request now, or when the dispatch that runs returns; once. */
    private void end() {
        boolean now;
        synchronized (this) {
            if (completeAsked) {
                return;
            }
            completeAsked = true;
            started = false;
            now = !dispatching;
        }
        if (now) {
            finish();
        }
    }

    /** Runs {@code task} on a worker of the app's pool, with the app's class loader; what it throws ends the request as a failed dispatch would. */
    @Override
    public void start(Runnable task) {
        detached.run(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                dispatchFailed(e);
            }
        });
    }

    @Override
    public void addListener(AsyncListener listener) {
        addListener(listener, servletRequest, servletResponse);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest asRequest, ServletResponse asResponse) {
        synchronized (this) {
            if (completed) {
                throw new IllegalStateException("addListener() after the async request completed");
            }
        }
        listeners.add(listener, asRequest, asResponse);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ServletException("cannot make an async listener of " + type.getName() + ": " + e, e);
        }
    }

    @Override
    public void setTimeout(long millis) {
        Detached current;
        synchronized (this) {
            timeoutMillis = millis;
            current = detached;
        }
        if (current != null) {
            current.setTimeout(millis);
        }
    }

    @Override
    public synchronized long getTimeout() {
        return timeoutMillis;
    }

    // ---- the pool's calls: the time-out and an abort, on a pool worker

    private void timedOut() {
        synchronized (this) {
            if (completeAsked || !started) {
                return;
            }
            if (dispatching) {
                timeoutPending = true;
                return;
            }
        }
        listeners.tell(this, AsyncListeners.Event.TIMEOUT, null);
        synchronized (this) {
            if (!started || completeAsked) {
                return; // a listener completed or dispatched
            }
            started = false;
            completeAsked = true;
        }
        answer500();
    }

    private void aborted() {
        tellError(new RequestAbortedException("the client or the web server gave up on the request: " + request));
        end();
    }

    private void tellError(Throwable failure) {
        synchronized (this) {
            if (completed) {
                return;
            }
        }
        listeners.tell(this, AsyncListeners.Event.ERROR, failure);
    }

    /** A 500 if the response is still uncommitted, then the end of the request. */
    private void answer500() {
        if (!servletResponse.isCommitted()) {
            servletResponse.reset();
            servletResponse.sendError(500);
        }
        finish();
    }

    /**
     * Hands what the servlet left in its buffer to the pool's response, tells the listeners, then ends
     * the pool's request: the listeners are the app's code, which must run before a drain waiting for
     * the request lets the app go.
     */
    private void finish() {
        synchronized (this) {
            if (completed) {
                return;
            }
            completed = true;
            completeAsked = true;
        }
        try {
            servletResponse.finish();
        } catch (IOException e) {
            // The client is gone: nothing more to send.
        } finally {
            servletRequest.cleanUp();
        }
        listeners.tell(this, AsyncListeners.Event.COMPLETE, null);
        detached.complete();
    }
}
