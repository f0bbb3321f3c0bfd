package io.fastpool.itest.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.cm.ConfigurationAdmin;

/** What the platform tests do inside the framework, besides waiting ({@link Waits}): find a bundle, install an app, configure. */
public final class InFramework {

    private InFramework() {
    }

    /** The installed bundle with this symbolic name. */
    public static Bundle bundle(BundleContext context, String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + symbolicName + " in the platform"));
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
