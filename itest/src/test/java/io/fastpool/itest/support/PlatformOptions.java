package io.fastpool.itest.support;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.apps.TestApps;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.ops4j.pax.exam.Constants;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.cm.ConfigurationAdminOptions;
import org.ops4j.pax.exam.cm.ConfigurationOption;
import org.ops4j.pax.exam.options.ProvisionOption;
import org.ops4j.pax.exam.options.UrlProvisionOption;

/**
 * The pax-exam options that assemble the Fastpool platform in Felix: the bundles platform/pom.xml
 * lists (the distribution ships the same list), the JUnit and assertion bundles the tests run with
 * inside the framework, and the tests' configurations.
 * Configuration Admin and the configurations start one start level before the rest, so the
 * transport never binds its default address (tcp 127.0.0.1:9000) before its configuration is in.
 * Values a test needs inside the framework (a socket path, a port) go there as system properties:
 * the options are built on the test's side, the test methods run inside the framework.
 */
public final class PlatformOptions {

    /** Configuration Admin and pax-exam-cm's configuration bundles: started, and so applied, first. */
    private static final int CONFIGURATION_LEVEL = Constants.START_LEVEL_DEFAULT_PROVISION;
    /** The rest of the platform; the test probe comes after it (START_LEVEL_TEST_BUNDLE). */
    private static final int PLATFORM_LEVEL = CONFIGURATION_LEVEL + 1;
    private static final String CONFIGURATION_ADMIN = "org.apache.felix.configadmin";

    private PlatformOptions() {
    }

    /** The platform with {@code configurations} applied before any Fastpool bundle starts. */
    public static Option platform(ConfigurationOption... configurations) {
        List<Option> options = new ArrayList<>();
        options.add(cleanCaches());
        options.add(frameworkProperty("ds.loglevel").value("warn"));
        // pax-exam installs pax-logging-api, which takes over java.util.logging and System.Logger inside the
        // framework and prints at DEBUG by default: INFO, as the JDK's console handler printed before.
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("INFO"));
        options.add(systemProperty("org.ops4j.pax.url.mvn.offline").value("true"));
        options.add(junitBundles());
        options.add(testSupport());
        options.add(OsgiNettyLeaks.recorder());
        // The platform's bundles are the server's own, as bundle/'s are in the distribution: the exit guard weaves
        // every other bundle (the tests' apps).
        options.add(frameworkProperty("fastpool.guard.platformLocations").value(platformBundleFiles().stream()
                .map(file -> new File(file).toURI().toString()).collect(Collectors.joining(","))));
        for (String file : platformBundleFiles()) {
            int level = CONFIGURATION_ADMIN.equals(symbolicName(file)) ? CONFIGURATION_LEVEL : PLATFORM_LEVEL;
            options.add(bundle(new File(file).toURI().toString()).startLevel(level));
        }
        for (ConfigurationOption configuration : configurations) {
            options.add(atConfigurationLevel(configuration));
        }
        return composite(options.toArray(Option[]::new));
    }

    /** The transport's configuration: listening on the unix socket {@code socket} only. */
    public static ConfigurationOption transportOn(Path socket) {
        return ConfigurationAdminOptions.newConfiguration("io.fastpool.transport").put("listen", new String[] {"unix:" + socket});
    }

    /** The transport's configuration: listening on {@code socket} and on 127.0.0.1:{@code tcpPort}. */
    public static ConfigurationOption transportOn(Path socket, int tcpPort) {
        return ConfigurationAdminOptions.newConfiguration("io.fastpool.transport")
                .put("listen", new String[] {"unix:" + socket, "tcp:127.0.0.1:" + tcpPort});
    }

    /**
     * The platform with the transport listening on {@code socket} and on 127.0.0.1:{@code tcpPort},
     * and the test app bundle ({@link io.fastpool.itest.apps.TestAppActivator}) installed.
     */
    public static Option withTestApp(Path socket, int tcpPort) {
        return composite(platform(transportOn(socket, tcpPort)), testBundle(TestApps.testApp()));
    }

    /** A bundle that failsafe names in the system property {@code property} (a file), at the platform's start level. */
    public static Option bundleNamedBy(String property) {
        return bundleFile(requiredProperty(property));
    }

    /** The bundles that failsafe lists (files, comma-separated) in the system property {@code property}; fragments are not started. */
    public static Option bundlesListedBy(String property) {
        return composite(Stream.of(requiredProperty(property).split(",")).map(PlatformOptions::bundleFile).toArray(Option[]::new));
    }

    /**
     * The bundles listed in the file that failsafe names in the system property {@code property}
     * (files separated by the path separator, as platform/ and platform/jaxrs write them); fragments are not started.
     */
    public static Option bundlesInFileNamedBy(String property) {
        return composite(filesListedIn(Path.of(requiredProperty(property))).stream().map(PlatformOptions::bundleFile).toArray(Option[]::new));
    }

    private static Option bundleFile(String file) {
        UrlProvisionOption option = bundle(new File(file).toURI().toString()).startLevel(PLATFORM_LEVEL);
        return header(file, org.osgi.framework.Constants.FRAGMENT_HOST) == null ? option : option.noStart();
    }

    /** A bundle built at test time, started with Configuration Admin, before the rest of the platform. */
    static Option beforePlatform(InputStream jar) {
        return streamBundle(jar).startLevel(CONFIGURATION_LEVEL);
    }

    /** A bundle built at test time (TinyBundles), installed and started with the platform. */
    public static Option testBundle(InputStream jar) {
        return streamBundle(jar).startLevel(PLATFORM_LEVEL);
    }

    /** A fresh working folder under target/ for one test class: sockets, logs, front configurations. */
    public static Path workFolder(String prefix) {
        try {
            Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(Path.of("target"), prefix).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Option atConfigurationLevel(ConfigurationOption configuration) {
        Option option = configuration.asOption();
        if (option instanceof ProvisionOption<?> provision) {
            provision.startLevel(CONFIGURATION_LEVEL);
        }
        return option;
    }

    /** What the tests' own code uses inside the framework: AssertJ (with Byte Buddy) and Awaitility (with Hamcrest). */
    private static Option testSupport() {
        return composite(
                mavenBundle("org.assertj", "assertj-core").versionAsInProject(),
                mavenBundle("net.bytebuddy", "byte-buddy").versionAsInProject(),
                mavenBundle("org.awaitility", "awaitility").versionAsInProject(),
                mavenBundle("org.hamcrest", "hamcrest").versionAsInProject());
    }

    /** The platform's bundle files, as platform/pom.xml lists them (also for tests that start a framework of their own). */
    public static List<String> platformBundleFiles() {
        return filesListedIn(Path.of(requiredProperty("platform.bundles.file")));
    }

    private static List<String> filesListedIn(Path list) {
        try {
            return List.of(Files.readString(list).strip().split(File.pathSeparator));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundle list " + list + " (written by the module that lists them)", e);
        }
    }

    private static String symbolicName(String file) {
        String name = header(file, org.osgi.framework.Constants.BUNDLE_SYMBOLICNAME);
        return name == null ? "" : name.split(";")[0].trim();
    }

    private static String header(String file, String name) {
        try (JarFile jar = new JarFile(file)) {
            return jar.getManifest().getMainAttributes().getValue(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + file, e);
        }
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new IllegalStateException("system property " + name + " is not set: run through failsafe (mvn verify)");
        }
        return value;
    }
}
