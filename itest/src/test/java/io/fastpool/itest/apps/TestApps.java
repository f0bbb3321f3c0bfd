package io.fastpool.itest.apps;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.ops4j.pax.tinybundles.TinyBundle;
import org.ops4j.pax.tinybundles.TinyBundles;

/**
 * The test apps packed as bundles by TinyBundles, with bnd computing the imports and the Declarative
 * Services description from the classes' annotations. Built on the test's side of pax-exam (in
 * {@code @Configuration}, or into files that the test installs itself when the moment matters).
 */
public final class TestApps {

    private TestApps() {
    }

    /** {@link PooledHello} in bundle {@code symbolicName} {@code version}, mounted at {@code path}. */
    public static InputStream pooledHello(String symbolicName, String version, String path) {
        return pooledHello(symbolicName, version, Map.of("fastpool.mount.path", path));
    }

    /**
     * {@link PooledHello} in bundle {@code symbolicName} {@code version}, with these component
     * properties (fastpool.mount.path, and a pool name or virtual hosts).
     */
    public static InputStream pooledHello(String symbolicName, String version, Map<String, String> mount) {
        return pooledHelloBundle(symbolicName, version, mount).build(TinyBundles.bndBuilder());
    }

    /** The same, with one more manifest header (e.g. Fastpool-Pool). */
    public static InputStream pooledHello(String symbolicName, String version, Map<String, String> mount,
            String header, String value) {
        return pooledHelloBundle(symbolicName, version, mount).setHeader(header, value).build(TinyBundles.bndBuilder());
    }

    /** {@link #pooledHello(String, String, String)} written to a jar in {@code directory}, for a test that installs it later. */
    public static Path pooledHelloJar(Path directory, String symbolicName, String version, Map<String, String> mount) {
        return write(directory.resolve(symbolicName + "-" + version + ".jar"), pooledHello(symbolicName, version, mount));
    }

    /** {@link ExitingApp} in bundle {@code symbolicName} 1.0.0, written to a jar in {@code directory}. */
    public static Path exitingAppJar(Path directory, String symbolicName) {
        return write(directory.resolve(symbolicName + "-1.0.0.jar"), TinyBundles.bundle().symbolicName(symbolicName)
                .setHeader("Bundle-Version", "1.0.0").addClass(ExitingApp.class).build(TinyBundles.bndBuilder()));
    }

    /** The app bundle io.fastpool.itest.app 1.0.0: {@link TestAppActivator} and {@link BigResponse}. */
    public static InputStream testApp() {
        return TinyBundles.bundle()
                .symbolicName("io.fastpool.itest.app")
                .setHeader("Bundle-Version", "1.0.0")
                .activator(TestAppActivator.class)
                .addClass(TestAppActivator.class)
                .addClass(BigResponse.class)
                .build(TinyBundles.bndBuilder());
    }

    private static TinyBundle pooledHelloBundle(String symbolicName, String version, Map<String, String> mount) {
        return TinyBundles.bundle()
                .symbolicName(symbolicName)
                .setHeader("Bundle-Version", version)
                .addClass(PooledHello.class)
                .addResource(PooledHello.MOUNT_PROPERTIES, properties(mount));
    }

    private static InputStream properties(Map<String, String> values) {
        Properties properties = new Properties();
        properties.putAll(new LinkedHashMap<>(values));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            properties.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ByteArrayInputStream(out.toByteArray());
    }

    private static Path write(Path jar, InputStream content) {
        try (InputStream in = content) {
            Files.createDirectories(jar.getParent());
            Files.copy(in, jar);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
