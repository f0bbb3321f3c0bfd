package io.fastpool.status.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import io.fastpool.config.ConfigurationReport;
import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.transport.ListenerSnapshot;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status page as JSON ({@code ?json}): the figures, the advice and the history the dashboard
 * charts ({@link HistoryJson}). Each pool and listen address also carries an {@code fpm} object with PHP-FPM's status
 * field names, for readers who know those.
 *
 * <p>Written with jackson-core's streaming {@link JsonGenerator} (the bundle the json sample already
 * runs with), compact, with strings also made safe to embed in HTML and JavaScript
 * ({@link HtmlSafeEscapes}). Numbers JSON cannot hold (NaN, infinities) are {@code null}, and whole
 * doubles are written without a fraction, so a rate of 10 reads {@code 10}, not {@code 10.0}.
 */
final class JsonFormat {

    static final String CONTENT_TYPE = "application/json; charset=utf-8";

    /** Thread-safe once built; every render makes its own generator from it. */
    private static final JsonFactory FACTORY = new JsonFactoryBuilder().characterEscapes(new HtmlSafeEscapes()).build();

    private JsonFormat() {
    }

    static String render(StatusReport report) {
        StringWriter out = new StringWriter(4096);
        try (JsonGenerator json = generator(out)) {
            json.writeStartObject();
            server(json, report);
            json.writeArrayFieldStart("listeners");
            for (StatusReport.ListenAddress listener : report.listeners()) {
                listener(json, listener);
            }
            json.writeEndArray();
            requests(json, report.requests());
            json.writeArrayFieldStart("pools");
            for (PoolSnapshot pool : report.pools()) {
                pool(json, pool, report);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("advice");
            for (Advice advice : report.advice()) {
                advice(json, advice);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("configuration");
            for (ConfigurationReport configuration : report.configurations()) {
                configuration(json, configuration);
            }
            json.writeEndArray();
            HistoryJson.write(json, report.history());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.append('\n').toString();
    }

    /** A generator writing this format's JSON to {@code out}. */
    static JsonGenerator generator(Writer out) throws IOException {
        return FACTORY.createGenerator(out);
    }

    /** Writes {@code value}: {@code null} if JSON cannot hold it, without a fraction if it is whole. */
    static void number(JsonGenerator json, double value) throws IOException {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            json.writeNull();
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            json.writeNumber((long) value);
        } else {
            json.writeNumber(value);
        }
    }

    /** Writes a String, Number, Boolean or null; anything else as its string form (a Duration as PT1S). */
    static void value(JsonGenerator json, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Number number) {
            number(json, number.doubleValue());
        } else if (value instanceof Boolean bool) {
            json.writeBoolean(bool);
        } else {
            json.writeString(value.toString());
        }
    }

    private static void numberField(JsonGenerator json, String name, double value) throws IOException {
        json.writeFieldName(name);
        number(json, value);
    }

    private static void server(JsonGenerator json, StatusReport report) throws IOException {
        SystemFigures system = report.system();
        long uptime = report.uptime().toSeconds();
        json.writeObjectFieldStart("server");
        json.writeStringField("time", report.time().toString());
        json.writeStringField("startTime", report.startTime().toString());
        json.writeNumberField("startTimeSeconds", report.startTime().getEpochSecond());
        json.writeNumberField("uptimeSeconds", uptime);
        json.writeStringField("statusStartTime", report.statusStartTime().toString());
        json.writeNumberField("processors", system.processors());
        numberField(json, "loadAverage", system.loadAverage() < 0 ? Double.NaN : system.loadAverage());
        numberField(json, "systemCpuLoad", system.systemCpuLoad() < 0 ? Double.NaN : system.systemCpuLoad());
        numberField(json, "processCpuLoad", system.processCpuLoad() < 0 ? Double.NaN : system.processCpuLoad());
        numberField(json, "cpuBusy", system.cpuBusy() < 0 ? Double.NaN : system.cpuBusy());
        json.writeStringField("cpuBusySource", system.cpuBusySource());
        json.writeBooleanField("transportRunning", report.transportRunning());
        json.writeStringField("ioKind", report.ioKind());
        json.writeNumberField("slowSendersCutOff", report.slowSendersCutOff());
        json.writeObjectFieldStart("fpm");
        json.writeNumberField("start time", report.startTime().getEpochSecond());
        json.writeNumberField("start since", uptime);
        json.writeEndObject();
        json.writeEndObject();
    }

    private static void listener(JsonGenerator json, StatusReport.ListenAddress listener) throws IOException {
        ListenerSnapshot s = listener.snapshot();
        json.writeStartObject();
        json.writeStringField("listen", s.listenAddress());
        json.writeStringField("bound", s.boundAddress());
        json.writeNumberField("port", s.port());
        json.writeNumberField("accepted", s.accepted());
        json.writeNumberField("open", s.open());
        json.writeNumberField("active", listener.active());
        json.writeNumberField("idle", listener.idle());
        json.writeNumberField("held", listener.held());
        json.writeNumberField("refused", s.refused());
        json.writeObjectFieldStart("fpm");
        json.writeNumberField("accepted conn", s.accepted());
        json.writeEndObject();
        json.writeEndObject();
    }

    private static void requests(JsonGenerator json, ListenerStatus.Counters c) throws IOException {
        if (c == null) {
            json.writeNullField("requests");
            return;
        }
        json.writeObjectFieldStart("requests");
        json.writeNumberField("dispatched", c.dispatched());
        json.writeNumberField("completed", c.completed());
        json.writeNumberField("notFound", c.notFound());
        json.writeNumberField("badRequests", c.badRequests());
        json.writeNumberField("rejected", c.rejected());
        json.writeNumberField("aborted", c.aborted());
        json.writeNumberField("paramsTimeouts", c.paramsTimeouts());
        json.writeNumberField("protocolErrors", c.protocolErrors());
        json.writeNumberField("writtenByHandlers", c.writtenByHandlers());
        json.writeObjectFieldStart("responses");
        json.writeNumberField("1xx", c.responses1xx());
        json.writeNumberField("2xx", c.responses2xx());
        json.writeNumberField("3xx", c.responses3xx());
        json.writeNumberField("4xx", c.responses4xx());
        json.writeNumberField("5xx", c.responses5xx());
        json.writeEndObject();
        json.writeEndObject();
    }

    private static void pool(JsonGenerator json, PoolSnapshot pool, StatusReport report) throws IOException {
        PoolSnapshot.Counters c = pool.counters();
        PoolSettings settings = pool.settings();
        int idle = Math.max(0, pool.threads() - pool.busyThreads());
        int maxBusy = report.maxBusyThreads(pool);
        json.writeStartObject();
        json.writeStringField("name", pool.name());
        json.writeStringField("state", pool.state().name());
        json.writeStringField("startMode", startMode(settings));
        json.writeNumberField("threads", pool.threads());
        json.writeNumberField("busyThreads", pool.busyThreads());
        json.writeNumberField("idleThreads", idle);
        json.writeNumberField("maxBusyThreads", maxBusy);
        json.writeNumberField("minThreads", settings.minThreads());
        json.writeNumberField("maxThreads", settings.maxThreads());
        json.writeNumberField("queued", pool.queued());
        json.writeNumberField("maxQueued", pool.maxQueued());
        json.writeNumberField("queueLength", settings.queueLength());
        counters(json, c);
        numberField(json, "cpuMicrosPerRequest", c.served() == 0 ? 0 : Advisor.round(c.cpuNanos() / 1000.0 / c.served()));
        json.writeNumberField("allocatedBytesPerRequest", c.served() == 0 ? 0 : c.allocatedBytes() / c.served());
        percentiles(json, "latencyMicros", pool.latency());
        percentiles(json, "queueWaitMicros", pool.queueWait());
        lastInterval(json, pool.lastInterval(), report);
        settings(json, settings);
        json.writeArrayFieldStart("apps");
        for (PoolSnapshot.AppView app : pool.apps()) {
            json.writeStartObject();
            json.writeStringField("name", app.name());
            json.writeBooleanField("active", app.active());
            json.writeNumberField("sessions", app.sessions());
            json.writeNumberField("sessionsCreated", app.sessionsCreated());
            json.writeNumberField("sessionsEvicted", app.sessionsEvicted());
            json.writeNumberField("newSessions", app.newSessions());
            json.writeNumberField("returningSessions", app.returningSessions());
            json.writeNumberField("newSessionsEvicted", app.newSessionsEvicted());
            json.writeNumberField("returningSessionsEvicted", app.returningSessionsEvicted());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("inFlight");
        for (PoolSnapshot.InFlight request : pool.inFlight()) {
            json.writeStartObject();
            json.writeStringField("app", request.app());
            json.writeStringField("request", request.request());
            json.writeNumberField("elapsedMillis", request.elapsedMillis());
            json.writeStringField("thread", request.thread());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeObjectFieldStart("fpm");
        json.writeStringField("pool", pool.name());
        json.writeStringField("process manager", startMode(settings));
        json.writeNumberField("start time", report.startTime().getEpochSecond());
        json.writeNumberField("start since", report.uptime().toSeconds());
        json.writeNumberField("accepted conn", c.served());
        json.writeNumberField("listen queue", pool.queued());
        json.writeNumberField("max listen queue", pool.maxQueued());
        json.writeNumberField("listen queue len", settings.queueLength());
        json.writeNumberField("idle processes", idle);
        json.writeNumberField("active processes", pool.busyThreads());
        json.writeNumberField("total processes", pool.threads());
        json.writeNumberField("max active processes", maxBusy);
        json.writeNumberField("slow requests", c.slowRequests());
        json.writeEndObject();
        json.writeEndObject();
    }

    private static void counters(JsonGenerator json, PoolSnapshot.Counters c) throws IOException {
        json.writeObjectFieldStart("counters");
        json.writeNumberField("served", c.served());
        json.writeNumberField("rejected", c.rejected());
        json.writeNumberField("serverErrors", c.serverErrors());
        json.writeNumberField("timeouts", c.timeouts());
        json.writeNumberField("orphans", c.orphans());
        json.writeNumberField("failures", c.failures());
        json.writeNumberField("restarts", c.restarts());
        json.writeNumberField("recycles", c.recycles());
        json.writeNumberField("activations", c.activations());
        json.writeNumberField("cpuNanos", c.cpuNanos());
        json.writeNumberField("allocatedBytes", c.allocatedBytes());
        json.writeNumberField("slowRequests", c.slowRequests());
        json.writeNumberField("accessLogDropped", c.accessLogDropped());
        json.writeEndObject();
    }

    static String startMode(PoolSettings settings) {
        return settings.startMode() == PoolSettings.StartMode.ON_DEMAND ? "OnDemand" : "AlwaysRunning";
    }

    private static void percentiles(JsonGenerator json, String name, PoolSnapshot.Percentiles p) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeNumberField("count", p.count());
        json.writeNumberField("p50", p.p50());
        json.writeNumberField("p90", p.p90());
        json.writeNumberField("p99", p.p99());
        json.writeNumberField("max", p.max());
        json.writeEndObject();
    }

    /**
     * The pool's last completed interval: its window (start and end as the report's clock puts them,
     * {@code null} before one has ended) and latency and queue wait over it alone.
     */
    private static void lastInterval(JsonGenerator json, PoolSnapshot.Interval interval, StatusReport report) throws IOException {
        json.writeObjectFieldStart("lastInterval");
        boolean ended = interval.lengthMillis() > 0;
        Instant end = report.time().minusMillis(interval.endedMillisAgo());
        json.writeStringField("start", ended ? end.minusMillis(interval.lengthMillis()).toString() : null);
        json.writeStringField("end", ended ? end.toString() : null);
        numberField(json, "lengthSeconds", interval.lengthMillis() / 1000.0);
        percentiles(json, "latencyMicros", interval.latency());
        percentiles(json, "queueWaitMicros", interval.queueWait());
        json.writeEndObject();
    }

    private static void settings(JsonGenerator json, PoolSettings s) throws IOException {
        json.writeObjectFieldStart("settings");
        json.writeNumberField("queueLength", s.queueLength());
        json.writeNumberField("minThreads", s.minThreads());
        json.writeNumberField("maxThreads", s.maxThreads());
        json.writeStringField("startMode", startMode(s));
        json.writeStringField("idleTimeout", Advisor.duration(s.idleTimeout()));
        json.writeStringField("requestTimeout", Advisor.duration(s.requestTimeout()));
        json.writeStringField("startupTimeLimit", Advisor.duration(s.startupTimeLimit()));
        json.writeStringField("drainTimeLimit", Advisor.duration(s.drainTimeLimit()));
        json.writeNumberField("recycleAfterRequests", s.recycleAfterRequests());
        json.writeStringField("recycleAfterTime", Advisor.duration(s.recycleAfterTime()));
        json.writeNumberField("rapidFailMaxFailures", s.rapidFailMaxFailures());
        json.writeStringField("rapidFailInterval", Advisor.duration(s.rapidFailInterval()));
        json.writeNumberField("maxSessions", s.maxSessions());
        json.writeStringField("sessionTimeout", Advisor.duration(s.sessionTimeout()));
        json.writeEndObject();
    }

    private static void advice(JsonGenerator json, Advice advice) throws IOException {
        json.writeStartObject();
        json.writeStringField("severity", advice.severity().name().toLowerCase(Locale.ROOT));
        json.writeStringField("rule", advice.rule());
        json.writeStringField("pool", advice.pool());
        json.writeStringField("message", advice.message());
        json.writeObjectFieldStart("figures");
        for (Map.Entry<String, Object> figure : advice.figures().entrySet()) {
            json.writeFieldName(figure.getKey());
            value(json, figure.getValue());
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    /** A configuration: whether its file runs or was refused, why, and its unknown keys. */
    private static void configuration(JsonGenerator json, ConfigurationReport configuration) throws IOException {
        json.writeStartObject();
        json.writeStringField("pid", configuration.pid());
        json.writeBooleanField("refused", configuration.isRefused());
        json.writeStringField("refusedFile", configuration.refusedSource());
        strings(json, "problems", configuration.refused());
        strings(json, "warnings", configuration.warnings());
        json.writeEndObject();
    }

    private static void strings(JsonGenerator json, String name, List<String> values) throws IOException {
        json.writeArrayFieldStart(name);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }
}
