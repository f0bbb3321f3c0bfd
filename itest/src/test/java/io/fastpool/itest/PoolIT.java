package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.PooledApps;
import io.fastpool.itest.apps.PooledHello;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.Pools;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.TestBundles;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;

/** The pool manager on the real platform: demand start, idle time-out, hot swap under load. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PoolIT {

    static final String APP = "io.fastpool.itest.pooled";
    static final String COMPONENT = PooledApps.component("/pooled");
    static final String IMPORTS = PooledApps.IMPORTS;

    Path work;
    Path socket;
    Platform platform;

    @BeforeEach
    void start() throws Exception {
        System.clearProperty("pooled.activations");
        System.clearProperty("pooled.deactivations");
        work = Files.createTempDirectory(Path.of("target"), "pool-it").toAbsolutePath();
        socket = work.resolve("run/fastpool.sock");
        platform = Platform.start(work.resolve("felix"), Map.of("io.fastpool.transport", Map.of(
                "listen", new String[] {"unix:" + socket})));
        platform.configureFactory("io.fastpool.pool", APP, Map.of("idleTimeout", "1s", "maxThreads", 4));
        Platform.await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            OsgiNettyLeaks.assertNone(() -> { });
        } finally {
            platform.close();
        }
    }

    private Path appJar(int major) throws Exception {
        return TestBundles.buildComponent(work.resolve("v" + major), APP, major + ".0.0", IMPORTS, null, COMPONENT, PooledHello.class);
    }

    private boolean routeRegistered() {
        try {
            return platform.context().getAllServiceReferences("io.fastpool.api.spi.RequestTarget",
                    "(fastpool.target.name=" + APP + "/*)") != null;
        } catch (Exception e) {
            return false;
        }
    }

    private String get(String uri) throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            RawFcgiClient.Response response = client.get(1, true, uri);
            return response.httpStatus() + " " + response.body();
        }
    }

    @Test
    void anAppIsActivatedByItsFirstRequestAndReleasedWithItsThreadsAfterTheIdleTimeout() throws Exception {
        long installed = System.nanoTime();
        platform.install(appJar(1));
        Platform.await(Duration.ofSeconds(10), "the app's route", this::routeRegistered);
        assertThat(Integer.getInteger("pooled.activations")).as("activated before any request").isNull();
        assertThat(Platform.threadsNamed("fastpool-pool-" + APP)).as("threads before any request").isZero();

        String first = get("/pooled");
        long firstMillis = (System.nanoTime() - installed) / 1_000_000;
        System.out.printf("time from install to first response (demand start included): %d ms%n", firstMillis);
        assertThat(first).startsWith("200 OK Hello from version 1 on fastpool-pool-" + APP + "-").endsWith("loader true");
        assertThat(Integer.getInteger("pooled.activations")).isEqualTo(1);
        assertThat(Platform.threadsNamed("fastpool-pool-" + APP)).isPositive();

        Platform.await(Duration.ofSeconds(10), "the idle time-out to release the app",
                () -> Integer.getInteger("pooled.deactivations", 0) == 1);
        Platform.await(Duration.ofSeconds(10), "the pool's threads to end", () -> Platform.threadsNamed("fastpool-pool-" + APP) == 0);

        assertThat(get("/pooled")).startsWith("200 OK Hello from version 1");
        assertThat(Integer.getInteger("pooled.activations")).as("started again on demand").isEqualTo(2);
    }

    @Test
    void anAppReplacedTenTimesUnderLoadThroughNginxLosesNoRequest() throws Exception {
        Path v1 = appJar(1);
        Path v2 = appJar(2);
        Bundle app = platform.install(v1);
        Platform.await(Duration.ofSeconds(10), "the app's route", this::routeRegistered);
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
    void aRecycleThroughThePoolManagerGivesAFreshClassLoaderAndRequestsDuringItAreServed() throws Exception {
        platform.install(appJar(1));
        Platform.await(Duration.ofSeconds(10), "the app's route", this::routeRegistered);
        String before = get("/pooled?mode=loader");
        Pools pools = new Pools(platform);
        try (RawFcgiClient waiting = RawFcgiClient.unix(socket)) {
            Thread recycler = new Thread(() -> {
                try {
                    pools.operate("recycle", APP);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            waiting.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/pooled?mode=sleep&ms=500"), new byte[0]));
            Thread.sleep(50);
            recycler.start();
            // Only once the pool drains is a new request held for the new code; before, the old code rightly serves it.
            Platform.await(Duration.ofSeconds(5), "the pool to drain", () -> {
                try {
                    return pools.read(APP, "state").toString().equals("DRAINING");
                } catch (Exception e) {
                    return false;
                }
            });
            waiting.send(RawFcgiClient.requestBytes(2, true, RawFcgiClient.params("GET", "/pooled?mode=loader"), new byte[0]));
            assertThat(waiting.await(1).httpStatus()).as("in flight during the recycle").isEqualTo("200 OK");
            RawFcgiClient.Response during = waiting.await(2);
            recycler.join(10_000);
            assertThat(during.httpStatus()).as("sent while draining").isEqualTo("200 OK");
            assertThat("200 OK " + during.body()).as("served by the new class loader").isNotEqualTo(before);
        }
        assertThat(get("/pooled?mode=loader")).isNotEqualTo(before);
        assertThat(pools.read(APP, "counters", "recycles")).isEqualTo(1L);
        assertThat(pools.read(APP, "state").toString()).isEqualTo("RUNNING");
    }

    @Test
    void appsNamingTheSamePoolShareItAndAVirtualHostMountAnswersOnlyItsHosts() throws Exception {
        String pool = "<property name=\"fastpool.mount.pool\" value=\"shared\"/>";
        platform.install(TestBundles.buildComponent(work.resolve("one"), "io.fastpool.itest.one", "1.0.0", IMPORTS, null,
                PooledApps.component("/one", pool), PooledHello.class));
        platform.install(TestBundles.buildComponent(work.resolve("two"), "io.fastpool.itest.two", "1.0.0", IMPORTS, null,
                PooledApps.component("/two", pool + "<property name=\"fastpool.mount.host\" value=\"*.example.com\"/>"),
                PooledHello.class));
        Pools pools = new Pools(platform);
        Platform.await(Duration.ofSeconds(10), "both apps in pool shared", () -> {
            try {
                return ((List<?>) pools.read("shared", "apps")).size() == 2;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(get("/one")).startsWith("200 OK Hello from version 1 on fastpool-pool-shared-");
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/two", "HTTP_HOST", "shop.example.com"), new byte[0]));
            assertThat(client.await(1).body()).startsWith("Hello from version 1 on fastpool-pool-shared-");
            client.send(RawFcgiClient.requestBytes(2, true, RawFcgiClient.params("GET", "/two", "HTTP_HOST", "other.org"), new byte[0]));
            assertThat(client.await(2).httpStatus()).isEqualTo("404 Not Found");
        }
    }

    @Test
    void aPoolConfigurationChangedAtRuntimeAppliesToTheRunningPool() throws Exception {
        platform.install(appJar(1));
        Platform.await(Duration.ofSeconds(10), "the app's route", this::routeRegistered);
        assertThat(get("/pooled")).startsWith("200 OK");
        Pools pools = new Pools(platform);
        assertThat(pools.read(APP, "settings", "maxThreads")).isEqualTo(4);
        platform.configureFactory("io.fastpool.pool", APP, Map.of("idleTimeout", "1s", "maxThreads", 1, "queueLength", 7));
        Platform.await(Duration.ofSeconds(10), "the new settings", () -> {
            try {
                return pools.read(APP, "settings", "maxThreads").equals(1) && pools.read(APP, "settings", "queueLength").equals(7);
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(get("/pooled")).startsWith("200 OK");
    }
}
