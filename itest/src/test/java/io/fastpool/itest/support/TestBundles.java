package io.fastpool.itest.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Packs classes from the test class path into a bundle jar with a manifest and component
 * description written by hand, for the tests of the built distribution, which drop such jars into
 * its deploy/ folder, some with a header made wrong on purpose. The platform tests build their app
 * bundles with TinyBundles and bnd instead ({@link io.fastpool.itest.apps.TestApps}). The classes
 * may use only the packages listed as imports.
 */
public final class TestBundles {

    private TestBundles() {
    }

    /**
     * Writes a bundle with one Declarative Services component, described by {@code componentXml}
     * (the content of OSGI-INF/component.xml), holding {@code classes}.
     */
    public static Path buildComponent(Path directory, String symbolicName, String version, String imports,
            String extraHeaders, String componentXml, Class<?>... classes) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", version);
        main.putValue("Import-Package", imports);
        main.putValue("Service-Component", "OSGI-INF/component.xml");
        if (extraHeaders != null) {
            for (String header : extraHeaders.split("\n")) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    main.putValue(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
                }
            }
        }
        Files.createDirectories(directory);
        Path jar = directory.resolve(symbolicName + "-" + version + ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("OSGI-INF/component.xml"));
            out.write(componentXml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
            for (Class<?> type : classes) {
                addClassAndNested(out, type);
            }
        }
        return jar;
    }

    private static void addClassAndNested(JarOutputStream out, Class<?> type) throws IOException {
        String resource = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("class file not found on the test class path: " + resource);
            }
            out.putNextEntry(new JarEntry(resource));
            in.transferTo(out);
            out.closeEntry();
        }
        for (Class<?> nested : type.getDeclaredClasses()) {
            addClassAndNested(out, nested);
        }
        // Lambdas and anonymous classes compile to Type$1, Type$2, ...: add those that exist.
        for (int i = 1; ; i++) {
            String anonymous = type.getName().replace('.', '/') + "$" + i + ".class";
            try (InputStream in = type.getClassLoader().getResourceAsStream(anonymous)) {
                if (in == null) {
                    break;
                }
                out.putNextEntry(new JarEntry(anonymous));
                in.transferTo(out);
                out.closeEntry();
            }
        }
    }
}
