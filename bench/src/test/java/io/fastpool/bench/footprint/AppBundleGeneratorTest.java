package io.fastpool.bench.footprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.api.WebApp;
import io.fastpool.bench.footprint.app.IdleApp;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class AppBundleGeneratorTest {

    private static final String SCR_NAMESPACE = "http://www.osgi.org/xmlns/scr/v1.3.0";
    /** An OSGi symbolic name: dot-separated tokens of letters, digits, '_' and '-'. */
    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    @TempDir
    Path dir;

    @Test
    void aGeneratedJarHasTheManifestOfAnOsgiBundleWithADeclarativeServicesComponent() throws Exception {
        Path jar = new AppBundleGenerator("idleTimeout=5000ms").write(dir, 17);

        assertThat(jar.getFileName().toString()).isEqualTo("fastpool.footprint.app17.jar");
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes main = file.getManifest().getMainAttributes();
            assertThat(main.getValue("Bundle-ManifestVersion")).isEqualTo("2");
            assertThat(main.getValue("Bundle-SymbolicName")).isEqualTo("fastpool.footprint.app17").matches(SYMBOLIC_NAME);
            assertThat(main.getValue("Bundle-Version")).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(main.getValue("Import-Package")).isEqualTo("io.fastpool.api;version=\"[1.0,2)\"");
            assertThat(main.getValue("Require-Capability"))
                    .contains("osgi.extender;filter:=\"(&(osgi.extender=osgi.component)(version>=1.5.0)(!(version>=2.0.0)))\"")
                    .contains("osgi.ee;filter:=\"(&(osgi.ee=JavaSE)(version=17))\"");
            assertThat(main.getValue("Provide-Capability")).contains("objectClass:List<String>=\"io.fastpool.api.WebApp\"");
            assertThat(main.getValue("Fastpool-Pool")).isEqualTo("idleTimeout=5000ms");
            String component = main.getValue("Service-Component");
            assertThat(component).isEqualTo("OSGI-INF/fastpool.footprint.app17.IdleApp.xml");
            assertThat(file.getEntry(component)).as("the component XML the manifest names").isNotNull();
            assertThat(file.getManifest().getEntries()).as("no per-entry sections").isEmpty();
        }
    }

    @Test
    void theComponentProvidesWebAppMountedAtItsOwnPathAndIsDelayed() throws Exception {
        Path jar = new AppBundleGenerator(null).write(dir, 3);

        try (JarFile file = new JarFile(jar.toFile())) {
            Document xml = parse(file, "OSGI-INF/fastpool.footprint.app3.IdleApp.xml");
            Element root = xml.getDocumentElement();
            assertThat(root.getNamespaceURI()).isEqualTo(SCR_NAMESPACE);
            assertThat(root.getLocalName()).isEqualTo("component");
            assertThat(root.getAttribute("name")).isEqualTo("fastpool.footprint.app3.IdleApp");
            assertThat(root.hasAttribute("immediate")).as("delayed: activated by the first request").isFalse();

            List<String> properties = new ArrayList<>();
            NodeList nodes = root.getElementsByTagName("property");
            for (int i = 0; i < nodes.getLength(); i++) {
                Element property = (Element) nodes.item(i);
                String value = property.hasAttribute("value") ? property.getAttribute("value") : property.getTextContent();
                properties.add(property.getAttribute("name") + ":" + property.getAttribute("type") + "=" + value);
            }
            assertThat(properties).containsExactly("fastpool.mount.path:String=/app3", "fastpool.mount.host:String=*",
                    "fastpool.mount.pool:String=");

            Element provide = (Element) root.getElementsByTagName("provide").item(0);
            assertThat(provide.getAttribute("interface")).isEqualTo(WebApp.class.getName());
            Element implementation = (Element) root.getElementsByTagName("implementation").item(0);
            assertThat(implementation.getAttribute("class")).isEqualTo(IdleApp.class.getName());
            assertThat(file.getEntry(IdleApp.class.getName().replace('.', '/') + ".class")).isNotNull();
            assertThat(file.getManifest().getMainAttributes().getValue("Fastpool-Pool")).as("no pool header asked for").isNull();
        }
    }

    @Test
    void theAppClassLoadsInTheBundlesOwnLoaderAsAWebAppAndUsesOnlyTheApiFromFastpool() throws Exception {
        Path jar = new AppBundleGenerator(null).write(dir, 1);

        try (URLClassLoader bundleLoader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, WebApp.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                // Child first for the app's package, as the bundle's own loader would do.
                if (name.startsWith("io.fastpool.bench.")) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> loaded = findLoadedClass(name);
                        return loaded != null ? loaded : findClass(name);
                    }
                }
                return super.loadClass(name, resolve);
            }
        }) {
            Class<?> app = bundleLoader.loadClass(IdleApp.class.getName());
            assertThat(app).isNotSameAs(IdleApp.class);
            assertThat(app.getClassLoader()).isSameAs(bundleLoader);
            assertThat(app.getDeclaredConstructor().newInstance()).isInstanceOf(WebApp.class);
        }

        String classFile;
        try (JarFile file = new JarFile(jar.toFile());
                InputStream in = file.getInputStream(file.getEntry(IdleApp.class.getName().replace('.', '/') + ".class"))) {
            classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        // The bundle imports io.fastpool.api alone: the class may name no other Fastpool package but its own.
        Matcher names = Pattern.compile("io/fastpool/[A-Za-z0-9_/$]+").matcher(classFile);
        List<String> fastpoolNames = new ArrayList<>();
        while (names.find()) {
            fastpoolNames.add(names.group());
        }
        String own = IdleApp.class.getName().replace('.', '/');
        assertThat(fastpoolNames).isNotEmpty().allSatisfy(name -> assertThat(name.startsWith("io/fastpool/api/") || name.equals(own))
                .as(name).isTrue());
    }

    @Test
    void writeAllMakesOneBundlePerAppWithDistinctNamesAndPathsAndNoPartialFiles() throws Exception {
        new AppBundleGenerator(null).writeAll(dir, 3);

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly(
                    "fastpool.footprint.app1.jar", "fastpool.footprint.app2.jar", "fastpool.footprint.app3.jar");
        }
        assertThat(AppBundleGenerator.mountPath(2)).isEqualTo("/app2");
        assertThat(AppBundleGenerator.componentXml(1)).contains("value=\"/app1\"").doesNotContain("/app2");
    }

    @Test
    void theSameAppGivesTheSameBytes() throws Exception {
        AppBundleGenerator generator = new AppBundleGenerator("idleTimeout=1s");
        byte[] first = Files.readAllBytes(generator.write(dir, 5));
        byte[] second = Files.readAllBytes(generator.write(dir, 5));
        assertThat(second).isEqualTo(first);
    }

    @Test
    void aPoolHeaderOfMoreThanOneLineOrBlankIsRefused() {
        assertThatThrownBy(() -> new AppBundleGenerator("idleTimeout=1s\nBundle-SymbolicName: evil"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Fastpool-Pool");
        assertThatThrownBy(() -> new AppBundleGenerator(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AppBundleGenerator(null).write(dir, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Document parse(JarFile file, String entryName) throws Exception {
        JarEntry entry = file.getJarEntry(entryName);
        assertThat(entry).as(entryName).isNotNull();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = file.getInputStream(entry)) {
            return factory.newDocumentBuilder().parse(in);
        }
    }
}
