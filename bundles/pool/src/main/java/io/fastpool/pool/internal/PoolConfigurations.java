package io.fastpool.pool.internal;

import io.fastpool.config.CheckedConfiguration;
import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.Verdict;
import io.fastpool.pool.PoolSettings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The pools' {@code io.fastpool.pool~NAME} configurations: each file checked key by key before it
 * applies (a refused one leaves its pool on the last good configuration), merged over the app's
 * {@code Fastpool-Pool} header and the defaults into a pool's settings, applied to a running pool,
 * and reported with where each value came from.
 *
 * <p>Applying a configuration takes the manager lock, the one deploying takes (see
 * {@link AppDeployments}): a pool being made either sees the new values or is made before and
 * reconfigured here, never made from stale ones afterwards.
 */
final class PoolConfigurations {

    /** Logged as the pool manager, whose logger operators know for configuration verdicts. */
    private static final System.Logger LOG = System.getLogger(PoolManagerComponent.class.getName());

    private final Object managerLock;
    private final Map<String, Pool> pools;
    private final PoolHeaders headers;
    /** The app bundle whose header a pool reads (its first app's), or null. */
    private final Function<Pool, Bundle> bundleOf;
    private final Map<String, Map<String, Object>> configurations = new ConcurrentHashMap<>();
    private final Map<String, String> poolOfConfigurationPid = new ConcurrentHashMap<>();
    /** The file each pool's running configuration came from. */
    private final Map<String, String> fileOfPool = new ConcurrentHashMap<>();
    /** Unknown keys of each pool's running configuration. */
    private final Map<String, List<String>> warningsOfPool = new ConcurrentHashMap<>();
    /** The pools whose latest file was refused, with why; the last good configuration runs. */
    private final Map<String, Verdict> refusedFiles = new ConcurrentHashMap<>();

    PoolConfigurations(Object managerLock, Map<String, Pool> pools, PoolHeaders headers, Function<Pool, Bundle> bundleOf) {
        this.managerLock = managerLock;
        this.pools = pools;
        this.headers = headers;
        this.bundleOf = bundleOf;
    }

    /** The settings of pool {@code poolName}: its file over {@code bundle}'s header over the defaults. */
    PoolSettings settingsFor(String poolName, Bundle bundle) {
        Map<String, Object> header = headers.settings(bundle);
        Map<String, Object> configured = configurations.getOrDefault(poolName, Map.of());
        try {
            return PoolSettingsParser.apply(PoolSettingsParser.apply(PoolSettings.DEFAULTS, header), configured);
        } catch (IllegalArgumentException e) {
            // Only a rule across keys can fail here (minThreads above maxThreads between header and file).
            LOG.log(Level.ERROR, "pool " + poolName + ": the app's " + PoolHeaders.POOL_HEADER + " header and " + fileOfPool.get(poolName)
                    + " together are refused (" + e.getMessage() + "); the file's settings apply alone");
            return PoolSettingsParser.apply(PoolSettings.DEFAULTS, configured);
        }
    }

    /**
     * A pool configuration {@code pid} was created or changed. Every key is checked first; a refused
     * file leaves the pool on its last good configuration, an emptied one counts as removed.
     */
    void updated(String pid, Dictionary<String, ?> properties) {
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
        synchronized (managerLock) {
            poolOfConfigurationPid.put(pid, poolName);
            if (verdict.log(LOG, "pool " + poolName + " keeps running on " + (configurations.containsKey(poolName)
                    ? "the last good " + fileOfPool.get(poolName) : "its defaults"))) {
                refusedFiles.put(poolName, verdict);
                return;
            }
            refusedFiles.remove(poolName);
            configurations.put(poolName, values);
            fileOfPool.put(poolName, source);
            List<String> warnings = new ArrayList<>();
            verdict.warnings().forEach(problem -> warnings.add(problem.describe(source)));
            warningsOfPool.put(poolName, warnings);
            reconfigure(poolName);
        }
        LOG.log(Level.INFO, "pool " + poolName + " configured from " + source);
    }

    /** The configuration {@code pid} was deleted: its pool returns to its defaults. */
    void deleted(String pid) {
        String poolName = poolOfConfigurationPid.get(pid);
        if (poolName != null) {
            String source = fileOfPool.getOrDefault(poolName, refusedFiles.containsKey(poolName) ? refusedFiles.get(poolName).source() : pid);
            LOG.log(Level.INFO, source + " removed: pool " + poolName + " returns to its defaults");
            forget(pid, poolName);
        }
    }

    private void forget(String pid, String poolName) {
        synchronized (managerLock) {
            poolOfConfigurationPid.remove(pid);
            refusedFiles.remove(poolName);
            fileOfPool.remove(poolName);
            warningsOfPool.remove(poolName);
            if (configurations.remove(poolName) != null) {
                reconfigure(poolName);
            }
        }
    }

    private void reconfigure(String poolName) {
        Pool pool = pools.get(poolName);
        if (pool != null) {
            pool.updateSettings(settingsFor(poolName, bundleOf.apply(pool)));
        }
    }

    /**
     * Applies the {@code io.fastpool.pool~NAME} plain configuration {@code pid}, or every one when
     * null. FileInstall 3.7 reads {@code conf/io.fastpool.pool~NAME.cfg} as a plain configuration
     * (only {@code -} in a file name makes it a factory configuration), which a managed service
     * factory never sees: it is read from Configuration Admin here.
     */
    void applyNamed(BundleContext context, String pid) {
        ServiceReference<ConfigurationAdmin> reference = context.getServiceReference(ConfigurationAdmin.class);
        ConfigurationAdmin admin = reference == null ? null : context.getService(reference);
        if (admin == null) {
            return;
        }
        String wanted = pid == null ? PoolConfiguration.FACTORY_PID + "~*" : pid;
        try {
            Configuration[] found = admin.listConfigurations("(" + Constants.SERVICE_PID + "=" + wanted + ")");
            for (Configuration configuration : found == null ? new Configuration[0] : found) {
                Dictionary<String, Object> properties = configuration.getProperties();
                if (configuration.getFactoryPid() == null && properties != null) {
                    updated(configuration.getPid(), properties);
                }
            }
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            LOG.log(Level.ERROR, "could not read the pool configurations " + wanted + ": " + e.getMessage());
        } finally {
            context.ungetService(reference);
        }
    }

    /** One report per pool (running or configured): each setting's value and origin, and a refused file. */
    List<ConfigurationReport> reports() {
        SortedSet<String> names = new TreeSet<>(pools.keySet());
        names.addAll(configurations.keySet());
        names.addAll(refusedFiles.keySet());
        List<ConfigurationReport> reports = new ArrayList<>();
        for (String name : names) {
            Pool pool = pools.get(name);
            Bundle bundle = pool == null ? null : bundleOf.apply(pool);
            PoolSettings effective = pool != null ? pool.settings() : settingsFor(name, null);
            reports.add(PoolConfiguration.report(name, effective, headers.settings(bundle), bundle == null ? null : PoolHeaders.source(bundle),
                    configurations.getOrDefault(name, Map.of()), fileOfPool.get(name), refusedFiles.get(name),
                    warningsOfPool.getOrDefault(name, List.of())));
        }
        return reports;
    }

    /** The pool a configuration is for: its {@code name} property, or the PID's part after {@code ~}. */
    static String poolNameOfConfiguration(String pid, Dictionary<String, ?> properties) {
        Object name = properties == null ? null : properties.get("name");
        if (name instanceof String text && !text.isBlank()) {
            return text.trim();
        }
        int tilde = pid.indexOf('~');
        return tilde >= 0 ? pid.substring(tilde + 1) : pid;
    }
}
