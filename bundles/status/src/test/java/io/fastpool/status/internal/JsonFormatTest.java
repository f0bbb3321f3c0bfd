package io.fastpool.status.internal;

import static io.fastpool.status.internal.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import com.fasterxml.jackson.core.JsonGenerator;
import io.fastpool.pool.PoolSnapshot;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonFormatTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    private static Map<String, Object> render(StatusReport report) throws Exception {
        String json = JsonFormat.render(report);
        return JSON.std.mapFrom(json);
    }

    @Test
    void theServerListenersAndRequestFiguresAreThere() throws Exception {
        Map<String, Object> json = render(Fixtures.report(List.of(pool().snapshot())));
        Map<String, Object> server = map(json.get("server"));
        assertThat(server).containsEntry("startTime", "2026-03-01T10:00:00Z").containsEntry("uptimeSeconds", 7200)
                .containsEntry("ioKind", "nio").containsEntry("transportRunning", true).containsEntry("processors", 2)
                .containsEntry("cpuBusySource", "/proc/stat over 5.0 s");
        assertThat(map(server.get("fpm"))).containsEntry("start since", 7200).containsEntry("start time", 1772359200);
        List<Object> listeners = list(json.get("listeners"));
        assertThat(listeners).hasSize(2);
        assertThat(map(listeners.get(0))).containsEntry("listen", "unix:run/fastpool.sock").containsEntry("accepted", 120)
                .containsEntry("open", 3).containsEntry("active", 2).containsEntry("idle", 1).containsEntry("held", 0)
                .containsEntry("refused", 0);
        assertThat(map(map(listeners.get(0)).get("fpm"))).containsEntry("accepted conn", 120);
        Map<String, Object> requests = map(json.get("requests"));
        assertThat(requests).containsEntry("notFound", 7).containsEntry("writtenByHandlers", 9_900);
        assertThat(map(requests.get("responses"))).containsEntry("2xx", 10_300).containsEntry("5xx", 28);
    }

    @Test
    void eachPoolCarriesItsFiguresAndThePhpFpmNames() throws Exception {
        Fixtures.Pool shop = pool();
        shop.queued = 2;
        shop.inFlight = List.of(new PoolSnapshot.InFlight("shop/app", "GET /cart", 1500, "fastpool-pool-shop-1"));
        Map<String, Object> json = render(Fixtures.report(List.of(shop.snapshot(), pool().name("blog").snapshot())));
        List<Object> pools = list(json.get("pools"));
        assertThat(pools).extracting(p -> map(p).get("name")).containsExactly("shop", "blog");
        Map<String, Object> pool = map(pools.get(0));
        assertThat(pool).containsEntry("state", "RUNNING").containsEntry("threads", 2).containsEntry("busyThreads", 1)
                .containsEntry("idleThreads", 1).containsEntry("maxThreads", 4).containsEntry("queued", 2)
                .containsEntry("maxQueued", 3).containsEntry("queueLength", 100).containsEntry("startMode", "OnDemand")
                .containsEntry("allocatedBytesPerRequest", 20_000).containsEntry("cpuMicrosPerRequest", 200);
        assertThat(map(pool.get("counters"))).containsEntry("served", 10_000).containsEntry("rejected", 0)
                .containsEntry("cpuNanos", 2_000_000_000);
        assertThat(map(pool.get("latencyMicros"))).containsEntry("p50", 800).containsEntry("p99", 9_000).containsEntry("max", 40_000);
        assertThat(map(pool.get("queueWaitMicros"))).containsEntry("p99", 20);
        assertThat(map(pool.get("settings"))).containsEntry("idleTimeout", "20m").containsEntry("requestTimeout", "1m30s")
                .containsEntry("maxSessions", 10_000);
        assertThat(map(list(pool.get("apps")).get(0))).containsEntry("name", "shop/app").containsEntry("sessions", 12)
                .containsEntry("newSessions", 9).containsEntry("returningSessions", 3).containsEntry("newSessionsEvicted", 0)
                .containsEntry("returningSessionsEvicted", 0);
        assertThat(map(list(pool.get("inFlight")).get(0))).containsEntry("request", "GET /cart").containsEntry("elapsedMillis", 1500);
        assertThat(map(pool.get("fpm"))).containsEntry("pool", "shop").containsEntry("process manager", "OnDemand")
                .containsEntry("accepted conn", 10_000).containsEntry("listen queue", 2).containsEntry("max listen queue", 3)
                .containsEntry("listen queue len", 100).containsEntry("idle processes", 1).containsEntry("active processes", 1)
                .containsEntry("total processes", 2).containsEntry("max active processes", 1).containsEntry("slow requests", 0);
    }

    @Test
    void eachPoolCarriesItsLastIntervalWithItsWindowBesideTheSinceStartFigures() throws Exception {
        Fixtures.Pool fresh = pool().name("fresh");
        fresh.lastInterval = PoolSnapshot.Interval.NONE;
        List<Object> pools = list(render(Fixtures.report(List.of(pool().snapshot(), fresh.snapshot()))).get("pools"));
        Map<String, Object> interval = map(map(pools.get(0)).get("lastInterval"));
        assertThat(interval).containsEntry("start", "2026-03-01T11:59:53.800Z").containsEntry("end", "2026-03-01T11:59:58.800Z")
                .containsEntry("lengthSeconds", 5);
        assertThat(map(interval.get("latencyMicros"))).containsEntry("count", 250).containsEntry("p50", 700)
                .containsEntry("p99", 120_000).containsEntry("max", 300_000);
        assertThat(map(interval.get("queueWaitMicros"))).containsEntry("p99", 2_000);
        assertThat(map(map(pools.get(0)).get("latencyMicros"))).as("since start, beside it").containsEntry("p99", 9_000);
        Map<String, Object> none = map(map(pools.get(1)).get("lastInterval"));
        assertThat(none).containsEntry("start", null).containsEntry("end", null).containsEntry("lengthSeconds", 0);
        assertThat(map(none.get("latencyMicros"))).containsEntry("count", 0);
    }

    @Test
    void adviceCarriesItsFigures() throws Exception {
        Fixtures.Pool pool = pool();
        pool.orphans = 1;
        StatusReport report = Fixtures.report(List.of(pool.snapshot()));
        report = report.withAdvice(new Advisor().advise(report));
        List<Object> advice = list(render(report).get("advice"));
        assertThat(advice).hasSize(1);
        assertThat(map(advice.get(0))).containsEntry("severity", "warning").containsEntry("rule", "orphanedThreads")
                .containsEntry("pool", "shop");
        assertThat(map(map(advice.get(0)).get("figures"))).containsEntry("orphans", 1).containsEntry("requestTimeout", "1m30s");
    }

    @Test
    void theHistoryIsColumnsAlignedWithItsTimes() throws Exception {
        Fixtures.Pool shop = pool();
        Map<String, Object> history = map(render(Fixtures.reportWithHistory(List.of(shop))).get("history"));
        assertThat(history).containsEntry("intervalSeconds", 5);
        assertThat(list(history.get("time"))).hasSize(3);
        assertThat(list(history.get("openConnections"))).containsExactly(5, 5, 5);
        assertThat(list(history.get("requestsPerSecond"))).containsExactly(null, 0, 0);
        Map<String, Object> pool = map(map(history.get("pools")).get("shop"));
        assertThat(list(pool.get("requestsPerSecond"))).as("50 requests per 5 s sample").containsExactly(null, 10, 10);
        assertThat(list(pool.get("busyThreads"))).containsExactly(null, 1, 1);
        assertThat(list(pool.get("latencyP99Micros"))).containsExactly(null, 9_000, 9_000);
        assertThat(list(pool.get("intervalLatencyP50Micros"))).containsExactly(null, 700, 700);
        assertThat(list(pool.get("intervalLatencyP99Micros"))).containsExactly(null, 120_000, 120_000);
        assertThat(list(pool.get("intervalQueueWaitP99Micros"))).containsExactly(null, 2_000, 2_000);
        assertThat(list(pool.get("intervalRequests"))).containsExactly(null, 250, 250);
    }

    @Test
    void anIntervalWithoutRequestsIsAGapInTheHistoryNotALatencyOfZero() throws Exception {
        Fixtures.Pool quiet = pool();
        quiet.lastInterval = new PoolSnapshot.Interval(5_000, 100, PoolSnapshot.Percentiles.NONE, PoolSnapshot.Percentiles.NONE);
        Map<String, Object> pool = map(map(map(render(Fixtures.reportWithHistory(List.of(quiet))).get("history")).get("pools"))
                .get("shop"));
        assertThat(list(pool.get("intervalLatencyP99Micros"))).containsExactly(null, null, null);
        assertThat(list(pool.get("intervalQueueWaitP99Micros"))).containsExactly(null, null, null);
        assertThat(list(pool.get("intervalRequests"))).containsExactly(null, 0, 0);
    }

    @Test
    void namesWithQuotesAndMarkupStayIntactAndInert() throws Exception {
        String name = "a\"b</script><img src=x onerror=alert(1)>";
        String json = JsonFormat.render(Fixtures.report(List.of(pool().name(name).snapshot())));
        assertThat(json).doesNotContain("</script>", "<img");
        assertThat(map(list(JSON.std.mapFrom(json).get("pools")).get(0))).containsEntry("name", name);
    }

    @Test
    void withoutTransportOrListenerTheirPartsAreEmpty() throws Exception {
        StatusReport report = Fixtures.report(List.of());
        StatusReport bare = new StatusReport(report.time(), report.startTime(), report.statusStartTime(), SystemFigures.UNKNOWN,
                false, null, 0, List.of(), null, List.of(), Map.of(), report.history(), List.of());
        Map<String, Object> json = render(bare);
        assertThat(json.get("requests")).isNull();
        assertThat(list(json.get("listeners"))).isEmpty();
        assertThat(list(json.get("pools"))).isEmpty();
        assertThat(map(json.get("server"))).containsEntry("transportRunning", false).containsEntry("cpuBusy", null);
    }

    /** What one writer body writes with this format's generator. */
    private static String write(Writing body) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JsonFormat.generator(out)) {
            body.accept(json);
        }
        return out.toString();
    }

    private interface Writing {
        void accept(JsonGenerator json) throws Exception;
    }

    @Test
    void membersAndElementsAreSeparatedByCommasAtEveryLevel() throws Exception {
        String json = write(w -> {
            w.writeStartObject();
            w.writeNumberField("a", 1);
            w.writeArrayFieldStart("b");
            w.writeNumber(1);
            w.writeString("x");
            w.writeNull();
            w.writeStartObject();
            w.writeEndObject();
            w.writeEndArray();
            w.writeBooleanField("c", true);
            w.writeEndObject();
        });
        assertThat(json).isEqualTo("{\"a\":1,\"b\":[1,\"x\",null,{}],\"c\":true}");
    }

    @Test
    void stringsAreEscapedForJsonAndSafeInsideHtml() throws Exception {
        String nasty = "quote\" back\\ nl\n tab\t nul\u0000 bell\u0007 </script><!-- & \u2028\u2029 del\u007f é 😀";
        String json = write(w -> {
            w.writeStartObject();
            w.writeStringField(nasty, nasty);
            w.writeEndObject();
        });
        assertThat(json).doesNotContain("<", ">", "&", "\u2028", "\u2029", "\u0000", "\n");
        assertThat(json).contains("\\u003c/script\\u003e", "\\\"", "\\\\", "\\n", "\\u0000", "é", "😀");
        Map<String, Object> parsed = JSON.std.mapFrom(json);
        assertThat(parsed).containsEntry(nasty, nasty);
    }

    @Test
    void numbersJsonCannotHoldAreNullAndWholeDoublesHaveNoFraction() throws Exception {
        String json = write(w -> {
            w.writeStartArray();
            for (double value : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 2.0, 0.25, 1e-7}) {
                JsonFormat.number(w, value);
            }
            w.writeNumber(Long.MAX_VALUE);
            w.writeEndArray();
        });
        assertThat(json).isEqualTo("[null,null,2,0.25,1.0E-7,9223372036854775807]");
    }

    @Test
    void objectValuesAreWrittenByTheirType() throws Exception {
        String json = write(w -> {
            w.writeStartArray();
            for (Object value : new Object[] {3, 2.5, "s", false, null, java.time.Duration.ofSeconds(1)}) {
                JsonFormat.value(w, value);
            }
            w.writeEndArray();
        });
        assertThat(json).isEqualTo("[3,2.5,\"s\",false,null,\"PT1S\"]");
    }
}
