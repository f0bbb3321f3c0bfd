package io.fastpool.itest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.whiteboard.HelloServletActivator;
import io.fastpool.itest.whiteboard.SiteActivator;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The Servlet Whiteboard in a real Felix: the platform (SCR, Configuration Admin, netty, the Fastpool
 * bundles) plus {@code io.fastpool.servlet} and the Servlet API, listening on a unix socket, and a plain
 * whiteboard bundle ({@link HelloServletActivator}) that requires {@code osgi.implementation=osgi.http}
 * 2.0 and the {@code JavaServlet} contract as bundles built with the whiteboard's annotations do. Requests
 * go in as FastCGI, through the transport, the listener and the pool. Self-contained on purpose: it uses
 * none of {@code support/}.
 */
class ServletWhiteboardIT {

    private static final String APP_BUNDLE = "io.fastpool.itest.whiteboard";
    /** The style sheet the site bundle serves as a whiteboard resource. */
    private static final String STYLE = "p { color: red }";

    @TempDir
    Path work;

    private Framework framework;
    private Path socket;

    @BeforeEach
    void startPlatform() throws Exception {
        System.clearProperty("whiteboard.hello.inits");
        System.clearProperty("whiteboard.hello.destroys");
        System.clearProperty("whiteboard.ds.created");
        System.clearProperty("whiteboard.hello.contexts");
        socket = work.resolve("fastpool.sock");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, work.resolve("felix").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("ds.loglevel", "warn");
        framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(config);
        framework.start();
        BundleContext context = framework.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        List<String> files = new ArrayList<>(PlatformOptions.platformBundleFiles());
        files.addAll(List.of(System.getProperty("whiteboard.bundles").split(",")));
        for (String path : files) {
            installed.add(context.installBundle(new File(path).toURI().toString()));
        }
        for (Bundle bundle : installed) { // Configuration Admin first, so the transport never binds its default address
            if (bundle.getSymbolicName().startsWith("org.osgi.") || bundle.getSymbolicName().equals("org.apache.felix.configadmin")) {
                bundle.start();
            }
        }
        configure("io.fastpool.transport", Map.of("listen", new String[] {"unix:" + socket}));
        for (Bundle bundle : installed) {
            if (bundle.getState() != Bundle.ACTIVE) {
                bundle.start();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
    }

    @AfterEach
    void stopPlatform() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    @Test
    void aWhiteboardBundleIsServedInAPoolOfItsOwnAndItsServletStartsOnTheFirstRequest() throws Exception {
        Bundle app = framework.getBundleContext().installBundle(helloBundle().toUri().toString());
        app.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> webAppOf(app) != null);
        assertThat(webAppOf(app).getProperty("fastpool.mount.path")).isEqualTo("/hello");
        assertThat(System.getProperty("whiteboard.hello.inits")).as("init waits for the first request").isNull();
        assertThat(System.getProperty("whiteboard.hello.contexts")).as("so does the servlet context").isNull();

        String first = get("/hello/world?name=Ada");
        String second = get("/hello/again/and%20again");

        assertThat(statusOf(first)).isEqualTo(200);
        assertThat(first).contains("Content-Type: text/plain;charset=UTF-8").contains("X-Filtered: yes")
                .endsWith("servletPath=/hello pathInfo=/world name=Ada servlet=hello greeting=Hi inits=1 loader=true");
        assertThat(second).endsWith("servletPath=/hello pathInfo=/again/and again name=null servlet=hello greeting=Hi inits=1 loader=true");
        assertThat(poolNames()).contains(APP_BUNDLE);
        assertThat(System.getProperty("whiteboard.hello.contexts")).isEqualTo("1");
    }

    @Test
    void errorPagesForwardsAndResourcesOfAPlainBundleWork() throws Exception {
        Bundle site = framework.getBundleContext().installBundle(siteBundle().toUri().toString());
        site.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> webAppOf(site) != null);

        String missing = get("/site/missing");
        String boom = get("/site/boom");
        String forwarded = get("/site/forward");
        String css = get("/site/files/style.css");
        String noFile = get("/site/files/none.css");

        assertThat(statusOf(missing)).isEqualTo(404);
        assertThat(missing).endsWith("error page 404 null");
        assertThat(statusOf(boom)).isEqualTo(500);
        assertThat(boom).endsWith("error page 500 class java.lang.IllegalStateException");
        assertThat(forwarded).endsWith("target FORWARD x=1");
        assertThat(statusOf(css)).isEqualTo(200);
        assertThat(css).contains("Content-Type: text/css").contains("Content-Length: " + STYLE.length()).endsWith(STYLE);
        assertThat(statusOf(noFile)).as("a missing resource meets the error page too").isEqualTo(404);
        assertThat(noFile).endsWith("error page 404 null");
        String modified = css.lines().filter(line -> line.startsWith("Last-Modified: ")).findFirst().orElseThrow().substring(15);
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(RawFcgiClient.requestBytes(2, false,
                    RawFcgiClient.params("GET", "/site/files/style.css", "HTTP_IF_MODIFIED_SINCE", modified), new byte[0]));
            assertThat(statusOf(client.await(2).stdout.toString())).isEqualTo(304);
        }
    }

    @Test
    void unregisteringTheLastServletUnregistersTheAppAndDestroysTheServlet() throws Exception {
        Bundle app = framework.getBundleContext().installBundle(helloBundle().toUri().toString());
        app.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> webAppOf(app) != null);
        assertThat(statusOf(get("/hello/x"))).isEqualTo(200);

        ServiceReference<?> remover = framework.getBundleContext().getServiceReferences(Runnable.class.getName(),
                "(whiteboard.test=unregister-servlet)")[0];
        ((Runnable) framework.getBundleContext().getService(remover)).run();

        assertThat(webAppOf(app)).isNull();
        assertThat(System.getProperty("whiteboard.hello.destroys")).isEqualTo("1");
    }

    @Test
    void theIdleTimeOutDestroysTheServletsAndTheNextRequestInitialisesThemAgain() throws Exception {
        Bundle app = framework.getBundleContext().installBundle(helloBundle("1.0.0", "idleTimeout=1s").toUri().toString());
        app.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> webAppOf(app) != null);

        assertThat(get("/hello/one")).endsWith("inits=1 loader=true");
        await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(System.getProperty("whiteboard.hello.destroys")));

        assertThat(get("/hello/two")).endsWith("inits=2 loader=true");
        assertThat(webAppOf(app)).as("the app stays registered while idle").isNotNull();
    }

    @Test
    void aRequestArrivingWhileTheBundleSwapsWaitsInItsQueueAndIsServedByTheNewVersion() throws Exception {
        Bundle app = framework.getBundleContext().installBundle(helloBundle().toUri().toString());
        app.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> webAppOf(app) != null);
        assertThat(get("/hello/before")).endsWith("inits=1 loader=true");

        app.stop();
        assertThat(webAppOf(app)).isNull();
        assertThat(System.getProperty("whiteboard.hello.destroys")).isEqualTo("1");
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return get("/hello/during");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> queued(APP_BUNDLE) == 1);
        try (InputStream version2 = Files.newInputStream(helloBundle("2.0.0", null))) {
            app.update(version2);
        }
        app.start();

        String during = waiting.get(10, TimeUnit.SECONDS);
        assertThat(statusOf(during)).isEqualTo(200);
        assertThat(during).endsWith("servletPath=/hello pathInfo=/during name=null servlet=hello greeting=Hi inits=2 loader=true");
        assertThat(app.getVersion().getMajor()).isEqualTo(2);
        assertThat(poolNames()).containsOnlyOnce(APP_BUNDLE);
    }

    @Test
    void aDelayedComponentServletIsMadeOnTheFirstRequestNotAtDeploy() throws Exception {
        Bundle app = framework.getBundleContext().installBundle(componentBundle().toUri().toString());
        app.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> webAppOf(app) != null);

        assertThat(System.getProperty("whiteboard.ds.created")).as("SCR has not made the servlet yet").isNull();
        String response = get("/ds/x");

        assertThat(statusOf(response)).isEqualTo(200);
        assertThat(response).endsWith("component at /ds/x");
        assertThat(System.getProperty("whiteboard.ds.created")).isEqualTo("1");
        assertThat(webAppOf(app).getProperty("fastpool.mount.path")).isEqualTo("/ds");
    }

    /** A bundle whose servlet is a delayed DS component ({@link io.fastpool.itest.whiteboard.DsHelloServlet}). */
    private Path componentBundle() throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", APP_BUNDLE + ".ds");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Import-Package", "jakarta.servlet,jakarta.servlet.http");
        main.putValue("Service-Component", "OSGI-INF/hello.xml");
        Path jar = work.resolve(APP_BUNDLE + ".ds.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("OSGI-INF/hello.xml"));
            out.write("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="ds-hello">
                      <implementation class="io.fastpool.itest.whiteboard.DsHelloServlet"/>
                      <service><provide interface="jakarta.servlet.Servlet"/></service>
                      <property name="osgi.http.whiteboard.servlet.pattern" value="/ds/*"/>
                    </scr:component>
                    """.getBytes(UTF_8));
            out.closeEntry();
            addClass(out, io.fastpool.itest.whiteboard.DsHelloServlet.class);
        }
        return jar;
    }

    private static void addClass(JarOutputStream out, Class<?> type) throws IOException {
        String entry = type.getName().replace('.', '/') + ".class";
        out.putNextEntry(new JarEntry(entry));
        try (InputStream in = type.getClassLoader().getResourceAsStream(entry)) {
            in.transferTo(out);
        }
        out.closeEntry();
    }

    /** The {@code WebApp} service registered in {@code bundle}'s name, or null. */
    private ServiceReference<?> webAppOf(Bundle bundle) throws Exception {
        ServiceReference<?>[] references = framework.getBundleContext().getAllServiceReferences("io.fastpool.api.WebApp", null);
        if (references != null) {
            for (ServiceReference<?> reference : references) {
                if (reference.getBundle() == bundle) {
                    return reference;
                }
            }
        }
        return null;
    }

    /** The pool manager's pool names, read by reflection (its classes are the pool bundle's). */
    private List<String> poolNames() throws Exception {
        List<String> names = new ArrayList<>();
        for (Object pool : pools()) {
            names.add((String) call(pool, "name"));
        }
        return names;
    }

    /** How many requests wait in the queue of the pool named {@code name}. */
    private int queued(String name) throws Exception {
        for (Object pool : pools()) {
            if (name.equals(call(pool, "name"))) {
                return (Integer) call(pool, "queued");
            }
        }
        return 0;
    }

    private List<?> pools() throws Exception {
        BundleContext context = framework.getBundleContext();
        ServiceReference<?> reference = context.getAllServiceReferences("io.fastpool.pool.PoolManager", null)[0];
        try {
            return (List<?>) call(context.getService(reference), "pools");
        } finally {
            context.ungetService(reference);
        }
    }

    private static Object call(Object target, String method) throws Exception {
        Method found = target.getClass().getMethod(method);
        found.setAccessible(true);
        return found.invoke(target);
    }

    /** The whiteboard bundle: the activator and its servlet, importing only the Servlet API and the framework. */
    private Path helloBundle() throws IOException {
        return helloBundle("1.0.0", null);
    }

    /** The whiteboard bundle at {@code version}, with a {@code Fastpool-Pool} header when {@code poolSettings} is not null. */
    private Path helloBundle(String version, String poolSettings) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", APP_BUNDLE);
        main.putValue("Bundle-Version", version);
        if (poolSettings != null) {
            main.putValue("Fastpool-Pool", poolSettings);
        }
        main.putValue("Bundle-Activator", HelloServletActivator.class.getName());
        main.putValue("Import-Package", "jakarta.servlet,jakarta.servlet.http,org.osgi.framework");
        main.putValue("Require-Capability", "osgi.implementation;filter:=\"(&(osgi.implementation=osgi.http)(version>=2.0)(!(version>=3.0)))\","
                + "osgi.contract;filter:=\"(&(osgi.contract=JavaServlet)(version=6.0.0))\"");
        Path jar = work.resolve(APP_BUNDLE + "-" + version + ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> type : List.of(HelloServletActivator.class, HelloServletActivator.HelloServlet.class,
                    HelloServletActivator.MarkingFilter.class, HelloServletActivator.StartListener.class)) {
                addClass(out, type);
            }
        }
        return jar;
    }

    /** The bundle of {@link SiteActivator}, with a style sheet in its {@code /files} folder. */
    private Path siteBundle() throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "io.fastpool.itest.site");
        main.putValue("Bundle-Activator", SiteActivator.class.getName());
        main.putValue("Import-Package", "jakarta.servlet,jakarta.servlet.http,org.osgi.framework");
        Path jar = work.resolve("io.fastpool.itest.site.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> type : List.of(SiteActivator.class,
                    SiteActivator.SiteServlet.class, SiteActivator.ErrorPage.class)) {
                addClass(out, type);
            }
            out.putNextEntry(new JarEntry("files/style.css"));
            out.write(STYLE.getBytes(UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    /** Sends one FastCGI GET over the unix socket; returns the CGI response (headers and body) it wrote to STDOUT. */
    private String get(String uri) throws IOException {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            return client.get(1, false, uri).stdout.toString();
        }
    }

    /** A CGI response's status: its {@code Status} header, 200 without one. */
    private static int statusOf(String cgiResponse) {
        return cgiResponse.startsWith("Status: ") ? Integer.parseInt(cgiResponse.substring(8, 11)) : 200;
    }

    /** Creates a configuration through Configuration Admin, by reflection: its classes are not in the test's class space. */
    private void configure(String pid, Map<String, Object> properties) throws Exception {
        BundleContext context = framework.getBundleContext();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> context.getAllServiceReferences("org.osgi.service.cm.ConfigurationAdmin", null) != null);
        ServiceReference<?> reference = context.getAllServiceReferences("org.osgi.service.cm.ConfigurationAdmin", null)[0];
        Object admin = context.getService(reference);
        Method getConfiguration = admin.getClass().getMethod("getConfiguration", String.class, String.class);
        getConfiguration.setAccessible(true);
        Object configuration = getConfiguration.invoke(admin, pid, "?");
        Method update = configuration.getClass().getMethod("update", Dictionary.class);
        update.setAccessible(true);
        update.invoke(configuration, (Dictionary<String, Object>) new Hashtable<>(properties));
        context.ungetService(reference);
    }
}
