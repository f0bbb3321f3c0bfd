package io.fastpool.pool.internal;

import io.fastpool.api.Mount;
import io.fastpool.api.WebApp;
import io.fastpool.api.spi.Exchange;
import io.fastpool.api.spi.RequestTarget;
import io.fastpool.pool.PoolSettings;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * The apps deployed from app bundles: each {@code WebApp} service (tracked without being got) is
 * put in a pool (its bundle's, or the one its {@link Mount} names, made on first use) and gets a
 * {@link RequestTarget} route for the listener. A route stays registered while its bundle is
 * updated or restarted, so requests wait in the pool's queue until the service is back; it goes,
 * with the app, when the bundle is uninstalled, and a pool goes with its last app.
 *
 * <p>Deploying and undeploying take the manager lock, shared with {@link PoolConfigurations}, and
 * under it a pool's lock (adding or removing an app; shutting down an emptied pool drains it, so an
 * uninstall may wait there up to {@code drainTimeLimit}). Routing a request takes neither: the
 * route reads the app's pool from a field.
 */
final class AppDeployments {

    private static final System.Logger LOG = System.getLogger(PoolManagerComponent.class.getName());

    private final BundleContext context;
    private final Object managerLock;
    private final Map<String, Pool> pools;
    private final PoolConfigurations configurations;
    private final PoolHost host;
    private final Map<String, ServiceApp> apps = new ConcurrentHashMap<>();
    private final Map<String, ServiceRegistration<RequestTarget>> routes = new ConcurrentHashMap<>();

    AppDeployments(BundleContext context, Object managerLock, Map<String, Pool> pools, PoolConfigurations configurations,
            PoolHost host) {
        this.context = context;
        this.managerLock = managerLock;
        this.pools = pools;
        this.configurations = configurations;
        this.host = host;
    }

    /** A {@code WebApp} service came: a new app is deployed, a known one (its bundle updated) is back. */
    void bind(ServiceReference<WebApp> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle == null) {
            return; // unregistered meanwhile
        }
        String key = appKey(bundle, reference);
        Object path = reference.getProperty(Mount.PATH);
        if (!(path instanceof String)) {
            LOG.log(Level.ERROR, "app " + key + " has no " + Mount.PATH + " property (use @Mount(path = \"/...\")): not mounted");
            return;
        }
        synchronized (managerLock) {
            ServiceApp app = apps.get(key);
            if (app == null) {
                deploy(key, bundle, reference, path);
            } else {
                app.bind(reference);
                updateRoute(key, reference);
                Pool pool = app.pool();
                if (pool != null) {
                    pool.appAvailable(app);
                }
            }
        }
    }

    private void deploy(String key, Bundle bundle, ServiceReference<WebApp> reference, Object path) {
        String poolName = poolNameOf(bundle, reference);
        Pool pool;
        try {
            pool = pools.computeIfAbsent(poolName, name -> new Pool(name, configurations.settingsFor(name, bundle), host));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "app " + key + " not mounted: pool " + poolName + " has a bad setting: " + e.getMessage());
            return;
        }
        PoolSettings settings = pool.settings();
        ServiceApp app = new ServiceApp(key, new SessionStore(settings.maxSessions(), settings.sessionTimeout().toMillis(),
                System::currentTimeMillis), context, bundle.getBundleId());
        app.bind(reference);
        apps.put(key, app);
        pool.addApp(app);
        registerRoute(key, app, pool, reference);
        LOG.log(Level.INFO, "deployed app " + key + " at " + path + " in pool " + poolName);
    }

    /** A service's properties changed: its route follows (a new path or host). */
    void updated(ServiceReference<WebApp> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle != null) {
            updateRoute(appKey(bundle, reference), reference);
        }
    }

    /** A service went (its bundle is stopping or updating): its app's requests wait for it to come back. */
    void unbind(ServiceReference<WebApp> reference) {
        for (ServiceApp app : apps.values()) {
            Pool pool = app.pool();
            if (pool != null && reference.equals(app.reference())) {
                // Its detached requests would outlive the instance they belong to: aborted before it is released.
                pool.abandonDetached(app, "app " + app.name() + "'s service went away");
            }
            if (app.unbind(reference)) {
                LOG.log(Level.DEBUG, () -> "app " + app.name() + " is away; its requests wait (startupTimeLimit)");
            }
        }
    }

    /** The bundle is gone: its apps are undeployed, and a pool left without apps is shut down. */
    void bundleUninstalled(long bundleId) {
        synchronized (managerLock) {
            for (ServiceApp app : new ArrayList<>(apps.values())) {
                if (app.bundleId() != bundleId) {
                    continue;
                }
                apps.remove(app.name());
                unregisterQuietly(routes.remove(app.name()));
                Pool pool = app.pool();
                if (pool != null) {
                    pool.removeApp(app);
                    if (pool.isEmpty()) {
                        pools.remove(pool.name());
                        pool.shutdown();
                    }
                }
                LOG.log(Level.INFO, "undeployed app " + app.name());
            }
        }
    }

    /** The bundle whose header a pool's settings read: its first app's. */
    Bundle bundleOf(Pool pool) {
        for (App app : pool.apps()) {
            if (app instanceof ServiceApp serviceApp) {
                return context.getBundle(serviceApp.bundleId());
            }
        }
        return null;
    }

    /** The manager is going away: every route goes. */
    void close() {
        routes.values().forEach(AppDeployments::unregisterQuietly);
        routes.clear();
        apps.clear();
    }

    private void registerRoute(String key, ServiceApp app, Pool pool, ServiceReference<WebApp> reference) {
        RequestTarget target = new RequestTarget() {
            @Override
            public void dispatch(Exchange exchange) {
                // The app's pool is a field: the route reads it for every request, with no search and no lock.
                Pool current = app.pool();
                (current == null ? pool : current).submit(app, exchange);
            }

            @Override
            public String toString() {
                return "app " + key;
            }
        };
        routes.put(key, context.registerService(RequestTarget.class, target, routeProperties(key, reference)));
    }

    private void updateRoute(String key, ServiceReference<WebApp> reference) {
        ServiceRegistration<RequestTarget> route = routes.get(key);
        if (route != null) {
            try {
                route.setProperties(routeProperties(key, reference));
            } catch (IllegalStateException unregistered) {
                // gone meanwhile
            }
        }
    }

    private static Dictionary<String, Object> routeProperties(String key, ServiceReference<WebApp> reference) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(RequestTarget.ROUTE_PATH, reference.getProperty(Mount.PATH));
        Object virtualHost = reference.getProperty(Mount.HOST);
        if (virtualHost != null) {
            properties.put(RequestTarget.ROUTE_HOST, virtualHost);
        }
        properties.put(RequestTarget.NAME, key);
        return properties;
    }

    private static String appKey(Bundle bundle, ServiceReference<?> reference) {
        Object component = reference.getProperty("component.name");
        return bundle.getSymbolicName() + "/" + (component != null ? component : "service-" + reference.getProperty(Constants.SERVICE_ID));
    }

    private static String poolNameOf(Bundle bundle, ServiceReference<?> reference) {
        Object pool = reference.getProperty(Mount.POOL);
        return pool instanceof String name && !name.isBlank() ? name.trim() : bundle.getSymbolicName();
    }

    private static void unregisterQuietly(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered with its bundle
            }
        }
    }
}
