package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.configureFactory;
import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * What a client sees when a pool is overloaded, slow, crashing or undeployed; sessions under the
 * seed's denial of service; one pool's hung threads against another's latency.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class PoolBehaviourIT {

    static final String A = "io.fastpool.itest.a";
    static final String B = "io.fastpool.itest.b";

    @Rule
    public final Timeout timeout = Timeout.seconds(180);

    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin configurationAdmin;
    @Inject
    PoolManager pools;

    Path work;
    Path socket;
    Bundle appA;

    /** A fresh platform per test; apps A and B built here, installed by each test once A's pool is configured. */
    @Configuration
    public Option[] platform() {
        Path work = PlatformOptions.workFolder("pool-behaviour-it");
        write(work.resolve("a.jar"), TestApps.pooledHello(A, "1.0.0", Map.of("fastpool.mount.path", "/a"), "Fastpool-Pool", "idleTimeout=1h"));
        write(work.resolve("b.jar"), TestApps.pooledHello(B, "1.0.0", "/b"));
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(work.resolve("run/fastpool.sock"))),
            systemProperty("pool-behaviour-it.work").value(work.toString())};
    }

    private static void write(Path jar, InputStream content) {
        try (InputStream in = content) {
            Files.copy(in, jar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Before
    public void start() throws Exception {
        work = Path.of(System.getProperty("pool-behaviour-it.work"));
        socket = work.resolve("run/fastpool.sock");
        configureFactory(configurationAdmin, "io.fastpool.pool", A, Map.of("queueLength", 4, "maxThreads", 2, "requestTimeout", "1s",
                "rapidFailMaxFailures", 3, "maxSessions", 1000));
        appA = install(context, work.resolve("a.jar"));
        install(context, work.resolve("b.jar"));
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
        await(Duration.ofSeconds(10), "both routes", () -> routes() == 2);
    }

    private int routes() {
        try {
            var references = context.getAllServiceReferences("io.fastpool.api.spi.RequestTarget", null);
            return references == null ? 0 : references.length;
        } catch (Exception e) {
            return 0;
        }
    }

    @After
    public void checkLeaks() {
        OsgiNettyLeaks.assertNone();
    }

    private PoolSnapshot pool(String name) {
        return pools.pool(name).orElseThrow(() -> new AssertionError("no pool " + name));
    }

    private PoolSnapshot.AppView app(String name) {
        return pool(name).apps().get(0);
    }

    private RawFcgiClient.Response get(String uri, String... params) throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", uri, params), new byte[0]));
            return client.await(1);
        }
    }

    @Test
    public void aFullQueueIsAnswered503WithRetryAfterAndTheRestAreServed() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            for (int id = 1; id <= 7; id++) {
                client.send(RawFcgiClient.requestBytes(id, true, RawFcgiClient.params("GET", "/a?mode=sleep&ms=700"), new byte[0]));
                if (id == 2) {
                    // Both workers busy before the rest arrive, however slowly threads start on this machine.
                    await(Duration.ofSeconds(10), "two busy threads", () -> pool(A).busyThreads() == 2);
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
        assertThat(pool(A).counters().rejected()).isEqualTo(1L);
        assertThat(pool(A).maxQueued()).isEqualTo(4);
    }

    @Test
    public void aRequestPastItsTimeoutIsAnswered504() throws Exception {
        long start = System.nanoTime();
        RawFcgiClient.Response response = get("/a?mode=sleep&ms=5000");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(response.httpStatus()).isEqualTo("504 Gateway Timeout");
        assertThat(millis).isBetween(900L, 3000L);
        assertThat(pool(A).counters().timeouts()).isEqualTo(1L);
    }

    @Test
    public void errorsTripRapidFailProtectionAndTheDisabledPoolAnswers503UntilStarted() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(get("/a?mode=error").httpStatus()).isEqualTo("500 Internal Server Error");
        }
        assertThat(pool(A).state()).isEqualTo(PoolState.DISABLED);
        RawFcgiClient.Response refused = get("/a");
        assertThat(refused.httpStatus()).isEqualTo("503 Service Unavailable");
        assertThat(get("/b").httpStatus()).as("another pool").isEqualTo("200 OK");
        pools.start(A);
        assertThat(get("/a").body()).startsWith("Hello from version 1");
    }

    @Test
    public void anExceptionIsA500WithoutItsStackTraceAndThePoolServesOn() throws Exception {
        RawFcgiClient.Response response = get("/a?mode=fail");
        assertThat(response.httpStatus()).isEqualTo("500 Internal Server Error");
        assertThat(response.body()).doesNotContain("failing on purpose").doesNotContain("Exception");
        assertThat(get("/a").httpStatus()).isEqualTo("200 OK");
        assertThat(pool(A).state()).isEqualTo(PoolState.RUNNING);
    }

    @Test
    public void uninstallingAnAppAnswersItsWaitingRequests503AndRemovesItsRoute() throws Exception {
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
    public void theSeedsDenialOfServiceReversedCookielessRequestsCreateNoSessionAndSessionsStayWithinTheirApp() throws Exception {
        // Another app's sessions, made first.
        List<String> cookiesOfB = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RawFcgiClient.Response response = get("/b?mode=session");
            assertThat(response.body()).isEqualTo("count 1");
            cookiesOfB.add(cookieOf(response));
        }
        long cookieless = flood("/a", 200_000);
        assertThat(cookieless).isEqualTo(200_000);
        assertThat(app(A).sessionsCreated()).as("sessions from 200,000 cookie-less requests").isEqualTo(0L);

        long creating = flood("/a?mode=session", 100_000);
        assertThat(creating).isEqualTo(100_000);
        assertThat(app(A).sessionsCreated()).isEqualTo(100_000L);
        assertThat(app(A).sessions()).as("within maxSessions").isEqualTo(1000);
        assertThat(app(A).sessionsEvicted()).isEqualTo(99_000L);

        // The other app's sessions, route and component are untouched.
        for (String cookie : cookiesOfB) {
            assertThat(get("/b?mode=session", "HTTP_COOKIE", cookie).body()).isEqualTo("count 2");
        }
        assertThat(app(B).sessions()).isEqualTo(10);
        assertThat(get("/a").httpStatus()).isEqualTo("200 OK");
    }

    @Test
    public void oneAppsHungThreadsLeaveAnotherAppsLatencyAlone() throws Exception {
        latencies("/b", 2000); // warm-up: the first measure would otherwise be the slower one
        long[] idle = latencies("/b", 2000);
        try (RawFcgiClient hog = RawFcgiClient.unix(socket)) {
            for (int id = 1; id <= 6; id++) {
                hog.send(RawFcgiClient.requestBytes(id, true, RawFcgiClient.params("GET", "/a?mode=sleep&ms=900"), new byte[0]));
            }
            Thread.sleep(100);
            assertThat(pool(A).busyThreads()).as("every thread of A is held").isEqualTo(2);
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
