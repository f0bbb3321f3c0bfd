package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.configureFactory;
import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import com.fasterxml.jackson.jr.ob.JSON;
import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The status page's figures after a load whose outcome is known: 1,000 requests served, 10
 * rejected by a full queue, 3 time-outs. The JSON and the OpenMetrics text must say exactly that.
 */
@RunWith(PaxExam.class)
public class StatusFiguresIT {

    static final String KNOWN = "io.fastpool.itest.statusknown";

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin configurationAdmin;
    @Inject
    PoolManager pools;

    /** The platform with the status bundle; the app built here, installed once its pool is configured. */
    @Configuration
    public Option[] platform() {
        Path work = PlatformOptions.workFolder("status-figures-it");
        TestApps.pooledHelloJar(work.resolve("known"), KNOWN, "1.0.0", Map.of("fastpool.mount.path", "/known"));
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(work.resolve("run/fastpool.sock"))),
            PlatformOptions.bundleNamedBy("bundle.status"),
            mavenBundle("com.fasterxml.jackson.jr", "jackson-jr-objects").versionAsInProject(),
            systemProperty("status-figures-it.work").value(work.toString())};
    }

    @Test
    public void theJsonAndTheMetricsSayExactlyWhatTheLoadDid() throws Exception {
        Path work = Path.of(System.getProperty("status-figures-it.work"));
        Path socket = work.resolve("run/fastpool.sock");
        configureFactory(configurationAdmin, "io.fastpool.pool", KNOWN, Map.of("maxThreads", 1, "queueLength", 5,
                "requestTimeout", "1s", "idleTimeout", "1h", "slowRequestTimeout", "0"));
        install(context, work.resolve("known").resolve(KNOWN + "-1.0.0.jar"));
        await(Duration.ofSeconds(10), "the socket", () -> Files.exists(socket));
        await(Duration.ofSeconds(10), "the pool configured",
                () -> pools.pool(KNOWN).map(pool -> pool.settings().maxThreads() == 1).orElse(false));

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
            await(Duration.ofSeconds(5), "the worker busy", () -> busy() == 1);
            for (int i = 0; i < 5; i++) {
                RawFcgiClient queued = RawFcgiClient.unix(socket);
                open.add(queued);
                queued.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/known"), new byte[0]));
            }
            await(Duration.ofSeconds(5), "the queue full", () -> queued() == 5);
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

        // No request for a whole interval (5 s): an interval that began after the last request reads as
        // empty in the metrics, and the since-start figures stay.
        long lastRequest = System.nanoTime();
        await(Duration.ofSeconds(15), "an interval begun after the last request, ended", () -> pools.pool(KNOWN).map(pool -> {
            PoolSnapshot.Interval interval = pool.lastInterval();
            long sinceLastRequestMillis = (System.nanoTime() - lastRequest) / 1_000_000;
            return interval.lengthMillis() > 0 && interval.endedMillisAgo() + interval.lengthMillis() < sinceLastRequestMillis;
        }).orElse(false));
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            metrics = client.get(1, true, "/fastpool-status?openmetrics").body();
        }
        assertThat(sample(metrics, "fastpool_pool_interval_requests")).isZero();
        assertThat(sample(metrics, "fastpool_pool_interval_length_seconds")).isBetween(5L, 6L);
        assertThat(metrics).contains("fastpool_pool_latency_seconds_count{pool=\"" + KNOWN + "\"} " + served);
    }

    private int busy() {
        return pools.pool(KNOWN).map(PoolSnapshot::busyThreads).orElse(-1);
    }

    private int queued() {
        return pools.pool(KNOWN).map(PoolSnapshot::queued).orElse(-1);
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
