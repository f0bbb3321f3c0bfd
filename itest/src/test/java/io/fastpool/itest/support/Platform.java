package io.fastpool.itest.support;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The assembled Fastpool platform in a real Apache Felix, started in-process: SCR, Configuration
 * Admin, netty, jackson-core (the status bundle's JSON) and the Fastpool bundles, as failsafe lists
 * them in {@code platform.bundles}.
 * Configuration is given before the Fastpool bundles start, so no component ever binds a default
 * address.
 */
public final class Platform implements AutoCloseable {

    private final Framework framework;
    private final Map<String, Bundle> bundles = new HashMap<>();

    private Platform(Framework framework) {
        this.framework = framework;
    }

    /** Starts the platform with these configurations (PID to properties) in place. */
    public static Platform start(Path storage, Map<String, Map<String, Object>> configurations) throws Exception {
        return start(storage, configurations, List.of());
    }

    /**
     * Starts the platform plus {@code extraBundles} (jar paths), installed with the platform's own
     * before any bundle starts: a bundle's optional imports are wired when it resolves, at its
     * first start, so bundles installed after that (e.g. netty's epoll for the transport) would
     * not be seen without a refresh. Fragments among them attach to their hosts then too.
     */
    public static Platform start(Path storage, Map<String, Map<String, Object>> configurations, List<String> extraBundles)
            throws Exception {
        JulNettyLeaks.install();
        Files.createDirectories(storage);
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toAbsolutePath().toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("ds.loglevel", "warn");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi FrameworkFactory on the test class path"));
        Framework framework = factory.newFramework(config);
        framework.start();
        Platform platform = new Platform(framework);
        try {
            BundleContext context = framework.getBundleContext();
            List<Bundle> installed = new ArrayList<>();
            List<String> paths = new ArrayList<>(bundlePaths());
            paths.addAll(extraBundles);
            for (String path : paths) {
                Bundle bundle = context.installBundle(new File(path).toURI().toString());
                platform.bundles.put(bundle.getSymbolicName(), bundle);
                installed.add(bundle);
            }
            // Configuration Admin first, then the configuration, then everything else.
            for (Bundle bundle : installed) {
                if (bundle.getSymbolicName().startsWith("org.osgi.") || bundle.getSymbolicName().equals("org.apache.felix.configadmin")) {
                    bundle.start();
                }
            }
            for (Map.Entry<String, Map<String, Object>> entry : configurations.entrySet()) {
                platform.configure(entry.getKey(), entry.getValue());
            }
            for (Bundle bundle : installed) {
                if (bundle.getState() != Bundle.ACTIVE && bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    bundle.start();
                }
            }
        } catch (Exception | Error e) {
            platform.close();
            throw e;
        }
        return platform;
    }

    /**
     * The platform with the transport listening on {@code socket} (and on 127.0.0.1:{@code tcpPort}
     * if it is above 0), {@code moreTransport} added to the transport's configuration, and the test
     * app bundle ({@link io.fastpool.itest.apps.TestAppActivator}) installed; returns once the socket
     * exists.
     */
    public static Platform withTestApp(Path work, Path socket, int tcpPort, Map<String, Object> moreTransport) throws Exception {
        Map<String, Object> transport = new HashMap<>(moreTransport);
        transport.put("listen", tcpPort > 0 ? new String[] {"unix:" + socket, "tcp:127.0.0.1:" + tcpPort} : new String[] {"unix:" + socket});
        Platform platform = start(work.resolve("felix"), Map.of("io.fastpool.transport", transport));
        try {
            Path app = work.resolve("io.fastpool.itest.app.jar");
            try (java.io.InputStream in = io.fastpool.itest.apps.TestApps.testApp()) {
                Files.copy(in, app, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            platform.install(app);
            await(Duration.ofSeconds(10), "the unix socket " + socket, () -> Files.exists(socket));
            return platform;
        } catch (Exception | Error e) {
            platform.close();
            throw e;
        }
    }

    private static List<String> bundlePaths() throws java.io.IOException {
        String list = System.getProperty("platform.bundles.file");
        if (list == null || list.isBlank() || list.contains("${")) {
            throw new IllegalStateException("system property platform.bundles.file is not set: run through failsafe (mvn verify)");
        }
        return List.of(Files.readString(Path.of(list)).strip().split(File.pathSeparator));
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    /** The installed bundle with this symbolic name. */
    public Bundle bundle(String symbolicName) {
        Bundle bundle = bundles.get(symbolicName);
        if (bundle == null) {
            throw new IllegalArgumentException("no bundle " + symbolicName + " in the platform; have " + bundles.keySet());
        }
        return bundle;
    }

    /** Installs and starts a bundle from a file. */
    public Bundle install(Path jar) throws Exception {
        Bundle bundle = context().installBundle(jar.toUri().toString());
        bundle.start();
        bundles.put(bundle.getSymbolicName(), bundle);
        return bundle;
    }

    /**
     * Creates or updates a configuration through Configuration Admin. Done by reflection: the
     * service's classes are the bundle's, not the test class path's.
     */
    public void configure(String pid, Map<String, Object> properties) throws Exception {
        BundleContext context = context();
        ServiceReference<?> reference = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        // Felix Configuration Admin registers its service from a thread of its own, not in start(). The
        // test's class space has no org.osgi.service.cm, so ask without the assignability check.
        while ((reference = firstReference(context, "org.osgi.service.cm.ConfigurationAdmin")) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Configuration Admin is not running; bundles: " + describeBundles());
            }
            Thread.sleep(10);
        }
        Object admin = context.getService(reference);
        try {
            Method getConfiguration = admin.getClass().getMethod("getConfiguration", String.class, String.class);
            getConfiguration.setAccessible(true);
            Object configuration = getConfiguration.invoke(admin, pid, "?");
            Method update = configuration.getClass().getMethod("update", Dictionary.class);
            update.setAccessible(true);
            update.invoke(configuration, new Hashtable<>(properties));
        } finally {
            context.ungetService(reference);
        }
    }

    private static ServiceReference<?> firstReference(BundleContext context, String type) throws Exception {
        ServiceReference<?>[] references = context.getAllServiceReferences(type, null);
        return references == null || references.length == 0 ? null : references[0];
    }

    private String describeBundles() {
        StringBuilder text = new StringBuilder();
        for (Bundle bundle : context().getBundles()) {
            text.append(bundle.getSymbolicName()).append('=').append(bundle.getState());
            ServiceReference<?>[] registered = bundle.getRegisteredServices();
            if (registered != null) {
                for (ServiceReference<?> service : registered) {
                    text.append(java.util.Arrays.toString((String[]) service.getProperty(Constants.OBJECTCLASS)));
                }
            }
            text.append(' ');
        }
        return text.toString();
    }

    /**
     * Creates or updates the named factory configuration {@code factoryPid~name} (Configuration
     * Admin 1.6), as FileInstall does for {@code factoryPid~name.cfg}.
     */
    public void configureFactory(String factoryPid, String name, Map<String, Object> properties) throws Exception {
        BundleContext context = context();
        ServiceReference<?> reference = firstReference(context, "org.osgi.service.cm.ConfigurationAdmin");
        Object admin = context.getService(reference);
        try {
            Method getFactoryConfiguration = admin.getClass().getMethod("getFactoryConfiguration", String.class, String.class, String.class);
            getFactoryConfiguration.setAccessible(true);
            Object configuration = getFactoryConfiguration.invoke(admin, factoryPid, name, "?");
            Method update = configuration.getClass().getMethod("update", Dictionary.class);
            update.setAccessible(true);
            update.invoke(configuration, new Hashtable<>(properties));
        } finally {
            context.ungetService(reference);
        }
    }

    /** Threads of this JVM whose name starts with {@code prefix}. */
    public static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    public static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        try {
            org.awaitility.Awaitility.await(what).pollInSameThread().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(condition::getAsBoolean);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // An assertion failure, as the tests that add context to a failed wait expect.
            throw new AssertionError("timed out after " + timeout + " waiting for " + what, e);
        }
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        FrameworkEvent event = framework.waitForStop(30_000);
        if (event.getType() != FrameworkEvent.STOPPED) {
            throw new IllegalStateException("framework did not stop cleanly: " + event.getType(), event.getThrowable());
        }
    }
}
