package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.apps.WhiteboardApps;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.dto.RequestInfoDTO;
import org.osgi.service.servlet.runtime.dto.RuntimeDTO;
import org.osgi.service.servlet.runtime.dto.ServletContextDTO;

/**
 * The Servlet Whiteboard on the real platform: {@code io.fastpool.servlet} with the Servlet API,
 * Commons FileUpload 2 and commons-io installed beside it, and plain whiteboard bundles
 * ({@link WhiteboardApps}) that require {@code osgi.implementation=osgi.http} 2.0 and the
 * {@code JavaServlet} contract as bundles built with the whiteboard's annotations do. Requests go in
 * as FastCGI over a unix socket, through the transport, the listener and the pool. Each test gets a
 * fresh platform; the app bundles are built beforehand and installed by the tests.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ServletWhiteboardIT {

    private static final String APP = WhiteboardApps.HELLO;

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
        Path work = PlatformOptions.workFolder("servlet-whiteboard-it");
        WhiteboardApps.write(work.resolve("hello-1.jar"), WhiteboardApps.hello("1.0.0", null));
        WhiteboardApps.write(work.resolve("hello-2.jar"), WhiteboardApps.hello("2.0.0", null));
        WhiteboardApps.write(work.resolve("hello-idle.jar"), WhiteboardApps.hello("1.0.0", "idleTimeout=1s"));
        WhiteboardApps.write(work.resolve("ds.jar"), WhiteboardApps.dsHello());
        WhiteboardApps.write(work.resolve("site.jar"), WhiteboardApps.site());
        WhiteboardApps.write(work.resolve("sessions.jar"), WhiteboardApps.sessions("sessionTimeout=2s, maxSessions=2"));
        WhiteboardApps.write(work.resolve("targeted.jar"), WhiteboardApps.targeted());
        WhiteboardApps.write(work.resolve("stuck.jar"), WhiteboardApps.stuck("maxThreads=2, queueLength=4, requestTimeout=0"));
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(work.resolve("run/fastpool.sock"))),
            PlatformOptions.bundlesListedBy("whiteboard.bundles"),
            systemProperty("servlet-whiteboard-it.work").value(work.toString())};
    }

    @Before
    public void start() {
        for (String counter : List.of("whiteboard.hello.inits", "whiteboard.hello.destroys", "whiteboard.ds.created",
                "whiteboard.hello.contexts", "whiteboard.sessions.events")) {
            System.clearProperty(counter);
        }
        work = Path.of(System.getProperty("servlet-whiteboard-it.work"));
        socket = work.resolve("run/fastpool.sock");
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
    }

    @After
    public void checkLeaks() {
        OsgiNettyLeaks.assertNone();
    }

    @Test
    public void aWhiteboardBundleIsServedInAPoolOfItsOwnAndItsServletStartsOnTheFirstRequest() throws Exception {
        Bundle app = installApp("hello-1.jar");

        assertThat(webAppOf(app).getProperty("fastpool.mount.path")).isEqualTo("/hello");
        assertThat(System.getProperty("whiteboard.hello.inits")).as("init waits for the first request").isNull();
        assertThat(System.getProperty("whiteboard.hello.contexts")).as("so does the servlet context").isNull();

        String first = get("/hello/world?name=Ada");
        String second = get("/hello/again/and%20again");

        assertThat(statusOf(first)).isEqualTo(200);
        assertThat(first).contains("Content-Type: text/plain;charset=UTF-8").contains("X-Filtered: yes")
                .endsWith("servletPath=/hello pathInfo=/world name=Ada servlet=hello greeting=Hi inits=1 loader=true");
        assertThat(second).endsWith("servletPath=/hello pathInfo=/again/and again name=null servlet=hello greeting=Hi inits=1 loader=true");
        assertThat(poolNames()).contains(APP);
        assertThat(System.getProperty("whiteboard.hello.contexts")).isEqualTo("1");
    }

    @Test
    public void errorPagesForwardsAndResourcesOfAPlainBundleWork() throws Exception {
        installApp("site.jar");

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
        assertThat(css).contains("Content-Type: text/css").contains("Content-Length: " + WhiteboardApps.STYLE.length())
                .endsWith(WhiteboardApps.STYLE);
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
    public void unregisteringTheLastServletUnregistersTheAppAndDestroysTheServlet() throws Exception {
        Bundle app = installApp("hello-1.jar");
        assertThat(statusOf(get("/hello/x"))).isEqualTo(200);

        ServiceReference<?> remover = context.getServiceReferences(Runnable.class.getName(), "(whiteboard.test=unregister-servlet)")[0];
        ((Runnable) context.getService(remover)).run();

        assertThat(webAppOf(app)).isNull();
        assertThat(System.getProperty("whiteboard.hello.destroys")).isEqualTo("1");
    }

    @Test
    public void sessionsThePoolEvictsOrTimesOutReachTheSessionListenerOffTheRequestPathAndAttributeListenersHearAttributes()
            throws Exception {
        installApp("sessions.jar");

        for (String user : List.of("ann", "bob", "cy")) {
            assertThat(get("/sessions/login?user=" + user)).endsWith("hello " + user);
        }
        await(Duration.ofSeconds(20), "the listener to hear of three sessions ended (one evicted, two timed out)",
                () -> events().stream().filter(event -> event.startsWith("destroyed")).count() == 3);

        List<String> events = events();
        assertThat(events).as("maxSessions=2: ann's is evicted when cy's is made; bob's and cy's time out after 2 s")
                .filteredOn(event -> event.startsWith("destroyed"))
                .extracting(event -> event.substring(0, event.indexOf(" thread=")))
                .containsExactlyInAnyOrder("destroyed user=ann", "destroyed user=bob", "destroyed user=cy");
        assertThat(events).filteredOn(event -> event.startsWith("destroyed")).allSatisfy(event -> assertThat(event)
                .as("the session still readable, on the pool's lifecycle thread, with the app's class loader")
                .contains(" thread=fastpool-pool-lifecycle-").endsWith(" loader=true"));
        assertThat(events).as("the request's and the context's attribute listeners, in its requests")
                .containsSubsequence("request added seen=ann", "context added last=ann", "request added seen=bob",
                        "context replaced last=ann", "request added seen=cy", "context replaced last=bob");
    }

    @Test
    public void aServletWhoseTargetNamesAnotherWhiteboardIsIgnored() throws Exception {
        Bundle app = installApp("targeted.jar");

        assertThat(webAppOf(app).getProperty("fastpool.mount.path")).as("only the servlet for Fastpool's whiteboard is routed")
                .isEqualTo("/targeted/here");
        assertThat(get("/targeted/here/x")).endsWith("served by here");
        assertThat(statusOf(get("/targeted/elsewhere/x"))).isEqualTo(404);
    }

    @Test
    public void theHttpServiceRuntimeReportsTheContextsServletsFiltersAndListenersAndWhatWouldServeAPath() throws Exception {
        installApp("hello-1.jar");
        ServiceReference<HttpServiceRuntime> reference = context.getServiceReference(HttpServiceRuntime.class);
        HttpServiceRuntime runtime = context.getService(reference);

        RuntimeDTO dto = runtime.getRuntimeDTO();
        RequestInfoDTO info = runtime.calculateRequestInfoDTO("/hello/world");

        assertThat(dto.serviceDTO.id).isEqualTo(reference.getProperty("service.id"));
        ServletContextDTO defaultContext = Arrays.stream(dto.servletContextDTOs).filter(c -> c.name.equals("default")).findFirst()
                .orElseThrow();
        assertThat(defaultContext.servletDTOs).extracting(servlet -> servlet.name).contains("hello");
        assertThat(defaultContext.filterDTOs).extracting(filter -> filter.patterns[0]).contains("/hello/*");
        assertThat(defaultContext.listenerDTOs).extracting(listener -> listener.types[0])
                .contains("jakarta.servlet.ServletContextListener");
        assertThat(info.servletDTO.name).isEqualTo("hello");
        assertThat(info.filterDTOs).hasSize(1);
        assertThat(info.servletContextId).isEqualTo(defaultContext.serviceId);
        context.ungetService(reference);
    }

    private static List<String> events() {
        String recorded = System.getProperty("whiteboard.sessions.events");
        return recorded == null ? List.of() : List.of(recorded.split(";"));
    }

    @Test
    public void theIdleTimeOutDestroysTheServletsAndTheNextRequestInitialisesThemAgain() throws Exception {
        Bundle app = installApp("hello-idle.jar");

        assertThat(get("/hello/one")).endsWith("inits=1 loader=true");
        await(Duration.ofSeconds(10), "the idle time-out to destroy the servlet",
                () -> "1".equals(System.getProperty("whiteboard.hello.destroys")));

        assertThat(get("/hello/two")).endsWith("inits=2 loader=true");
        assertThat(webAppOf(app)).as("the app stays registered while idle").isNotNull();
    }

    @Test
    public void aRequestArrivingWhileTheBundleSwapsWaitsInItsQueueAndIsServedByTheNewVersion() throws Exception {
        Bundle app = installApp("hello-1.jar");
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
        await(Duration.ofSeconds(10), "the request to wait in the app's queue", () -> pool(APP).queued() == 1);
        try (InputStream version2 = Files.newInputStream(work.resolve("hello-2.jar"))) {
            app.update(version2);
        }
        app.start();

        String during = waiting.get(10, TimeUnit.SECONDS);
        assertThat(statusOf(during)).isEqualTo(200);
        assertThat(during).endsWith("servletPath=/hello pathInfo=/during name=null servlet=hello greeting=Hi inits=2 loader=true");
        assertThat(app.getVersion().getMajor()).isEqualTo(2);
        assertThat(poolNames()).containsOnlyOnce(APP);
    }

    @Test
    public void aDelayedComponentServletIsMadeOnTheFirstRequestNotAtDeploy() throws Exception {
        Bundle app = installApp("ds.jar");

        assertThat(System.getProperty("whiteboard.ds.created")).as("SCR has not made the servlet yet").isNull();
        String response = get("/ds/x");

        assertThat(statusOf(response)).isEqualTo(200);
        assertThat(response).endsWith("component at /ds/x");
        assertThat(System.getProperty("whiteboard.ds.created")).isEqualTo("1");
        assertThat(webAppOf(app).getProperty("fastpool.mount.path")).isEqualTo("/ds");
    }

    /**
     * A servlet bundle whose every thread and queue place is held by a servlet that never returns
     * (until the test lets go) does not slow another servlet bundle, which has a pool of its own: all
     * of its requests are answered 200, none waits for the stuck pool. Were the pools shared, they
     * would wait until the end of the test. The bounds are generous on purpose (every request within
     * 5 s, the median within 50 ms of the idle median): the claim is "not held up", not a latency
     * figure on a shared machine; the figures are printed.
     */
    @Test
    public void aServletAppWhoseThreadsAreAllStuckDoesNotSlowAnotherServletApp() throws Exception {
        installApp("stuck.jar");
        installApp("hello-1.jar");
        latencies("/hello/warm-up", 500); // the first measure would otherwise be the slower one
        long[] idle = latencies("/hello/idle", 1000);
        Runnable release = (Runnable) context.getService(
                context.getServiceReferences(Runnable.class.getName(), "(whiteboard.test=release-stuck)")[0]);
        try (RawFcgiClient hog = RawFcgiClient.unix(socket)) {
            try {
                hold(hog, 1, 2);
                // Both threads taken before the rest arrive: while the app starts on demand, its queue holds them all.
                await(Duration.ofSeconds(10), "both threads of the stuck app taken", () -> pool(WhiteboardApps.STUCK).busyThreads() == 2);
                hold(hog, 3, 6);
                await(Duration.ofSeconds(10), "the stuck app's 4 queue places taken", () -> pool(WhiteboardApps.STUCK).queued() == 4);
                assertThat(getResponse("/stuck/more").httpStatus()).as("the stuck app's pool is full").startsWith("503");

                long[] loaded = CompletableFuture.supplyAsync(() -> latenciesOrFail("/hello/loaded", 1000))
                        .get(60, TimeUnit.SECONDS);

                assertThat(pool(WhiteboardApps.STUCK).busyThreads()).as("still stuck after the measure").isEqualTo(2);
                long idleMedian = idle[idle.length / 2];
                long loadedMedian = loaded[loaded.length / 2];
                System.out.printf("servlet app latency with the other app idle: median %.3f ms, p99 %.3f ms, max %.3f ms;"
                        + " with every thread of the other app stuck: median %.3f ms, p99 %.3f ms, max %.3f ms%n",
                        idleMedian / 1e6, idle[idle.length * 99 / 100] / 1e6, idle[idle.length - 1] / 1e6,
                        loadedMedian / 1e6, loaded[loaded.length * 99 / 100] / 1e6, loaded[loaded.length - 1] / 1e6);
                assertThat(loaded[loaded.length - 1]).as("the slowest request while the other app is stuck")
                        .isLessThan(Duration.ofSeconds(5).toNanos());
                assertThat(loadedMedian).as("the median while the other app is stuck, against idle")
                        .isLessThan(idleMedian + Duration.ofMillis(50).toNanos());
            } finally {
                release.run();
            }
            for (int id = 1; id <= 6; id++) {
                assertThat(hog.await(id).body()).as("held request %d, once released", id).isEqualTo("released");
            }
        }
    }

    /** Sends GET /stuck/ID for each ID from {@code first} to {@code last} on {@code client}, without waiting for answers. */
    private static void hold(RawFcgiClient client, int first, int last) throws IOException {
        for (int id = first; id <= last; id++) {
            client.send(RawFcgiClient.requestBytes(id, true, RawFcgiClient.params("GET", "/stuck/" + id), new byte[0]));
        }
    }

    /** Installs and starts {@code jar} from the work folder; returns once its {@code WebApp} is registered. */
    private Bundle installApp(String jar) throws Exception {
        Bundle app = install(context, work.resolve(jar));
        await(Duration.ofSeconds(10), "the WebApp of " + jar, () -> webAppOf(app) != null);
        return app;
    }

    /** The {@code WebApp} service registered in {@code bundle}'s name, or null. */
    private ServiceReference<?> webAppOf(Bundle bundle) {
        ServiceReference<?>[] references;
        try {
            references = context.getAllServiceReferences("io.fastpool.api.WebApp", null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return references == null ? null
                : Arrays.stream(references).filter(reference -> reference.getBundle() == bundle).findFirst().orElse(null);
    }

    private PoolSnapshot pool(String name) {
        return pools.pool(name).orElseThrow(() -> new AssertionError("no pool " + name));
    }

    private List<String> poolNames() {
        return pools.pools().stream().map(PoolSnapshot::name).toList();
    }

    /** The latencies of {@code count} GETs of {@code uri}, one after the other on one connection, sorted; each must be a 200. */
    private long[] latencies(String uri, int count) throws IOException {
        long[] nanos = new long[count];
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                RawFcgiClient.Response response = client.get(1, true, uri);
                nanos[i] = System.nanoTime() - start;
                assertThat(response.httpStatus()).as("request %d of %s", i, uri).isEqualTo("200 OK");
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private long[] latenciesOrFail(String uri, int count) {
        try {
            return latencies(uri, count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one FastCGI GET over the unix socket; returns the CGI response (headers and body) it wrote to STDOUT. */
    private String get(String uri) throws IOException {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            return client.get(1, false, uri).stdout.toString();
        }
    }

    private RawFcgiClient.Response getResponse(String uri) throws IOException {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            return client.get(1, true, uri);
        }
    }

    /** A CGI response's status: its {@code Status} header, 200 without one. */
    private static int statusOf(String cgiResponse) {
        return cgiResponse.startsWith("Status: ") ? Integer.parseInt(cgiResponse.substring(8, 11)) : 200;
    }
}
