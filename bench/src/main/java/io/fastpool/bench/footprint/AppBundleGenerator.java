package io.fastpool.bench.footprint;

import io.fastpool.bench.footprint.app.IdleApp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes app bundles for footprint runs: bundle {@code N} is {@code fastpool.footprint.appN.jar},
 * an OSGi bundle with one Declarative Services component that provides {@code io.fastpool.api.WebApp}
 * mounted at {@code /appN} (the component property {@code fastpool.mount.path}), as bnd writes the
 * samples' bundles: the same manifest headers and component XML, without running bnd.
 *
 * <p>Every bundle holds the same compiled class, {@link IdleApp}, in the same private package; each
 * bundle gets its own class loader, so each app loads its own copy, as separately built apps would.
 * The component is delayed (a service component without {@code immediate}), so the pool manager
 * activates it on the first request. With a pool header, the bundle carries {@code Fastpool-Pool}
 * (such as {@code idleTimeout=5s}) for its pool, which is named after its symbolic name.
 *
 * <p>A jar is written under a temporary name and renamed into place, so a running server's deploy
 * folder never sees half a jar.
 */
public final class AppBundleGenerator {

    /** The package of the app class, private to each bundle. */
    static final String APP_CLASS = IdleApp.class.getName();
    /** Prefix of every generated bundle's symbolic name. */
    public static final String SYMBOLIC_NAME_PREFIX = "fastpool.footprint.app";
    /** The manifest header of a pool's settings, read by the pool manager. */
    public static final String POOL_HEADER = "Fastpool-Pool";

    /** Entry times: fixed, so the same input gives the same bytes. */
    private static final long ENTRY_TIME = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    private final String poolHeader;
    private final byte[] appClass;

    /** A generator; {@code poolHeader} is the {@code Fastpool-Pool} value, or null for none. */
    public AppBundleGenerator(String poolHeader) {
        if (poolHeader != null && (poolHeader.isBlank() || poolHeader.indexOf('\n') >= 0 || poolHeader.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException(POOL_HEADER + " value must be one non-blank line, was '" + poolHeader + "'");
        }
        this.poolHeader = poolHeader;
        this.appClass = readAppClass();
    }

    /** {@code fastpool.footprint.appN}: the bundle's symbolic name, also its pool's name. */
    public static String symbolicName(int index) {
        return SYMBOLIC_NAME_PREFIX + index;
    }

    /** {@code /appN}: where app {@code N} is mounted. */
    public static String mountPath(int index) {
        return "/app" + index;
    }

    /** {@code fastpool.footprint.appN.jar}. */
    public static String fileName(int index) {
        return symbolicName(index) + ".jar";
    }

    /** Writes bundles {@code 1} to {@code count} into {@code directory}. */
    public void writeAll(Path directory, int count) throws IOException {
        for (int i = 1; i <= count; i++) {
            write(directory, i);
        }
    }

    /** Writes bundle {@code index} into {@code directory} and returns its path. */
    public Path write(Path directory, int index) throws IOException {
        if (index < 1) {
            throw new IllegalArgumentException("bundle index must be 1 or more, was " + index);
        }
        Path target = directory.resolve(fileName(index));
        Path partial = directory.resolve(fileName(index) + ".partial");
        try (OutputStream file = Files.newOutputStream(partial);
                JarOutputStream jar = new JarOutputStream(file, manifest(index))) {
            putEntry(jar, "OSGI-INF/", null);
            putEntry(jar, componentXmlPath(index), componentXml(index).getBytes(StandardCharsets.UTF_8));
            String classPath = APP_CLASS.replace('.', '/');
            String packagePath = classPath.substring(0, classPath.lastIndexOf('/') + 1);
            StringBuilder folder = new StringBuilder();
            for (String part : packagePath.split("/")) {
                folder.append(part).append('/');
                putEntry(jar, folder.toString(), null);
            }
            putEntry(jar, classPath + ".class", appClass);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** The manifest of bundle {@code index}: the headers bnd writes for a sample app. */
    Manifest manifest(int index) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName(index));
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Bundle-Name", "Fastpool footprint app " + index);
        main.putValue("Import-Package", "io.fastpool.api;version=\"[1.0,2)\"");
        main.putValue("Provide-Capability", "osgi.service;objectClass:List<String>=\"io.fastpool.api.WebApp\";uses:=\"io.fastpool.api\"");
        main.putValue("Require-Capability", "osgi.extender;filter:=\"(&(osgi.extender=osgi.component)(version>=1.5.0)"
                + "(!(version>=2.0.0)))\",osgi.ee;filter:=\"(&(osgi.ee=JavaSE)(version=17))\"");
        main.putValue("Service-Component", componentXmlPath(index));
        if (poolHeader != null) {
            main.putValue(POOL_HEADER, poolHeader);
        }
        return manifest;
    }

    static String componentName(int index) {
        return symbolicName(index) + ".IdleApp";
    }

    static String componentXmlPath(int index) {
        return "OSGI-INF/" + componentName(index) + ".xml";
    }

    /** The component description: a delayed WebApp service mounted at {@code /appN} on any host, in its own pool. */
    static String componentXml(int index) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"" + componentName(index) + "\">\n"
                + "  <property name=\"fastpool.mount.path\" type=\"String\" value=\"" + mountPath(index) + "\"/>\n"
                + "  <property name=\"fastpool.mount.host\" type=\"String\">*</property>\n"
                + "  <property name=\"fastpool.mount.pool\" type=\"String\" value=\"\"/>\n"
                + "  <service>\n"
                + "    <provide interface=\"io.fastpool.api.WebApp\"/>\n"
                + "  </service>\n"
                + "  <implementation class=\"" + APP_CLASS + "\"/>\n"
                + "</scr:component>\n";
    }

    private static void putEntry(JarOutputStream jar, String name, byte[] content) throws IOException {
        JarEntry entry = new JarEntry(name);
        entry.setTime(ENTRY_TIME);
        jar.putNextEntry(entry);
        if (content != null) {
            jar.write(content);
        }
        jar.closeEntry();
    }

    private static byte[] readAppClass() {
        String resource = APP_CLASS.substring(APP_CLASS.lastIndexOf('.') + 1) + ".class";
        try (InputStream in = IdleApp.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("class file " + resource + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class file of " + APP_CLASS, e);
        }
    }
}
