package io.fastpool.pool.internal;

import io.fastpool.api.Mount;
import io.fastpool.api.WebApp;
import io.fastpool.api.spi.Exchange;
import io.fastpool.api.spi.RequestTarget;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import java.lang.System.Logger.Level;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.cm.ManagedServiceFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The pool manager (IIS's WAS): tracks the {@code WebApp} services of app bundles without getting
 * them, puts each app in a pool (its bundle's, or the one its {@link Mount} names), registers a
 * {@link RequestTarget} per mount for the listener to route to, applies {@code io.fastpool.pool~NAME}
 * configurations, and runs the watchdog that enforces time-outs.
 *
 * <p>A mount's route stays registered while its bundle is updated or restarted: requests wait in
 * the pool's queue until the service is back. It goes when the bundle is uninstalled.
 */
@Component(service = {PoolManager.class, ManagedServiceFactory.class, ConfigurationListener.class}, immediate = true,
        property = Constants.SERVICE_PID + "=" + PoolManagerComponent.FACTORY_PID)
public final class PoolManagerComponent implements PoolManager, ManagedServiceFactory, ConfigurationListener {

    static final String FACTORY_PID = "io.fastpool.pool";
    /** Manifest header an app author sets: {@code Fastpool-Pool: queueLength=100, maxThreads=4}. */
    static final String POOL_HEADER = "Fastpool-Pool";
    private static final System.Logger LOG = System.getLogger(PoolManagerComponent.class.getName());

    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Map<String, ServiceApp> apps = new ConcurrentHashMap<>();
    private final Map<String, ServiceRegistration<RequestTarget>> routes = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> configurations = new ConcurrentHashMap<>();
    private final Map<String, String> poolOfConfigurationPid = new ConcurrentHashMap<>();
    private final AtomicInteger responderThreads = new AtomicInteger();
    /** Every pool's access log lines, written by one thread off the request path. */
    private final AccessLogWriter accessLogs = new AccessLogWriter();
    private BundleContext context;
    private ScheduledExecutorService watchdog;
    private ExecutorService responder;
    private BundleListener uninstallListener;
    /** WebApp references bound before activation. */
    private final List<ServiceReference<WebApp>> early = new ArrayList<>();

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        responder = new ThreadPoolExecutor(0, 64, 30, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
                r -> daemon(r, "fastpool-pool-manager-" + responderThreads.incrementAndGet()),
                new ThreadPoolExecutor.CallerRunsPolicy());
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fastpool-pool-watchdog"));
        watchdog.scheduleWithFixedDelay(this::checkPools, 200, 200, TimeUnit.MILLISECONDS);
        uninstallListener = event -> {
            if (event.getType() == BundleEvent.UNINSTALLED) {
                bundleUninstalled(event.getBundle().getBundleId());
            }
        };
        context.addBundleListener(uninstallListener);
        synchronized (early) {
            early.forEach(this::bindWebApp);
            early.clear();
        }
        applyNamedConfigurations(null);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(uninstallListener);
        watchdog.shutdownNow();
        routes.values().forEach(PoolManagerComponent::unregisterQuietly);
        routes.clear();
        pools.values().forEach(Pool::shutdown);
        pools.clear();
        apps.clear();
        responder.shutdownNow();
        try {
            accessLogs.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- WebApp services ------------------------------------------------------------------------

    @Reference(service = WebApp.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindWebApp(ServiceReference<WebApp> reference) {
        if (context == null) {
            synchronized (early) {
                early.add(reference);
            }
            return;
        }
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
        synchronized (this) {
            ServiceApp app = apps.get(key);
            String poolName = poolNameOf(bundle, reference);
            if (app == null) {
                Pool pool;
                try {
                    pool = pools.computeIfAbsent(poolName, name -> new Pool(name, settingsFor(name, bundle), host()));
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.ERROR, "app " + key + " not mounted: pool " + poolName + " has a bad setting: " + e.getMessage());
                    return;
                }
                PoolSettings settings = pool.settings();
                app = new ServiceApp(key, new SessionStore(settings.maxSessions(), settings.sessionTimeout().toMillis(),
                        System::currentTimeMillis), context, bundle.getBundleId());
                app.bind(reference);
                apps.put(key, app);
                pool.addApp(app);
                registerRoute(key, app, pool, reference);
                LOG.log(Level.INFO, "deployed app " + key + " at " + path + " in pool " + poolName);
            } else {
                app.bind(reference);
                updateRoute(key, reference);
                Pool pool = poolOf(app);
                if (pool != null) {
                    pool.appAvailable(app);
                }
            }
        }
    }

    void updatedWebApp(ServiceReference<WebApp> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle != null && context != null) {
            updateRoute(appKey(bundle, reference), reference);
        }
    }

    void unbindWebApp(ServiceReference<WebApp> reference) {
        synchronized (early) {
            early.remove(reference);
        }
        for (ServiceApp app : apps.values()) {
            if (app.unbind(reference)) {
                LOG.log(Level.DEBUG, () -> "app " + app.name() + " is away; its requests wait (startupTimeLimit)");
            }
        }
    }

    private void bundleUninstalled(long bundleId) {
        synchronized (this) {
            for (ServiceApp app : new ArrayList<>(apps.values())) {
                if (app.bundleId() != bundleId) {
                    continue;
                }
                apps.remove(app.name());
                ServiceRegistration<RequestTarget> route = routes.remove(app.name());
                unregisterQuietly(route);
                Pool pool = poolOf(app);
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

    private void registerRoute(String key, ServiceApp app, Pool pool, ServiceReference<WebApp> reference) {
        RequestTarget target = new RequestTarget() {
            @Override
            public void dispatch(Exchange exchange) {
                Pool current = poolOf(app);
                if (current == null) {
                    current = pool;
                }
                current.submit(app, exchange);
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
        Object host = reference.getProperty(Mount.HOST);
        if (host != null) {
            properties.put(RequestTarget.ROUTE_HOST, host);
        }
        properties.put(RequestTarget.NAME, key);
        return properties;
    }

    /** The pool running {@code app}, or null: a field read, since the route's dispatch calls it for every request. */
    private static Pool poolOf(App app) {
        return app.pool();
    }

    private static String appKey(Bundle bundle, ServiceReference<?> reference) {
        Object component = reference.getProperty("component.name");
        return bundle.getSymbolicName() + "/" + (component != null ? component : "service-" + reference.getProperty(Constants.SERVICE_ID));
    }

    private static String poolNameOf(Bundle bundle, ServiceReference<?> reference) {
        Object pool = reference.getProperty(Mount.POOL);
        return pool instanceof String name && !name.isBlank() ? name.trim() : bundle.getSymbolicName();
    }

    // ---- settings -------------------------------------------------------------------------------

    private PoolSettings settingsFor(String poolName, Bundle bundle) {
        PoolSettings settings = PoolSettings.DEFAULTS;
        if (bundle != null) {
            String header = bundle.getHeaders().get(POOL_HEADER);
            if (header != null && !header.isBlank()) {
                settings = settings.with(parseHeader(header));
            }
        }
        Map<String, Object> configured = configurations.get(poolName);
        return configured == null ? settings : settings.with(configured);
    }

    static Map<String, String> parseHeader(String header) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String entry : header.split(",")) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                values.put(entry.substring(0, equals).trim(), entry.substring(equals + 1).trim());
            } else if (!entry.isBlank()) {
                throw new IllegalArgumentException(POOL_HEADER + " entry '" + entry.trim() + "' is not name=value");
            }
        }
        return values;
    }

    @Override
    public String getName() {
        return "Fastpool pools";
    }

    /** A pool configuration {@code io.fastpool.pool~NAME} was created or changed. */
    @Override
    public void updated(String pid, Dictionary<String, ?> properties) {
        String poolName = poolNameOfConfiguration(pid, properties);
        Map<String, Object> values = new HashMap<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            values.put(key, properties.get(key));
        }
        try {
            PoolSettings.DEFAULTS.with(values);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "configuration " + pid + " of pool " + poolName + " is not applied: " + e.getMessage());
            return;
        }
        // Under the lock that deploying takes: a pool being made now either sees these values or is
        // made before and reconfigured here, never made from stale ones after this returns.
        synchronized (this) {
            poolOfConfigurationPid.put(pid, poolName);
            configurations.put(poolName, values);
            reconfigure(poolName);
        }
        LOG.log(Level.INFO, "pool " + poolName + " configured from " + pid);
    }

    /**
     * FileInstall 3.7 reads {@code conf/io.fastpool.pool~NAME.cfg} as a plain configuration whose PID
     * is {@code io.fastpool.pool~NAME} (only {@code -} in a file name makes it a factory
     * configuration), so the {@link ManagedServiceFactory} never sees it. These events bring such
     * configurations to {@link #updated} and {@link #deleted} all the same.
     */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getFactoryPid() != null || !event.getPid().startsWith(FACTORY_PID + "~")) {
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            deleted(event.getPid());
        } else if (event.getType() == ConfigurationEvent.CM_UPDATED) {
            applyNamedConfigurations(event.getPid());
        }
    }

    /** Applies the {@code io.fastpool.pool~NAME} plain configuration {@code pid}, or every one when null. */
    private void applyNamedConfigurations(String pid) {
        BundleContext current = context;
        if (current == null) {
            return;
        }
        ServiceReference<ConfigurationAdmin> reference = current.getServiceReference(ConfigurationAdmin.class);
        ConfigurationAdmin admin = reference == null ? null : current.getService(reference);
        if (admin == null) {
            return;
        }
        try {
            String filter = "(" + Constants.SERVICE_PID + "=" + (pid == null ? FACTORY_PID + "~*" : pid) + ")";
            Configuration[] found = admin.listConfigurations(filter);
            if (found != null) {
                for (Configuration configuration : found) {
                    Dictionary<String, Object> properties = configuration.getProperties();
                    if (configuration.getFactoryPid() == null && properties != null) {
                        updated(configuration.getPid(), properties);
                    }
                }
            }
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            LOG.log(Level.ERROR, "could not read the pool configurations " + (pid == null ? FACTORY_PID + "~*" : pid)
                    + ": " + e.getMessage());
        } finally {
            current.ungetService(reference);
        }
    }

    @Override
    public void deleted(String pid) {
        synchronized (this) {
            String poolName = poolOfConfigurationPid.remove(pid);
            if (poolName != null) {
                configurations.remove(poolName);
                reconfigure(poolName);
            }
        }
    }

    private void reconfigure(String poolName) {
        Pool pool = pools.get(poolName);
        if (pool == null) {
            return;
        }
        Bundle bundle = null;
        for (App app : pool.apps()) {
            if (app instanceof ServiceApp serviceApp && context != null) {
                bundle = context.getBundle(serviceApp.bundleId());
                break;
            }
        }
        pool.updateSettings(settingsFor(poolName, bundle));
    }

    static String poolNameOfConfiguration(String pid, Dictionary<String, ?> properties) {
        Object name = properties == null ? null : properties.get("name");
        if (name instanceof String text && !text.isBlank()) {
            return text.trim();
        }
        int tilde = pid.indexOf('~');
        return tilde >= 0 ? pid.substring(tilde + 1) : pid;
    }

    // ---- operations -------------------------------------------------------------------------------

    @Override
    public List<PoolSnapshot> pools() {
        List<PoolSnapshot> snapshots = new ArrayList<>();
        pools.values().forEach(pool -> snapshots.add(pool.snapshot()));
        snapshots.sort(Comparator.comparing(PoolSnapshot::name));
        return snapshots;
    }

    @Override
    public Optional<PoolSnapshot> pool(String name) {
        Pool pool = pools.get(name);
        return pool == null ? Optional.empty() : Optional.of(pool.snapshot());
    }

    @Override
    public void start(String name) {
        existing(name).start();
    }

    @Override
    public void stop(String name) {
        existing(name).stop();
    }

    @Override
    public void restart(String name) {
        existing(name).restart();
    }

    @Override
    public void recycle(String name) {
        existing(name).recycle();
    }

    private Pool existing(String name) {
        Pool pool = pools.get(name);
        if (pool == null) {
            throw new IllegalArgumentException("no pool named " + name + "; pools: " + new java.util.TreeSet<>(pools.keySet()));
        }
        return pool;
    }

    private Pool.Host host() {
        return new Pool.Host() {
            @Override
            public void updateBundles(List<App> poolApps) throws Exception {
                List<Long> done = new ArrayList<>();
                for (App app : poolApps) {
                    if (app instanceof ServiceApp serviceApp && !done.contains(serviceApp.bundleId())) {
                        done.add(serviceApp.bundleId());
                        Bundle bundle = context.getBundle(serviceApp.bundleId());
                        if (bundle != null) {
                            bundle.update();
                        }
                    }
                }
            }

            @Override
            public java.util.concurrent.Executor responder() {
                return responder;
            }

            @Override
            public AccessLogWriter accessLogWriter() {
                return accessLogs;
            }

            @Override
            public java.nio.file.Path resolve(String file) {
                String home = context.getProperty("fastpool.home");
                java.nio.file.Path path = java.nio.file.Path.of(file);
                return home == null || path.isAbsolute() ? path.toAbsolutePath() : java.nio.file.Path.of(home).resolve(path);
            }
        };
    }

    private void checkPools() {
        for (Pool pool : pools.values()) {
            try {
                pool.check();
                pool.apps().forEach(app -> app.sessions().expire());
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "pool " + pool.name() + ": watchdog check failed", e);
            }
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
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
