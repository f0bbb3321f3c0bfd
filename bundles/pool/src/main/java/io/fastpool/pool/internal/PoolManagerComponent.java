package io.fastpool.pool.internal;

import io.fastpool.api.WebApp;
import io.fastpool.api.spi.RequestTarget;
import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReports;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
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
 * The pool manager (IIS's WAS) as a DS component: the services it offers and the events it takes,
 * handed to the parts that do the work: {@link AppDeployments} (apps from {@code WebApp} services,
 * their pools and {@link RequestTarget} routes), {@link PoolConfigurations} (the
 * {@code io.fastpool.pool~NAME} configurations and the {@link PoolHeaders manifest header}), the
 * operations of {@link PoolManager}, and the watchdog thread that checks every pool every 200 ms.
 *
 * <p>The <b>manager lock</b> ({@link #managerLock}) is taken by deploying, undeploying and applying
 * a configuration, so that a pool is never made from settings already replaced; under it those take
 * a pool's lock (see {@link Pool}), never the other way round. The watchdog thread, the operations
 * and routing do not take it. The component's own monitor guards only the references bound before
 * activation; activation deploys those while holding it, so it comes before the manager lock.
 */
@Component(service = {PoolManager.class, ManagedServiceFactory.class, ConfigurationListener.class, ConfigurationReports.class},
        immediate = true, property = Constants.SERVICE_PID + "=" + PoolConfiguration.FACTORY_PID)
public final class PoolManagerComponent implements PoolManager, ManagedServiceFactory, ConfigurationListener, ConfigurationReports {

    static final String FACTORY_PID = PoolConfiguration.FACTORY_PID;
    private static final System.Logger LOG = System.getLogger(PoolManagerComponent.class.getName());
    private static final long CHECK_EVERY_MILLIS = 200;

    private final Object managerLock = new Object();
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    /** The pools the watchdog visits. */
    private final AwakePools awake = new AwakePools();
    private final PoolConfigurations configurations = new PoolConfigurations(managerLock, pools, new PoolHeaders(), this::bundleOf);
    /** Every pool's access log lines, written by one thread off the request path. */
    private final AccessLogWriter accessLogs = new AccessLogWriter();
    /**
     * WebApp references bound before activation; null once active. Guarded by this component's
     * monitor, which activation holds while it deploys them (then taking the manager lock).
     */
    private List<ServiceReference<WebApp>> early = new ArrayList<>();
    private volatile BundleContext context;
    private volatile AppDeployments deployments;
    private ScheduledExecutorService watchdog;
    private PoolExecutors executors;
    private BundleListener uninstallListener;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        executors = new PoolExecutors();
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fastpool-pool-watchdog"));
        watchdog.scheduleWithFixedDelay(this::checkPools, CHECK_EVERY_MILLIS, CHECK_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        AppDeployments active = new AppDeployments(context, managerLock, pools, configurations, host());
        uninstallListener = event -> {
            if (event.getType() == BundleEvent.UNINSTALLED) {
                active.bundleUninstalled(event.getBundle().getBundleId());
            }
        };
        context.addBundleListener(uninstallListener);
        synchronized (this) {
            deployments = active;
            early.forEach(active::bind);
            early = null;
        }
        configurations.applyNamed(context, null);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(uninstallListener);
        watchdog.shutdownNow();
        deployments.close();
        pools.values().forEach(Pool::shutdown);
        pools.clear();
        executors.shutdown();
        try {
            accessLogs.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- WebApp services: see AppDeployments ----------------------------------------------------

    @Reference(service = WebApp.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindWebApp(ServiceReference<WebApp> reference) {
        AppDeployments active = activeOrElse(waiting -> waiting.add(reference));
        if (active != null) {
            active.bind(reference);
        }
    }

    void updatedWebApp(ServiceReference<WebApp> reference) {
        AppDeployments active = deployments;
        if (active != null) {
            active.updated(reference);
        }
    }

    void unbindWebApp(ServiceReference<WebApp> reference) {
        AppDeployments active = activeOrElse(waiting -> waiting.remove(reference));
        if (active != null) {
            active.unbind(reference);
        }
    }

    /** The deployments once active; before that, null, and {@code beforeActivation} changes the early references. */
    private synchronized AppDeployments activeOrElse(Consumer<List<ServiceReference<WebApp>>> beforeActivation) {
        if (deployments == null) {
            beforeActivation.accept(early);
        }
        return deployments;
    }

    /** The bundle whose {@code Fastpool-Pool} header applies to a pool; null before activation. */
    private Bundle bundleOf(Pool pool) {
        AppDeployments active = deployments;
        return active == null ? null : active.bundleOf(pool);
    }

    // ---- configurations: see PoolConfigurations ---------------------------------------------------

    @Override
    public String getName() {
        return "Fastpool pools";
    }

    @Override
    public void updated(String pid, Dictionary<String, ?> properties) {
        configurations.updated(pid, properties);
    }

    @Override
    public void deleted(String pid) {
        configurations.deleted(pid);
    }

    /**
     * FileInstall 3.7 reads {@code conf/io.fastpool.pool~NAME.cfg} as a plain configuration whose PID
     * is {@code io.fastpool.pool~NAME}, which the {@link ManagedServiceFactory} never sees. These
     * events bring such configurations to {@link #updated} and {@link #deleted} all the same.
     */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getFactoryPid() != null || !event.getPid().startsWith(FACTORY_PID + "~")) {
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            deleted(event.getPid());
        } else if (event.getType() == ConfigurationEvent.CM_UPDATED && context != null) {
            configurations.applyNamed(context, event.getPid());
        }
    }

    @Override
    public List<ConfigurationReport> configurationReports() {
        return configurations.reports();
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
        return Optional.ofNullable(pools.get(name)).map(Pool::snapshot);
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
            throw new IllegalArgumentException("no pool named " + name + "; pools: " + new TreeSet<>(pools.keySet()));
        }
        return pool;
    }

    // ---- what the pools get from the manager ------------------------------------------------------

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
            public Executor responder() {
                return executors.responder();
            }

            @Override
            public Executor lifecycle() {
                return executors.lifecycle();
            }

            @Override
            public Executor admission() {
                return executors.admission();
            }

            @Override
            public AccessLogWriter accessLogWriter() {
                return accessLogs;
            }

            @Override
            public void woke(Pool pool) {
                awake.woke(pool);
            }

            @Override
            public Path resolve(String file) {
                String home = context.getProperty("fastpool.home");
                Path path = Path.of(file);
                return home == null || path.isAbsolute() ? path.toAbsolutePath() : Path.of(home).resolve(path);
            }
        };
    }

    /** The watchdog thread's round: each awake pool's {@link Pool#check}, and its apps' expired sessions. */
    private void checkPools() {
        awake.round(pool -> pools.get(pool.name()) == pool);
    }

    static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
