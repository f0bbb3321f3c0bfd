package io.fastpool.pool.internal;

import io.fastpool.api.WebApp;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWiring;

/**
 * An app that is a {@code WebApp} service of an app bundle. The manager tracks its reference
 * without getting the service; the first request gets it (activating a delayed component), the idle
 * time-out releases it. Across an update of its bundle the reference goes and comes back: this
 * object stays, and its requests wait in the pool's queue meanwhile.
 *
 * <p>When the service goes, requests already given the instance finish on it before it is ungot
 * (up to the pool's {@code drainTimeLimit}): an app such as a servlet whiteboard app, which takes its
 * servlets away with its service, must not see a request after it was released.
 *
 * <p>Its monitor guards changes (bind, unbind, acquire, release), and {@code acquire} holds it while
 * the component activates, which may take long. {@link #available} and {@link #active} read volatile
 * fields without it: a transport thread asks whether the app is available with the pool lock held,
 * and must not wait for an activation.
 */
final class ServiceApp extends App {

    private static final System.Logger LOG = System.getLogger(ServiceApp.class.getName());
    /** How long an unbind waits for the requests in the instance when the app has no pool yet. */
    private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);

    private final BundleContext context;
    private final long bundleId;
    private volatile ServiceReference<WebApp> reference;
    private ServiceObjects<WebApp> objects;
    private volatile WebApp instance;
    /** Requests given the instance ({@link #lease}) and not yet done with it ({@link #handBack}). */
    private int leases;
    /** While an unbind waits for the requests in the outgoing instance: a service bound meanwhile waits for it. */
    private boolean draining;
    /** The bundle's class loader while this service is bound; looked up again after a rebind. */
    private volatile ClassLoader loader;

    ServiceApp(String name, SessionStore sessions, BundleContext context, long bundleId) {
        super(name, sessions);
        this.context = context;
        this.bundleId = bundleId;
    }

    long bundleId() {
        return bundleId;
    }

    /** The bundle's service came (back). */
    synchronized void bind(ServiceReference<WebApp> newReference) {
        if (reference != null && !reference.equals(newReference)) {
            releaseLocked();
        }
        reference = newReference;
        loader = null; // an updated bundle has a new class loader
    }

    /**
     * The service went away; returns whether it was this app's. New requests wait for it from now;
     * the instance is released once the requests in it are done.
     */
    synchronized boolean unbind(ServiceReference<WebApp> gone) {
        if (!gone.equals(reference)) {
            return false;
        }
        reference = null;
        draining = true;
        try {
            awaitLeases();
            releaseLocked();
        } finally {
            draining = false;
        }
        loader = null;
        return true;
    }

    /** Waits (the monitor let go) until no request is in the instance, at most the pool's {@code drainTimeLimit}. */
    private void awaitLeases() {
        Pool pool = pool();
        long limit = (pool == null ? DEFAULT_DRAIN : pool.settings().drainTimeLimit()).toNanos();
        long deadline = System.nanoTime() + limit;
        boolean interrupted = false;
        while (leases > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.log(Level.WARNING, "app " + name() + " is released with " + leases + " requests still in it: they ran longer"
                        + " than drainTimeLimit after its service went");
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    synchronized WebApp lease() throws ActivationException, UnavailableException {
        WebApp got = acquire();
        leases++;
        return got;
    }

    @Override
    synchronized void handBack() {
        leases--;
        if (leases == 0) {
            notifyAll();
        }
    }

    synchronized ServiceReference<WebApp> reference() {
        return reference;
    }

    @Override
    boolean available() {
        return reference != null;
    }

    @Override
    synchronized WebApp acquire() throws ActivationException, UnavailableException {
        if (reference == null || draining) { // the instance, if any, is on its way out (unbind)
            throw new UnavailableException("its service is not registered");
        }
        if (instance != null) {
            return instance;
        }
        try {
            objects = context.getServiceObjects(reference);
            WebApp got = objects == null ? null : objects.getService();
            if (got == null) {
                objects = null;
                Bundle bundle = reference.getBundle();
                if (bundle == null || bundle.getState() != Bundle.ACTIVE) {
                    // Its bundle is stopping or updating: the service is on its way out, not broken.
                    throw new UnavailableException("its bundle is stopping");
                }
                throw new ActivationException("its component did not activate (see the log of Declarative Services)", null);
            }
            instance = got;
            return got;
        } catch (RuntimeException e) {
            objects = null;
            throw new ActivationException(String.valueOf(e.getMessage()), e);
        }
    }

    @Override
    boolean active() {
        return instance != null;
    }

    @Override
    WebApp activeInstance() {
        return instance;
    }

    @Override
    synchronized void release() {
        releaseLocked();
    }

    private void releaseLocked() {
        if (instance != null && objects != null) {
            try {
                objects.ungetService(instance);
            } catch (RuntimeException e) {
                // The bundle is stopping; the framework releases it anyway.
            }
        }
        instance = null;
        objects = null;
    }

    @Override
    ClassLoader classLoader() {
        ClassLoader known = loader;
        if (known != null) {
            return known;
        }
        Bundle bundle = context.getBundle(bundleId);
        BundleWiring wiring = bundle == null ? null : bundle.adapt(BundleWiring.class);
        ClassLoader found = wiring == null ? null : wiring.getClassLoader();
        if (found == null) {
            return ServiceApp.class.getClassLoader();
        }
        loader = found;
        return found;
    }
}
