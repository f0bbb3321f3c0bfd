package io.fastpool.pool.internal;

import io.fastpool.api.Mount;
import io.fastpool.api.WebApp;
import io.fastpool.api.spi.Exchange;
import io.fastpool.api.spi.RequestTarget;
import io.fastpool.config.CheckedConfiguration;
import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReports;
import io.fastpool.config.Verdict;
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
@Component(service = {PoolManager.class, ManagedServiceFactory.class, ConfigurationListener.class, ConfigurationReports.class},
        immediate = true, property = Constants.SERVICE_PID + "=" + PoolConfiguration.FACTORY_PID)
public final class PoolManagerComponent implements PoolManager, ManagedServiceFactory, ConfigurationListener, ConfigurationReports {

    static final String FACTORY_PID = PoolConfiguration.FACTORY_PID;
    /** Manifest header an app author sets: {@code Fastpool-Pool: queueLength=100, maxThreads=4}. */
    static final String POOL_HEADER = "Fastpool-Pool";
    private static final System.Logger LOG = System.getLogger(PoolManagerComponent.class.getName());

    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Map<String, ServiceApp> apps = new ConcurrentHashMap<>();
    private final Map<String, ServiceRegistration<RequestTarget>> routes = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> configurations = new ConcurrentHashMap<>();
    private final Map<String, String> poolOfConfigurationPid = new ConcurrentHashMap<>();
    /** The file each pool's running configuration came from. */
    private final Map<String, String> fileOfPool = new ConcurrentHashMap<>();
    /** Unknown keys of each pool's running configuration. */
    private final Map<String, List<String>> warningsOfPool = new ConcurrentHashMap<>();
    /** The pools whose latest file was refused, with why; the last good configuration runs. */
    private final Map<String, Verdict> refusedFiles = new ConcurrentHashMap<>();
    /** Each app bundle's checked Fastpool-Pool header, by bundle id and last-modified time: checked and logged once. */
    private final Map<String, Map<String, Object>> checkedHeaders = new ConcurrentHashMap<>();
    /** Every pool's access log lines, written by one thread off the request path. */
    private final AccessLogWriter accessLogs = new AccessLogWriter();
    private BundleContext context;
    private ScheduledExecutorService watchdog;
    private PoolExecutors executors;
    private BundleListener uninstallListener;
    /** WebApp references bound before activation. */
    private final List<ServiceReference<WebApp>> early = new ArrayList<>();

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        executors = new PoolExecutors();
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
        executors.shutdown();
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
        Map<String, Object> header = headerSettings(bundle);
        Map<String, Object> configured = configurations.getOrDefault(poolName, Map.of());
        try {
            return PoolSettingsParser.apply(PoolSettingsParser.apply(PoolSettings.DEFAULTS, header), configured);
        } catch (IllegalArgumentException e) {
            // Only a rule across keys can fail here (minThreads above maxThreads between header and file).
            LOG.log(Level.ERROR, "pool " + poolName + ": the app's " + POOL_HEADER + " header and " + fileOfPool.get(poolName)
                    + " together are refused (" + e.getMessage() + "); the file's settings apply alone");
            return PoolSettingsParser.apply(PoolSettings.DEFAULTS, configured);
        }
    }

    /**
     * The settings an app bundle's {@code Fastpool-Pool} header writes, each key checked like a file's;
     * a header with a refused value is ignored whole (the app's author must fix it). Checked and logged
     * once per bundle revision.
     */
    private Map<String, Object> headerSettings(Bundle bundle) {
        if (bundle == null) {
            return Map.of();
        }
        String header = bundle.getHeaders().get(POOL_HEADER);
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        return checkedHeaders.computeIfAbsent(bundle.getBundleId() + "@" + bundle.getLastModified(), revision -> {
            String source = headerSource(bundle);
            Map<String, String> written;
            try {
                written = parseHeader(header);
            } catch (IllegalArgumentException e) {
                LOG.log(Level.ERROR, source + ": " + e.getMessage() + "; the header is ignored");
                return Map.of();
            }
            Verdict verdict = PoolConfiguration.SCHEMA.check(written, source);
            if (verdict.log(LOG, "the header is ignored whole; the pool uses its defaults and its .cfg file")) {
                return Map.of();
            }
            return PoolConfiguration.written(verdict);
        });
    }

    private static String headerSource(Bundle bundle) {
        return "the " + POOL_HEADER + " header of " + bundle.getSymbolicName() + " " + bundle.getVersion();
    }

    /**
     * {@code name=value} entries separated by commas; a comma not followed by {@code name=} belongs
     * to the value (an {@code accessFormat} may hold commas).
     */
    static Map<String, String> parseHeader(String header) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String entry : header.split(",(?=\\s*[A-Za-z][A-Za-z0-9_.]*\\s*=)")) {
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

    /**
     * A pool configuration {@code io.fastpool.pool~NAME} was created or changed. Every key is checked
     * first; a refused file leaves the pool on its last good configuration, an emptied one counts as
     * removed.
     */
    @Override
    public void updated(String pid, Dictionary<String, ?> properties) {
        String poolName = poolNameOfConfiguration(pid, properties);
        Map<String, Object> written = new HashMap<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (!CheckedConfiguration.isFrameworkKey(key)) {
                written.put(key, properties.get(key));
            }
        }
        Object file = properties.get(CheckedConfiguration.FILE_PROPERTY);
        String source = file != null ? CheckedConfiguration.sourceOf(file) : pid;
        if (written.isEmpty()) {
            LOG.log(Level.WARNING, source + " is empty: treated as removed; pool " + poolName + " returns to its defaults");
            forget(pid, poolName);
            return;
        }
        Verdict verdict = PoolConfiguration.SCHEMA.check(written, source);
        Map<String, Object> values = PoolConfiguration.written(verdict);
        synchronized (this) {
            if (verdict.log(LOG, "pool " + poolName + " keeps running on " + (configurations.containsKey(poolName)
                    ? "the last good " + fileOfPool.get(poolName) : "its defaults"))) {
                refusedFiles.put(poolName, verdict);
                poolOfConfigurationPid.put(pid, poolName);
                return;
            }
            // Under the lock that deploying takes: a pool being made now either sees these values or is
            // made before and reconfigured here, never made from stale ones after this returns.
            refusedFiles.remove(poolName);
            poolOfConfigurationPid.put(pid, poolName);
            configurations.put(poolName, values);
            fileOfPool.put(poolName, source);
            List<String> warnings = new ArrayList<>();
            verdict.warnings().forEach(problem -> warnings.add(problem.describe(source)));
            warningsOfPool.put(poolName, warnings);
            reconfigure(poolName);
        }
        LOG.log(Level.INFO, "pool " + poolName + " configured from " + source);
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
        String poolName = poolOfConfigurationPid.get(pid);
        if (poolName != null) {
            String source = fileOfPool.getOrDefault(poolName, refusedFiles.containsKey(poolName) ? refusedFiles.get(poolName).source() : pid);
            LOG.log(Level.INFO, source + " removed: pool " + poolName + " returns to its defaults");
            forget(pid, poolName);
        }
    }

    private synchronized void forget(String pid, String poolName) {
        poolOfConfigurationPid.remove(pid);
        refusedFiles.remove(poolName);
        fileOfPool.remove(poolName);
        warningsOfPool.remove(poolName);
        if (configurations.remove(poolName) != null) {
            reconfigure(poolName);
        }
    }

    /** One report per pool (running or configured): each setting's value and origin, and a refused file. */
    @Override
    public List<ConfigurationReport> configurationReports() {
        java.util.SortedSet<String> names = new java.util.TreeSet<>(pools.keySet());
        names.addAll(configurations.keySet());
        names.addAll(refusedFiles.keySet());
        List<ConfigurationReport> reports = new ArrayList<>();
        for (String name : names) {
            Pool pool = pools.get(name);
            Bundle bundle = pool == null ? null : bundleOf(pool);
            Map<String, Object> header = headerSettings(bundle);
            Map<String, Object> file = configurations.getOrDefault(name, Map.of());
            PoolSettings effective = pool != null ? pool.settings() : settingsFor(name, null);
            reports.add(PoolConfiguration.report(name, effective, header, bundle == null ? null : headerSource(bundle), file,
                    fileOfPool.get(name), refusedFiles.get(name), warningsOfPool.getOrDefault(name, List.of())));
        }
        return reports;
    }

    private Bundle bundleOf(Pool pool) {
        for (App app : pool.apps()) {
            if (app instanceof ServiceApp serviceApp && context != null) {
                return context.getBundle(serviceApp.bundleId());
            }
        }
        return null;
    }

    private void reconfigure(String poolName) {
        Pool pool = pools.get(poolName);
        if (pool == null) {
            return;
        }
        pool.updateSettings(settingsFor(poolName, bundleOf(pool)));
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

    private PoolHost host() {
        return new PoolHost() {
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
                return executors.responder();
            }

            @Override
            public java.util.concurrent.Executor lifecycle() {
                return executors.lifecycle();
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

    static Thread daemon(Runnable task, String name) {
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
