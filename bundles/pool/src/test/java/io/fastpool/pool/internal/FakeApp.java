package io.fastpool.pool.internal;

import io.fastpool.api.WebApp;
import java.util.concurrent.atomic.AtomicInteger;

/** An app whose availability, activation and handler the test controls. */
final class FakeApp extends App {

    final ClassLoader loader = new ClassLoader(FakeApp.class.getClassLoader()) { };
    final AtomicInteger activations = new AtomicInteger();
    final AtomicInteger releases = new AtomicInteger();
    volatile WebApp handler;
    volatile boolean available = true;
    volatile RuntimeException activationFailure;
    /** Makes the next acquire find the service gone, as when its bundle starts stopping meanwhile. */
    volatile boolean vanishOnce;
    private volatile boolean active;

    FakeApp(String name, WebApp handler) {
        this(name, handler, System::currentTimeMillis);
    }

    /** With its sessions on {@code millisClock}, which a test moves past their time-out. */
    FakeApp(String name, WebApp handler, java.util.function.LongSupplier millisClock) {
        super(name, new SessionStore(100, 60_000, millisClock));
        this.handler = handler;
    }

    @Override
    boolean available() {
        return available;
    }

    @Override
    synchronized WebApp acquire() throws ActivationException, UnavailableException {
        if (vanishOnce) {
            vanishOnce = false;
            throw new UnavailableException("went away while being taken");
        }
        if (activationFailure != null) {
            throw new ActivationException("activate() threw " + activationFailure, activationFailure);
        }
        if (!active) {
            active = true;
            activations.incrementAndGet();
        }
        return handler;
    }

    @Override
    boolean active() {
        return active;
    }

    @Override
    WebApp activeInstance() {
        return active ? handler : null;
    }

    @Override
    synchronized void release() {
        if (active) {
            active = false;
            releases.incrementAndGet();
        }
    }

    @Override
    ClassLoader classLoader() {
        return loader;
    }
}
