package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import io.fastpool.itest.apps.PooledApps;
import io.fastpool.itest.apps.PooledHello;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.Pools;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The status page's figures after a load whose outcome is known: 1,000 requests served, 10
 * rejected by a full queue, 3 time-outs. The JSON and the OpenMetrics text must say exactly that.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusFiguresIT {

    static final String KNOWN = "io.fastpool.itest.statusknown";

    @Test
    void theJsonAndTheMetricsSayExactlyWhatTheLoadDid() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "status-figures-it").toAbsolutePath();
        Path socket = work.resolve("run/fastpool.sock");
        String statusBundle = System.getProperty("bundle.status");
        assertThat(statusBundle).as("system property bundle.status (run through failsafe: mvn verify)").isNotBlank()
                .doesNotContain("${");
        try (Platform platform = Platform.start(work.resolve("felix"),
                Map.of("io.fastpool.transport", Map.of("listen", new String[] {"unix:" + socket})), List.of(statusBundle))) {
            platform.configureFactory("io.fastpool.pool", KNOWN, Map.of("maxThreads", 1, "queueLength", 5,
                    "requestTimeout", "1s", "idleTimeout", "1h", "slowRequestTimeout", "0"));
            platform.install(TestBundles.buildComponent(work.resolve("known"), KNOWN, "1.0.0", PooledApps.IMPORTS, null,
                    PooledApps.component("/known"), PooledHello.class));
            Pools pools = new Pools(platform);
            Platform.await(Duration.ofSeconds(10), "the socket", () -> Files.exists(socket));
            Platform.await(Duration.ofSeconds(10), "the pool configured", () -> {
                try {
                    return Integer.valueOf(1).equals(pools.read(KNOWN, "settings", "maxThreads"));
                } catch (Exception e) {
                    return false;
                }
            });

            // 1,000 requests answered 200 (one keep-alive connection).
            try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                for (int i = 0; i < 1_000; i++) {
                    assertThat(client.get(1, true, "/known").httpStatus()).isEqualTo("200 OK");
                }
            }

            // 3 requests past requestTimeout (1 s): each answered 504.
            for (int i = 0; i < 3; i++) {
                try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                    assertThat(client.get(1, true, "/known?mode=sleep&ms=10000").httpStatus()).startsWith("504");
                }
            }

            // The one worker busy (600 ms), the queue of 5 full, then 10 more: those 10 are refused 503.
            List<RawFcgiClient> open = new ArrayList<>();
            try {
                RawFcgiClient blocker = RawFcgiClient.unix(socket);
                open.add(blocker);
                blocker.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/known?mode=sleep&ms=600"), new byte[0]));
                Platform.await(Duration.ofSeconds(5), "the worker busy", () -> busy(pools) == 1);
                for (int i = 0; i < 5; i++) {
                    RawFcgiClient queued = RawFcgiClient.unix(socket);
                    open.add(queued);
                    queued.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/known"), new byte[0]));
                }
                Platform.await(Duration.ofSeconds(5), "the queue full", () -> queued(pools) == 5);
                for (int i = 0; i < 10; i++) {
                    try (RawFcgiClient refused = RawFcgiClient.unix(socket)) {
                        assertThat(refused.get(1, true, "/known").httpStatus()).startsWith("503");
                    }
                }
                for (RawFcgiClient client : open) {
                    assertThat(client.await(1).httpStatus()).isEqualTo("200 OK");
                }
            } finally {
                for (RawFcgiClient client : open) {
                    client.close();
                }
            }

            // served: 1,000 + 3 timed out + 1 blocker + 5 queued; 5xx: the 3 504s (503s are rejections, not served).
            long served = 1_000 + 3 + 1 + 5;
            Map<String, Object> counters = counters(socket);
            assertThat(counters).containsEntry("served", (int) served).containsEntry("rejected", 10)
                    .containsEntry("timeouts", 3).containsEntry("serverErrors", 3).containsEntry("orphans", 0);

            String metrics;
            try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                metrics = client.get(1, true, "/fastpool-status?openmetrics").body();
            }
            assertThat(sample(metrics, "fastpool_pool_served_total")).isEqualTo(served);
            assertThat(sample(metrics, "fastpool_pool_rejected_total")).isEqualTo(10);
            assertThat(sample(metrics, "fastpool_pool_timeouts_total")).isEqualTo(3);
            assertThat(sample(metrics, "fastpool_pool_server_errors_total")).isEqualTo(3);
            assertThat(metrics).contains("fastpool_pool_latency_seconds_count{pool=\"" + KNOWN + "\"} " + served);

            // No request for a whole interval (5 s): the last interval reads as empty, the since-start figures stay.
            Platform.await(Duration.ofSeconds(15), "an interval without requests", () -> lastIntervalRequests(socket) == 0);
            try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                metrics = client.get(1, true, "/fastpool-status?openmetrics").body();
            }
            assertThat(sample(metrics, "fastpool_pool_interval_requests")).isZero();
            assertThat(sample(metrics, "fastpool_pool_interval_length_seconds")).isBetween(5L, 6L);
            assertThat(metrics).contains("fastpool_pool_latency_seconds_count{pool=\"" + KNOWN + "\"} " + served);
        }
    }

    private static int busy(Pools pools) {
        try {
            return (Integer) pools.read(KNOWN, "busyThreads");
        } catch (Exception e) {
            return -1;
        }
    }

    private static int queued(Pools pools) {
        try {
            return (Integer) pools.read(KNOWN, "queued");
        } catch (Exception e) {
            return -1;
        }
    }

    @SuppressWarnings("unchecked")
    private static long lastIntervalRequests(Path socket) {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            Map<String, Object> status = JSON.std.mapFrom(client.get(1, true, "/fastpool-status?json").body());
            for (Object pool : (List<Object>) status.get("pools")) {
                Map<String, Object> map = (Map<String, Object>) pool;
                if (KNOWN.equals(map.get("name"))) {
                    Map<String, Object> interval = (Map<String, Object>) map.get("lastInterval");
                    return ((Number) ((Map<String, Object>) interval.get("latencyMicros")).get("count")).longValue();
                }
            }
            return -1;
        } catch (Exception e) {
            return -1;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> counters(Path socket) throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            Map<String, Object> status = JSON.std.mapFrom(client.get(1, true, "/fastpool-status?json").body());
            for (Object pool : (List<Object>) status.get("pools")) {
                Map<String, Object> map = (Map<String, Object>) pool;
                if (KNOWN.equals(map.get("name"))) {
                    return (Map<String, Object>) map.get("counters");
                }
            }
        }
        throw new AssertionError("no pool " + KNOWN + " in the status JSON");
    }

    /** The value of {@code family{pool="KNOWN"}} in OpenMetrics text. */
    private static long sample(String metrics, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name + "{pool=\"" + KNOWN + "\"}") + " ([0-9.e+]+)$")
                .matcher(metrics);
        assertThat(matcher.find()).as(name + " in\n" + metrics).isTrue();
        return (long) Double.parseDouble(matcher.group(1));
    }
}
