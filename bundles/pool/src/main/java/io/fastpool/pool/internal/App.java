package io.fastpool.pool.internal;

import io.fastpool.api.Session;
import io.fastpool.api.SessionEndListener;
import io.fastpool.api.WebApp;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * One mounted web application as a pool runs it: in OSGi a {@code WebApp} service of an app bundle
 * ({@link ServiceApp}), in tests a plain object. The instance is got only when a request needs it,
 * so a delayed component is activated on demand, and released after the idle time-out.
 *
 * <p>An active instance that is a {@link SessionEndListener} hears of the sessions its store ends
 * by itself, on the pool's lifecycle executor with the app's class loader (never a transport thread,
 * and not the worker or watchdog that ended them, which may hold up requests). So that every end is
 * heard, the idle time-out does not release such an instance while its store holds sessions
 * ({@link #holdsSessionsItListensFor}); an app that is not active (never started, or stopped) is not
 * woken for it.
 */
abstract class App {

    private static final System.Logger LOG = System.getLogger(Pool.class.getName());

    private final String name;
    private final SessionStore sessions;
    /** The pool running it, set by {@link Pool#addApp}: the request path finds it without a search. */
    private volatile Pool pool;

    App(String name, SessionStore sessions) {
        this.name = name;
        this.sessions = sessions;
        sessions.endsTo(new SessionStore.Ends() {
            @Override
            public boolean wanted() {
                return endListener() != null;
            }

            @Override
            public void ended(List<Session> ended) {
                sessionsEnded(ended);
            }
        });
    }

    /** The active instance when it listens for session ends now; else null. */
    private SessionEndListener endListener() {
        return activeInstance() instanceof SessionEndListener listener && listener.listensForSessionEnds() ? listener : null;
    }

    /**
     * Whether the idle time-out must keep this app's instance: it listens for session ends and its
     * store still holds sessions, whose ends it could not hear once released (a released app is not
     * woken for them). Once they have ended, the idle time-out releases it as any other.
     */
    final boolean holdsSessionsItListensFor() {
        return sessions.size() > 0 && endListener() != null;
    }

    private void sessionsEnded(List<Session> ended) {
        SessionEndListener listener = endListener();
        Pool running = pool;
        if (listener != null && running != null) {
            running.host().lifecycle().execute(() -> tellEnded(listener, ended));
        }
    }

    private void tellEnded(SessionEndListener listener, List<Session> ended) {
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader());
        try {
            for (Session session : ended) {
                try {
                    listener.sessionEnded(session);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "app " + name + " failed while hearing that session " + session.id() + " ended", e);
                }
            }
        } finally {
            thread.setContextClassLoader(saved);
        }
    }

    /** {@code bundle/component}, for logs, the shell and the status page. */
    final String name() {
        return name;
    }

    final SessionStore sessions() {
        return sessions;
    }

    /** Its sessions follow the pool's {@code maxSessions} and {@code sessionTimeout}. */
    final void sessionSettings(PoolSettings settings) {
        sessions.configure(settings.maxSessions(), settings.sessionTimeout().toMillis());
    }

    /** Drops the sessions past their time-out (the watchdog's round). */
    final void expireSessions() {
        sessions.expire();
    }

    /** How the shell and the status page show it. */
    final PoolSnapshot.AppView view() {
        return sessions.view(name, active());
    }

    final Pool pool() {
        return pool;
    }

    final void pool(Pool runningIt) {
        this.pool = runningIt;
    }

    /** Whether there is a service to run right now (not during its bundle's update). */
    abstract boolean available();

    /**
     * The instance, activating it if needed. Throws {@link UnavailableException} when the service
     * is away right now (its bundle is being updated), {@link ActivationException} when its
     * component failed to activate.
     */
    abstract WebApp acquire() throws ActivationException, UnavailableException;

    /**
     * The instance for one request, which gives it back with {@link #handBack()} when it is done.
     * Plain apps need no more than {@link #acquire()}; {@link ServiceApp} counts the requests in it.
     */
    WebApp lease() throws ActivationException, UnavailableException {
        return acquire();
    }

    /** A request that {@link #lease() leased} the instance is done with it. */
    void handBack() {
    }

    /** Whether an instance is active. */
    abstract boolean active();

    /** The instance if one is active now, without activating it; else null. */
    abstract WebApp activeInstance();

    /** Releases the instance (its component may deactivate); the next request activates it again. */
    abstract void release();

    /** The class loader requests run with as their context class loader: the app bundle's. */
    abstract ClassLoader classLoader();

    @Override
    public String toString() {
        return name;
    }

    /** The service went away between being seen and being got: the request waits for it. */
    static final class UnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message) {
            super(message, null, false, false);
        }
    }

    /** The app's component could not be activated. */
    static final class ActivationException extends Exception {
        private static final long serialVersionUID = 1L;

        ActivationException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
