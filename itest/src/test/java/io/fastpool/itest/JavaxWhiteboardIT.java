package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.legacy.LegacyServletActivator;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.pool.PoolManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.ops4j.pax.tinybundles.TinyBundles;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The javax HTTP Whiteboard (R7) on the real platform: {@code io.fastpool.servlet} with the Servlet
 * 6.0 API, and {@code io.fastpool.servlet.javax} with the javax Servlet 4.0 API and Apache Felix's
 * wrappers. The app is a javax whiteboard bundle as written for any R7 whiteboard
 * ({@link LegacyServletActivator}: an {@code HttpServlet} at {@code /legacy/*}, a filter and a servlet
 * context listener), built by TinyBundles with the manifest bnd gives such a bundle: {@code javax.servlet}
 * imported without a version, the {@code JavaServlet} 4.0 contract and {@code osgi.implementation=osgi.http}
 * 1.1 required. Requests go in as FastCGI over a unix socket.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class JavaxWhiteboardIT {

    static final String APP = "io.fastpool.itest.legacy";

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Inject
    BundleContext context;
    @Inject
    PoolManager pools;

    Path work;
    Path socket;

    @Configuration
    public Option[] platform() {
        Path work = PlatformOptions.workFolder("javax-it");
        writeLegacyBundle(work.resolve(APP + ".jar"));
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(work.resolve("run/fastpool.sock"))),
            PlatformOptions.bundlesListedBy("whiteboard.bundles"), PlatformOptions.bundlesListedBy("javax.bundles"),
            systemProperty("javax-it.work").value(work.toString())};
    }

    @Before
    public void start() {
        System.clearProperty(LegacyServletActivator.INITS);
        System.clearProperty(LegacyServletActivator.DESTROYS);
        System.clearProperty(LegacyServletActivator.CONTEXTS);
        work = Path.of(System.getProperty("javax-it.work"));
        socket = work.resolve("run/fastpool.sock");
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
    }

    @After
    public void checkLeaks() {
        OsgiNettyLeaks.assertNone();
    }

    @Test
    public void aJavaxWhiteboardBundleResolvesAndIsServedInAPoolOfItsOwnFromItsFirstRequestUntilItsIdleTimeOut() throws Exception {
        Bundle app = install(context, work.resolve(APP + ".jar"));
        assertThat(app.getState()).as("resolved against osgi.http 1.1 and the JavaServlet 4.0 contract").isEqualTo(Bundle.ACTIVE);
        await(Duration.ofSeconds(10), "the app's WebApp", () -> webAppOf(app) != null);
        assertThat(webAppOf(app).getProperty("fastpool.mount.path")).isEqualTo("/legacy");
        assertThat(System.getProperty(LegacyServletActivator.INITS)).as("init waits for the first request").isNull();
        assertThat(System.getProperty(LegacyServletActivator.CONTEXTS)).as("so does the servlet context").isNull();

        RawFcgiClient.Response first = get("/legacy/world?name=Ada");
        RawFcgiClient.Response second = get("/legacy/again");

        assertThat(first.httpStatus()).isEqualTo("200 OK");
        assertThat(first.stdout.toString()).contains("X-Legacy-Filtered: yes").contains("Content-Type: text/plain;charset=UTF-8");
        assertThat(first.body()).startsWith("servletPath=/legacy pathInfo=/world name=Ada servlet=legacy greeting=Hello contextStarted=yes inits=1 "
                + "thread=fastpool-pool-" + APP + "-").endsWith("loader=true");
        assertThat(second.body()).startsWith("servletPath=/legacy pathInfo=/again name=null").contains(" inits=1 ");
        assertThat(System.getProperty(LegacyServletActivator.CONTEXTS)).isEqualTo("1");
        assertThat(pools.pool(APP)).as("a pool named after the bundle").isPresent();
        assertThat(pools.pool(APP).orElseThrow().apps()).singleElement().satisfies(view -> assertThat(view.name()).startsWith(APP + "/"));

        await(Duration.ofSeconds(10), "the idle time-out to destroy the servlet",
                () -> "1".equals(System.getProperty(LegacyServletActivator.DESTROYS)));
        RawFcgiClient.Response third = get("/legacy/back");
        assertThat(third.body()).contains(" inits=2 ");
        assertThat(System.getProperty(LegacyServletActivator.CONTEXTS)).isEqualTo("2");
    }

    @Test
    public void stoppingTheJavaxBundleTakesItsMirrorsAwayAndDestroysItsServlet() throws Exception {
        Bundle app = install(context, work.resolve(APP + ".jar"));
        await(Duration.ofSeconds(10), "the app's WebApp", () -> webAppOf(app) != null);
        assertThat(get("/legacy/x").httpStatus()).isEqualTo("200 OK");
        assertThat(jakartaServletsOf(app)).isEqualTo(1);

        app.stop();

        assertThat(webAppOf(app)).isNull();
        assertThat(jakartaServletsOf(app)).isZero();
        assertThat(System.getProperty(LegacyServletActivator.DESTROYS)).isEqualTo("1");
    }

    /** The {@code WebApp} service registered in {@code bundle}'s name, or null. */
    private ServiceReference<?> webAppOf(Bundle bundle) {
        ServiceReference<?>[] references = references("io.fastpool.api.WebApp", null);
        if (references != null) {
            for (ServiceReference<?> reference : references) {
                if (reference.getBundle() == bundle) {
                    return reference;
                }
            }
        }
        return null;
    }

    /** How many Jakarta servlets (the mirrors) are registered in {@code bundle}'s name. */
    private int jakartaServletsOf(Bundle bundle) {
        ServiceReference<?>[] references = references("jakarta.servlet.Servlet", "(fastpool.javax.service.id=*)");
        int count = 0;
        if (references != null) {
            for (ServiceReference<?> reference : references) {
                count += reference.getBundle() == bundle ? 1 : 0;
            }
        }
        return count;
    }

    private ServiceReference<?>[] references(String type, String filter) {
        try {
            return context.getAllServiceReferences(type, filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private RawFcgiClient.Response get(String uri) throws IOException {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            return client.get(1, false, uri);
        }
    }

    /**
     * The javax whiteboard bundle, with the headers bnd writes for a bundle built against javax Servlet
     * with the JavaServlet contract and R7's {@code @RequireHttpWhiteboard}, and a one-second idle time-out.
     */
    private static void writeLegacyBundle(Path jar) {
        InputStream bundle = TinyBundles.bundle()
                .symbolicName(APP)
                .setHeader("Bundle-Version", "1.0.0")
                .activator(LegacyServletActivator.class)
                .addClass(LegacyServletActivator.class)
                .addClass(LegacyServletActivator.LegacyServlet.class)
                .addClass(LegacyServletActivator.MarkingFilter.class)
                .addClass(LegacyServletActivator.StartListener.class)
                .setHeader("Import-Package", "javax.servlet,javax.servlet.http,org.osgi.framework")
                .setHeader("Require-Capability", "osgi.implementation;filter:=\"(&(osgi.implementation=osgi.http)(version>=1.1)(!(version>=2.0)))\","
                        + "osgi.contract;filter:=\"(&(osgi.contract=JavaServlet)(version=4.0.0))\"")
                .setHeader("Fastpool-Pool", "idleTimeout=1s")
                .build(TinyBundles.bndBuilder());
        try (InputStream in = bundle) {
            Files.createDirectories(jar.getParent());
            Files.copy(in, jar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
