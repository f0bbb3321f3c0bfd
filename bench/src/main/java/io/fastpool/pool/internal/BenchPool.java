package io.fastpool.pool.internal;

import io.fastpool.api.WebApp;
import io.fastpool.api.spi.Exchange;
import io.fastpool.api.spi.RequestTarget;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import java.util.List;
import java.util.Map;

/**
 * A real {@link Pool}, with its queue and worker threads, running one {@link WebApp} instance, built
 * without OSGi for the benchmarks: the request target the pool manager would register for the app,
 * minus the manager's lookup of the app's current pool.
 *
 * <p>It lives in the pool's internal package because {@code Pool} and {@code App} are
 * package-private; on the plain class path of the benchmarks jar that works, outside OSGi. The app
 * stands in for {@link ServiceApp}, which needs a {@code BundleContext}: its instance is already
 * there, as a {@code ServiceApp}'s is after the first request, and its class loader is the app
 * class's own (a {@code ServiceApp} looks its bundle's up on every request).
 */
public final class BenchPool implements RequestTarget, AutoCloseable {

    private final Pool pool;
    private final App app;

    /** A pool named {@code name} with the default settings overridden by {@code settings}, serving {@code webApp}. */
    public BenchPool(String name, WebApp webApp, Map<String, ?> settings) {
        PoolSettings poolSettings = PoolSettingsParser.apply(PoolSettings.DEFAULTS, settings);
        this.pool = new Pool(name, poolSettings, new PoolHost() {
            @Override
            public void updateBundles(List<App> apps) {
                // never recycled here
            }

            @Override
            public java.util.concurrent.Executor responder() {
                return Runnable::run;
            }
        });
        this.app = new InstanceApp(name + "/" + webApp.getClass().getName(), webApp, poolSettings);
        pool.addApp(app);
    }

    @Override
    public void dispatch(Exchange exchange) {
        pool.submit(app, exchange);
    }

    /** Worker threads alive now. */
    public int threads() {
        return pool.threads();
    }

    /** The pool's figures, as the shell shows them. */
    public PoolSnapshot snapshot() {
        return pool.snapshot();
    }

    @Override
    public void close() {
        pool.shutdown();
    }

    /** An app whose instance is given, always available. */
    private static final class InstanceApp extends App {
        private final WebApp instance;
        private final ClassLoader loader;
        private volatile boolean active;

        InstanceApp(String name, WebApp instance, PoolSettings settings) {
            super(name, new SessionStore(settings.maxSessions(), settings.sessionTimeout().toMillis(), System::currentTimeMillis));
            this.instance = instance;
            this.loader = instance.getClass().getClassLoader();
        }

        @Override
        boolean available() {
            return true;
        }

        @Override
        WebApp acquire() {
            active = true;
            return instance;
        }

        @Override
        boolean active() {
            return active;
        }

        @Override
        WebApp activeInstance() {
            return active ? instance : null;
        }

        @Override
        void release() {
            active = false;
        }

        @Override
        ClassLoader classLoader() {
            return loader;
        }
    }
}
