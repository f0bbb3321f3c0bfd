package io.fastpool.status.internal;

import static io.fastpool.status.internal.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The metrics text, checked line by line here; the platform test feeds it to real parsers
 * (promtool, and the OpenMetrics parser of the Prometheus Python client).
 */
class MetricsFormatTest {

    private static StatusReport report() {
        Fixtures.Pool shop = pool();
        shop.state = PoolState.DISABLED;
        return Fixtures.report(List.of(shop.snapshot(), pool().name("blog").snapshot()));
    }

    @Test
    void openMetricsNamesCounterFamiliesWithoutTotalAndEndsWithEof() {
        String text = MetricsFormat.render(report(), MetricsFormat.Flavour.OPENMETRICS);
        List<String> lines = text.lines().toList();
        assertThat(lines.get(lines.size() - 1)).isEqualTo("# EOF");
        assertThat(text).endsWith("# EOF\n");
        assertThat(lines).doesNotContain("");
        assertThat(lines).contains("# TYPE fastpool_pool_served counter", "fastpool_pool_served_total{pool=\"shop\"} 10000",
                "# TYPE fastpool_pool_cpu_seconds counter", "# UNIT fastpool_pool_cpu_seconds seconds",
                "fastpool_pool_cpu_seconds_total{pool=\"shop\"} 2",
                "# TYPE fastpool_pool_latency_seconds summary",
                "fastpool_pool_latency_seconds{pool=\"shop\",quantile=\"0.99\"} 0.009",
                "fastpool_pool_latency_seconds_count{pool=\"shop\"} 10000",
                "fastpool_pool_state{pool=\"shop\",state=\"DISABLED\"} 1", "fastpool_pool_state{pool=\"shop\",state=\"RUNNING\"} 0",
                "fastpool_pool_queue_length{pool=\"blog\"} 100", "fastpool_pool_threads_busy{pool=\"shop\"} 1",
                "fastpool_connections_accepted_total{listen=\"unix:run/fastpool.sock\"} 120",
                "fastpool_connections{listen=\"tcp:127.0.0.1:9000\",state=\"idle\"} 1",
                "fastpool_responses_total{class=\"5xx\"} 28", "fastpool_responses_written_by_handlers_total 9900", "fastpool_uptime_seconds 7200",
                "fastpool_start_time_seconds 1772359200", "fastpool_transport_io{kind=\"nio\"} 1",
                "fastpool_app_sessions_by_segment{pool=\"shop\",app=\"shop/app\",segment=\"new\"} 9",
                "fastpool_app_sessions_by_segment{pool=\"shop\",app=\"shop/app\",segment=\"returning\"} 3",
                "# TYPE fastpool_app_sessions_evicted_by_segment counter",
                "fastpool_app_sessions_evicted_by_segment_total{pool=\"shop\",app=\"shop/app\",segment=\"returning\"} 0");
        assertSamplesBelongToTheirFamily(lines, true);
    }

    @Test
    void theLastIntervalIsGaugesBesideTheSinceStartSummaryWithItsWindow() {
        Fixtures.Pool fresh = pool().name("fresh");
        fresh.lastInterval = PoolSnapshot.Interval.NONE;
        String text = MetricsFormat.render(Fixtures.report(List.of(pool().snapshot(), fresh.snapshot())), MetricsFormat.Flavour.OPENMETRICS);
        List<String> lines = text.lines().toList();
        assertThat(lines).contains("# TYPE fastpool_pool_latency_seconds summary",
                "fastpool_pool_latency_seconds{pool=\"shop\",quantile=\"0.99\"} 0.009",
                "# TYPE fastpool_pool_interval_length_seconds gauge", "# UNIT fastpool_pool_interval_length_seconds seconds",
                "fastpool_pool_interval_length_seconds{pool=\"shop\"} 5",
                "fastpool_pool_interval_requests{pool=\"shop\"} 250",
                "# TYPE fastpool_pool_interval_latency_seconds gauge",
                "fastpool_pool_interval_latency_seconds{pool=\"shop\",percentile=\"50\"} 7.0E-4",
                "fastpool_pool_interval_latency_seconds{pool=\"shop\",percentile=\"99\"} 0.12",
                "fastpool_pool_interval_latency_max_seconds{pool=\"shop\"} 0.3",
                "fastpool_pool_interval_queue_wait_seconds{pool=\"shop\",percentile=\"99\"} 0.002",
                "fastpool_pool_interval_queue_wait_max_seconds{pool=\"shop\"} 0.004");
        assertThat(text).as("no interval has ended for this pool yet").doesNotContain("fastpool_pool_interval_length_seconds{pool=\"fresh\"}",
                "fastpool_pool_interval_latency_seconds{pool=\"fresh\"");
        assertThat(lines).as("promtool: only a summary may have a quantile label")
                .filteredOn(line -> line.startsWith("fastpool_pool_interval_")).noneMatch(line -> line.contains("quantile="));
        assertSamplesBelongToTheirFamily(lines, true);
    }

    @Test
    void prometheusTextNamesCounterFamiliesWithTotalAndHasNoUnitsOrEof() {
        String text = MetricsFormat.render(report(), MetricsFormat.Flavour.PROMETHEUS);
        List<String> lines = text.lines().toList();
        assertThat(lines).contains("# TYPE fastpool_pool_served_total counter", "fastpool_pool_served_total{pool=\"shop\"} 10000",
                "# HELP fastpool_pool_served_total Requests handled to the end (PHP-FPM: accepted conn).");
        assertThat(text).doesNotContain("# EOF", "# UNIT");
        assertSamplesBelongToTheirFamily(lines, false);
    }

    @Test
    void everyFamilyHasHelpAndATypeAndAppearsOnce() {
        for (MetricsFormat.Flavour flavour : MetricsFormat.Flavour.values()) {
            List<String> lines = MetricsFormat.render(report(), flavour).lines().toList();
            Set<String> typed = new HashSet<>();
            List<String> helped = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("# TYPE ")) {
                    assertThat(typed.add(line.split(" ")[2])).as("one TYPE per family: %s", line).isTrue();
                } else if (line.startsWith("# HELP ")) {
                    helped.add(line.split(" ")[2]);
                }
            }
            assertThat(helped).containsExactlyInAnyOrderElementsOf(typed);
        }
    }

    @Test
    void labelValuesAreEscaped() {
        String nasty = "we\"ird\\pool\nname";
        String text = MetricsFormat.render(Fixtures.report(List.of(pool().name(nasty).snapshot())), MetricsFormat.Flavour.OPENMETRICS);
        assertThat(text).contains("fastpool_pool_threads{pool=\"we\\\"ird\\\\pool\\nname\"} 2");
        assertThat(MetricsFormat.escapeLabelValue("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
    }

    @Test
    void familiesWithoutSamplesAreLeftOut() {
        StatusReport report = Fixtures.report(List.of());
        StatusReport bare = new StatusReport(report.time(), report.startTime(), report.statusStartTime(), SystemFigures.UNKNOWN,
                false, null, 0, List.of(), null, List.of(), Map.of(), report.history(), List.of());
        String text = MetricsFormat.render(bare, MetricsFormat.Flavour.OPENMETRICS);
        assertThat(text).doesNotContain("fastpool_pool_", "fastpool_connections", "fastpool_responses", "fastpool_transport_io",
                "fastpool_load_average", "fastpool_cpu_busy_ratio");
        assertThat(text).contains("fastpool_uptime_seconds 7200", "fastpool_processors 1").endsWith("# EOF\n");
    }

    @Test
    void numbersAreWrittenAsTheFormatsRead() {
        assertThat(MetricsFormat.number(3)).isEqualTo("3");
        assertThat(MetricsFormat.number(0.25)).isEqualTo("0.25");
        assertThat(MetricsFormat.number(Double.NaN)).isEqualTo("NaN");
        assertThat(MetricsFormat.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(MetricsFormat.number(1e-7)).isEqualTo("1.0E-7");
    }

    /** Each sample's name is its family's, plus a suffix its type allows; the families' samples are not interleaved. */
    private static void assertSamplesBelongToTheirFamily(List<String> lines, boolean openMetrics) {
        String family = null;
        String type = null;
        Set<String> seen = new HashSet<>();
        for (String line : lines) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                family = parts[2];
                type = parts[3];
                assertThat(seen.add(family)).as("family %s declared once", family).isTrue();
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
            String name = line.substring(0, end);
            assertThat(family).as("a TYPE before %s", line).isNotNull();
            List<String> allowed = switch (type) {
                case "counter" -> openMetrics ? List.of(family + "_total") : List.of(family);
                case "summary" -> List.of(family, family + "_count", family + "_sum");
                default -> List.of(family);
            };
            assertThat(allowed).as("sample %s in family %s (%s)", name, family, type).contains(name);
            if (!openMetrics && type.equals("counter")) {
                assertThat(family).endsWith("_total");
            }
        }
    }
}
