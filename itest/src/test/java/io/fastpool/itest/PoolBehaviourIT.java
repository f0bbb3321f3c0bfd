package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.PooledApps;
import io.fastpool.itest.apps.PooledHello;
import io.fastpool.itest.support.JulNettyLeaks;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.Pools;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;

/**
 * What a client sees when a pool is overloaded, slow, crashing or undeployed; sessions under the
 * seed's denial of service; one pool's hung threads against another's latency.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PoolBehaviourIT {

    static final String A = "io.fastpool.itest.a";
    static final String B = "io.fastpool.itest.b";
    static final String IMPORTS = PooledApps.IMPORTS;

    Path work;
    Path socket;
    Platform platform;
    Pools pools;
    Bundle appA;

    static String component(String path) {
        return PooledApps.component(path);
    }

    @BeforeEach
    void start() throws Exception {
        work = Files.createTempDirectory(Path.of("target"), "pool-behaviour-it").toAbsolutePath();
        socket = work.resolve("run/fastpool.sock");
        platform = Platform.start(work.resolve("felix"), Map.of("io.fastpool.transport", Map.of(
                "listen", new String[] {"unix:" + socket})));
        platform.configureFactory("io.fastpool.pool", A, Map.of("queueLength", 4, "maxThreads", 2, "requestTimeout", "1s",
                "rapidFailMaxFailures", 3, "maxSessions", 1000));
        pools = new Pools(platform);
        appA = platform.install(TestBundles.buildComponent(work.resolve("a"), A, "1.0.0", IMPORTS,
                "Fastpool-Pool: idleTimeout=1h", component("/a"), PooledHello.class));
        platform.install(TestBundles.buildComponent(work.resolve("b"), B, "1.0.0", IMPORTS, null, component("/b"), PooledHello.class));
        Platform.await(Duration.ofSeconds(10), "both routes", () -> routes() == 2);
    }

    private int routes() {
        try {
            var references = platform.context().getAllServiceReferences("io.fastpool.api.spi.RequestTarget", null);
            return references == null ? 0 : references.length;
        } catch (Exception e) {
            return 0;
        }
    }

    @AfterEach
    void stop() throws Exception {
        try {
            JulNettyLeaks.assertNone(() -> { });
        } finally {
            platform.close();
        }
    }

    private RawFcgiClient.Response get(String uri, String... params) throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", uri, params), new byte[0]));
            return client.await(1);
        }
    }

    @Test
    void aFullQueueIsAnswered503WithRetryAfterAndTheRestAreServed() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            for (int id = 1; id <= 7; id++) {
                client.send(RawFcgiClient.requestBytes(id, true, RawFcgiClient.params("GET", "/a?mode=sleep&ms=700"), new byte[0]));
                if (id == 2) {
                    // Both workers busy before the rest arrive, however slowly threads start on this machine.
                    Platform.await(Duration.ofSeconds(10), "two busy threads", () -> {
                        try {
                            return pools.read(A, "busyThreads").equals(2);
                        } catch (Exception e) {
                            return false;
                        }
                    });
                }
            }
            // 2 running (maxThreads), 4 waiting (queueLength): the 7th is refused at once.
            RawFcgiClient.Response refused = client.await(7);
            assertThat(refused.httpStatus()).isEqualTo("503 Service Unavailable");
            assertThat(refused.stdout.toString()).contains("Retry-After: 1\r\n");
            for (int id = 1; id <= 6; id++) {
                assertThat(client.await(id).httpStatus()).as("request %d", id).isEqualTo("200 OK");
            }
        }
        assertThat(pools.read(A, "counters", "rejected")).isEqualTo(1L);
        assertThat(pools.read(A, "maxQueued")).isEqualTo(4);
    }

    @Test
    void aRequestPastItsTimeoutIsAnswered504() throws Exception {
        long start = System.nanoTime();
        RawFcgiClient.Response response = get("/a?mode=sleep&ms=5000");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(response.httpStatus()).isEqualTo("504 Gateway Timeout");
        assertThat(millis).isBetween(900L, 3000L);
        assertThat(pools.read(A, "counters", "timeouts")).isEqualTo(1L);
    }

    @Test
    void errorsTripRapidFailProtectionAndTheDisabledPoolAnswers503UntilStarted() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(get("/a?mode=error").httpStatus()).isEqualTo("500 Internal Server Error");
        }
        assertThat(pools.read(A, "state").toString()).isEqualTo("DISABLED");
        RawFcgiClient.Response refused = get("/a");
        assertThat(refused.httpStatus()).isEqualTo("503 Service Unavailable");
        assertThat(get("/b").httpStatus()).as("another pool").isEqualTo("200 OK");
        pools.operate("start", A);
        assertThat(get("/a").body()).startsWith("Hello from version 1");
    }

    @Test
    void anExceptionIsA500WithoutItsStackTraceAndThePoolServesOn() throws Exception {
        RawFcgiClient.Response response = get("/a?mode=fail");
        assertThat(response.httpStatus()).isEqualTo("500 Internal Server Error");
        assertThat(response.body()).doesNotContain("failing on purpose").doesNotContain("Exception");
        assertThat(get("/a").httpStatus()).isEqualTo("200 OK");
        assertThat(pools.read(A, "state").toString()).isEqualTo("RUNNING");
    }

    @Test
    void uninstallingAnAppAnswersItsWaitingRequests503AndRemovesItsRoute() throws Exception {
        appA.stop();
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/a"), new byte[0]));
            Thread.sleep(300);
            appA.uninstall();
            assertThat(client.await(1).httpStatus()).isEqualTo("503 Service Unavailable");
        }
        assertThat(get("/a").httpStatus()).isEqualTo("404 Not Found");
        assertThat(get("/b").httpStatus()).isEqualTo("200 OK");
    }

    @Test
    void theSeedsDenialOfServiceReversedCookielessRequestsCreateNoSessionAndSessionsStayWithinTheirApp() throws Exception {
        // Another app's sessions, made first.
        List<String> cookiesOfB = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RawFcgiClient.Response response = get("/b?mode=session");
            assertThat(response.body()).isEqualTo("count 1");
            cookiesOfB.add(cookieOf(response));
        }
        long cookieless = flood("/a", 200_000);
        assertThat(cookieless).isEqualTo(200_000);
        assertThat(pools.app(A, "sessionsCreated")).as("sessions from 200,000 cookie-less requests").isEqualTo(0L);

        long creating = flood("/a?mode=session", 100_000);
        assertThat(creating).isEqualTo(100_000);
        assertThat(pools.app(A, "sessionsCreated")).isEqualTo(100_000L);
        assertThat((Integer) pools.app(A, "sessions")).as("within maxSessions").isEqualTo(1000);
        assertThat(pools.app(A, "sessionsEvicted")).isEqualTo(99_000L);

        // The other app's sessions, route and component are untouched.
        for (String cookie : cookiesOfB) {
            assertThat(get("/b?mode=session", "HTTP_COOKIE", cookie).body()).isEqualTo("count 2");
        }
        assertThat(pools.app(B, "sessions")).isEqualTo(10);
        assertThat(get("/a").httpStatus()).isEqualTo("200 OK");
    }

    @Test
    void oneAppsHungThreadsLeaveAnotherAppsLatencyAlone() throws Exception {
        latencies("/b", 2000); // warm-up: the first measure would otherwise be the slower one
        long[] idle = latencies("/b", 2000);
        try (RawFcgiClient hog = RawFcgiClient.unix(socket)) {
            for (int id = 1; id <= 6; id++) {
                hog.send(RawFcgiClient.requestBytes(id, true, RawFcgiClient.params("GET", "/a?mode=sleep&ms=900"), new byte[0]));
            }
            Thread.sleep(100);
            assertThat(pools.read(A, "busyThreads")).as("every thread of A is held").isEqualTo(2);
            long[] loaded = latencies("/b", 2000);
            long idleP99 = idle[(int) (idle.length * 0.99)];
            long loadedP99 = loaded[(int) (loaded.length * 0.99)];
            System.out.printf("app B p99 with A idle %.3f ms, with every thread of A hung %.3f ms%n", idleP99 / 1e6, loadedP99 / 1e6);
            assertThat(loadedP99).as("B's p99 with A hung, against idle").isLessThan(Math.max(3 * idleP99, idleP99 + 5_000_000));
        }
    }

    private static String cookieOf(RawFcgiClient.Response response) {
        String text = response.stdout.toString();
        int at = text.indexOf("Set-Cookie: ");
        assertThat(at).as("a Set-Cookie header").isNotNegative();
        String value = text.substring(at + 12, text.indexOf("\r\n", at));
        return value.substring(0, value.indexOf(';'));
    }

    private long[] latencies(String uri, int count) throws Exception {
        long[] nanos = new long[count];
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                RawFcgiClient.Response response = client.get(1, true, uri);
                nanos[i] = System.nanoTime() - start;
                assertThat(response.httpStatus()).isEqualTo("200 OK");
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    /**
     * Sends {@code count} requests on 4 kept connections; returns how many were answered 200. Four,
     * because pool A runs 2 and queues 4: more clients at once would be refused 503, rightly.
     */
    private long flood(String uri, int count) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(clients.submit(() -> {
                    long ok = 0;
                    try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                        for (int i = 0; i < count / 4; i++) {
                            if (client.get(1, true, uri).httpStatus().equals("200 OK")) {
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            long ok = 0;
            for (Future<Long> result : results) {
                ok += result.get(150, TimeUnit.SECONDS);
            }
            return ok;
        } finally {
            clients.shutdownNow();
        }
    }
}
