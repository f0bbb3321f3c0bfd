package io.fastpool.itest.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.cm.ConfigurationAdmin;

/** What the platform tests do inside the framework: wait for a condition, count threads, install an app, configure. */
public final class PlatformChecks {

    private PlatformChecks() {
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        try {
            Awaitility.await(what).pollInSameThread().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            // An assertion failure, as the tests that add context to a failed wait expect.
            throw new AssertionError("timed out after " + timeout + " waiting for " + what, e);
        }
    }

    /** Threads of this JVM whose name starts with {@code prefix}. */
    public static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** Installs and starts the bundle in {@code jar}. */
    public static Bundle install(BundleContext context, Path jar) throws BundleException {
        Bundle bundle = context.installBundle(jar.toUri().toString());
        bundle.start();
        return bundle;
    }

    /**
     * Creates or updates the named factory configuration {@code factoryPid~name} (Configuration
     * Admin 1.6), as FileInstall does for {@code factoryPid~name.cfg}.
     */
    public static void configureFactory(ConfigurationAdmin admin, String factoryPid, String name, Map<String, Object> properties) {
        try {
            admin.getFactoryConfiguration(factoryPid, name, "?").update(dictionary(properties));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates or updates the configuration {@code pid}. */
    public static void configure(ConfigurationAdmin admin, String pid, Map<String, Object> properties) {
        try {
            admin.getConfiguration(pid, "?").update(dictionary(properties));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Dictionary<String, Object> dictionary(Map<String, Object> properties) {
        return new Hashtable<>(properties);
    }
}
