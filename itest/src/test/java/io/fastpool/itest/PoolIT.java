package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.configureFactory;
import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static io.fastpool.itest.support.Waits.threadsNamed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The pool manager on the real platform: demand start, idle time-out, hot swap under load. Each
 * test gets a fresh platform; the app bundles are built beforehand and installed by the tests.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class PoolIT {

    static final String APP = "io.fastpool.itest.pooled";

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin configurationAdmin;
    @Inject
    PoolManager pools;

    Path work;
    Path socket;

    @Configuration
    public Option[] platform() {
        Path work = PlatformOptions.workFolder("pool-it");
        Path socket = work.resolve("run/fastpool.sock");
        TestApps.pooledHelloJar(work.resolve("v1"), APP, "1.0.0", Map.of("fastpool.mount.path", "/pooled"));
        TestApps.pooledHelloJar(work.resolve("v2"), APP, "2.0.0", Map.of("fastpool.mount.path", "/pooled"));
        TestApps.pooledHelloJar(work.resolve("one"), "io.fastpool.itest.one", "1.0.0",
                Map.of("fastpool.mount.path", "/one", "fastpool.mount.pool", "shared"));
        TestApps.pooledHelloJar(work.resolve("two"), "io.fastpool.itest.two", "1.0.0",
                Map.of("fastpool.mount.path", "/two", "fastpool.mount.pool", "shared", "fastpool.mount.host", "*.example.com"));
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(socket)),
            systemProperty("pool-it.work").value(work.toString())};
    }

    @Before
    public void start() {
        System.clearProperty("pooled.activations");
        System.clearProperty("pooled.deactivations");
        work = Path.of(System.getProperty("pool-it.work"));
        socket = work.resolve("run/fastpool.sock");
        configureFactory(configurationAdmin, "io.fastpool.pool", APP, Map.of("idleTimeout", "1s", "maxThreads", 4));
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
    }

    @After
    public void checkLeaks() {
        OsgiNettyLeaks.assertNone();
    }

    private Path appJar(int major) {
        return work.resolve("v" + major).resolve(APP + "-" + major + ".0.0.jar");
    }

    private boolean routeRegistered() {
        try {
            return context.getAllServiceReferences("io.fastpool.api.spi.RequestTarget",
                    "(fastpool.target.name=" + APP + "/*)") != null;
        } catch (Exception e) {
            return false;
        }
    }

    private PoolSnapshot pool(String name) {
        return pools.pool(name).orElseThrow(() -> new AssertionError("no pool " + name));
    }

    private String get(String uri) throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            RawFcgiClient.Response response = client.get(1, true, uri);
            return response.httpStatus() + " " + response.body();
        }
    }

    @Test
    public void anAppIsActivatedByItsFirstRequestAndReleasedWithItsThreadsAfterTheIdleTimeout() throws Exception {
        long installed = System.nanoTime();
        install(context, appJar(1));
        await(Duration.ofSeconds(10), "the app's route", this::routeRegistered);
        assertThat(Integer.getInteger("pooled.activations")).as("activated before any request").isNull();
        assertThat(threadsNamed("fastpool-pool-" + APP)).as("threads before any request").isZero();

        String first = get("/pooled");
        long firstMillis = (System.nanoTime() - installed) / 1_000_000;
        System.out.printf("time from install to first response (demand start included): %d ms%n", firstMillis);
        assertThat(first).startsWith("200 OK Hello from version 1 on fastpool-pool-" + APP + "-").endsWith("loader true");
        assertThat(Integer.getInteger("pooled.activations")).isEqualTo(1);
        assertThat(threadsNamed("fastpool-pool-" + APP)).isPositive();

        await(Duration.ofSeconds(10), "the idle time-out to release the app",
                () -> Integer.getInteger("pooled.deactivations", 0) == 1);
        await(Duration.ofSeconds(10), "the pool's threads to end", () -> threadsNamed("fastpool-pool-" + APP) == 0);

        assertThat(get("/pooled")).startsWith("200 OK Hello from version 1");
        assertThat(Integer.getInteger("pooled.activations")).as("started again on demand").isEqualTo(2);
    }

    @Test
    public void anAppReplacedTenTimesUnderLoadThroughNginxLosesNoRequest() throws Exception {
        Path v1 = appJar(1);
        Path v2 = appJar(2);
        Bundle app = install(context, v1);
        await(Duration.ofSeconds(10), "the app's route", this::routeRegistered);
        try (Nginx nginx = Nginx.start(work.resolve("nginx"), """
                upstream fastpool { server unix:%s; keepalive 16; }
                server {
                    listen 127.0.0.1:PORT;
                    location / { include /etc/nginx/fastcgi_params; fastcgi_pass fastpool; fastcgi_keep_conn on; }
                }
                """.formatted(socket))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            AtomicBoolean running = new AtomicBoolean(true);
            Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
            List<String> order = new CopyOnWriteArrayList<>();
            AtomicLong maxLatencyNanos = new AtomicLong();
            List<Thread> clients = new CopyOnWriteArrayList<>();
            for (int c = 0; c < 4; c++) {
                Thread client = new Thread(() -> {
                    while (running.get()) {
                        long start = System.nanoTime();
                        String outcome;
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/pooled")))
                                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                            outcome = response.statusCode() + " " + response.body().replaceAll(" on .*", "");
                        } catch (Exception e) {
                            outcome = "exception " + e;
                        }
                        maxLatencyNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                        if (order.isEmpty() || !order.get(order.size() - 1).equals(outcome)) {
                            order.add(outcome);
                        }
                    }
                });
                client.start();
                clients.add(client);
            }
            Thread.sleep(500);
            for (int swap = 1; swap <= 10; swap++) {
                Path jar = swap % 2 == 1 ? v2 : v1;
                try (InputStream in = Files.newInputStream(jar)) {
                    app.update(in);
                }
                Thread.sleep(400);
            }
            Thread.sleep(500);
            running.set(false);
            for (Thread client : clients) {
                client.join(30_000);
            }
            System.out.printf("hot swap x10 under load: %s; max latency %.1f ms%n", outcomes, maxLatencyNanos.get() / 1e6);
            assertThat(outcomes.keySet()).as("every outcome: %s (error log: %s)", outcomes, nginx.log())
                    .containsOnly("200 Hello from version 1", "200 Hello from version 2");
            assertThat(order).as("the answers switch with the swaps").hasSizeGreaterThanOrEqualTo(10);
            assertThat(order.get(order.size() - 1)).isEqualTo("200 Hello from version 1");
        }
    }

    @Test
    public void aRecycleThroughThePoolManagerGivesAFreshClassLoaderAndRequestsDuringItAreServed() throws Exception {
        install(context, appJar(1));
        await(Duration.ofSeconds(10), "the app's route", this::routeRegistered);
        String before = get("/pooled?mode=loader");
        try (RawFcgiClient waiting = RawFcgiClient.unix(socket)) {
            Thread recycler = new Thread(() -> pools.recycle(APP));
            waiting.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/pooled?mode=sleep&ms=500"), new byte[0]));
            Thread.sleep(50);
            recycler.start();
            // Only once the pool drains is a new request held for the new code; before, the old code rightly serves it.
            await(Duration.ofSeconds(5), "the pool to drain", () -> pool(APP).state() == PoolState.DRAINING);
            waiting.send(RawFcgiClient.requestBytes(2, true, RawFcgiClient.params("GET", "/pooled?mode=loader"), new byte[0]));
            assertThat(waiting.await(1).httpStatus()).as("in flight during the recycle").isEqualTo("200 OK");
            RawFcgiClient.Response during = waiting.await(2);
            recycler.join(10_000);
            assertThat(during.httpStatus()).as("sent while draining").isEqualTo("200 OK");
            assertThat("200 OK " + during.body()).as("served by the new class loader").isNotEqualTo(before);
        }
        assertThat(get("/pooled?mode=loader")).isNotEqualTo(before);
        assertThat(pool(APP).counters().recycles()).isEqualTo(1L);
        assertThat(pool(APP).state()).isEqualTo(PoolState.RUNNING);
    }

    @Test
    public void appsNamingTheSamePoolShareItAndAVirtualHostMountAnswersOnlyItsHosts() throws Exception {
        install(context, work.resolve("one/io.fastpool.itest.one-1.0.0.jar"));
        install(context, work.resolve("two/io.fastpool.itest.two-1.0.0.jar"));
        await(Duration.ofSeconds(10), "both apps in pool shared",
                () -> pools.pool("shared").map(shared -> shared.apps().size() == 2).orElse(false));
        assertThat(get("/one")).startsWith("200 OK Hello from version 1 on fastpool-pool-shared-");
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/two", "HTTP_HOST", "shop.example.com"), new byte[0]));
            assertThat(client.await(1).body()).startsWith("Hello from version 1 on fastpool-pool-shared-");
            client.send(RawFcgiClient.requestBytes(2, true, RawFcgiClient.params("GET", "/two", "HTTP_HOST", "other.org"), new byte[0]));
            assertThat(client.await(2).httpStatus()).isEqualTo("404 Not Found");
        }
    }

    @Test
    public void aPoolConfigurationChangedAtRuntimeAppliesToTheRunningPool() throws Exception {
        install(context, appJar(1));
        await(Duration.ofSeconds(10), "the app's route", this::routeRegistered);
        assertThat(get("/pooled")).startsWith("200 OK");
        assertThat(pool(APP).settings().maxThreads()).isEqualTo(4);
        configureFactory(configurationAdmin, "io.fastpool.pool", APP, Map.of("idleTimeout", "1s", "maxThreads", 1, "queueLength", 7));
        await(Duration.ofSeconds(10), "the new settings",
                () -> pool(APP).settings().maxThreads() == 1 && pool(APP).settings().queueLength() == 7);
        assertThat(get("/pooled")).startsWith("200 OK");
    }
}
