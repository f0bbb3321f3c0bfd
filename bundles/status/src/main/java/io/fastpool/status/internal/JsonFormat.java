package io.fastpool.status.internal;

import io.fastpool.config.ConfigurationReport;
import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.transport.ListenerSnapshot;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The status page as JSON ({@code ?json}): the figures, the advice and the history the dashboard
 * charts. Each pool and listen address also carries an {@code fpm} object with PHP-FPM's status
 * field names, for readers who know those.
 */
final class JsonFormat {

    static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private JsonFormat() {
    }

    static String render(StatusReport report) {
        StringBuilder out = new StringBuilder(4096);
        JsonWriter json = new JsonWriter(out);
        json.beginObject();
        server(json, report);
        json.name("listeners").beginArray();
        for (StatusReport.ListenAddress listener : report.listeners()) {
            listener(json, listener);
        }
        json.endArray();
        requests(json, report.requests());
        json.name("pools").beginArray();
        for (PoolSnapshot pool : report.pools()) {
            pool(json, pool, report);
        }
        json.endArray();
        json.name("advice").beginArray();
        for (Advice advice : report.advice()) {
            advice(json, advice);
        }
        json.endArray();
        json.name("configuration").beginArray();
        for (ConfigurationReport configuration : report.configurations()) {
            configuration(json, configuration);
        }
        json.endArray();
        history(json, report.history());
        json.endObject();
        return out.append('\n').toString();
    }

    private static void server(JsonWriter json, StatusReport report) {
        SystemFigures system = report.system();
        long uptime = report.uptime().toSeconds();
        json.name("server").beginObject()
                .member("time", report.time().toString())
                .member("startTime", report.startTime().toString())
                .member("startTimeSeconds", report.startTime().getEpochSecond())
                .member("uptimeSeconds", uptime)
                .member("statusStartTime", report.statusStartTime().toString())
                .member("processors", system.processors())
                .member("loadAverage", system.loadAverage() < 0 ? Double.NaN : system.loadAverage())
                .member("systemCpuLoad", system.systemCpuLoad() < 0 ? Double.NaN : system.systemCpuLoad())
                .member("processCpuLoad", system.processCpuLoad() < 0 ? Double.NaN : system.processCpuLoad())
                .member("cpuBusy", system.cpuBusy() < 0 ? Double.NaN : system.cpuBusy())
                .member("cpuBusySource", system.cpuBusySource())
                .member("transportRunning", report.transportRunning())
                .member("ioKind", report.ioKind())
                .member("slowSendersCutOff", report.slowSendersCutOff());
        json.name("fpm").beginObject()
                .member("start time", report.startTime().getEpochSecond())
                .member("start since", uptime)
                .endObject();
        json.endObject();
    }

    private static void listener(JsonWriter json, StatusReport.ListenAddress listener) {
        ListenerSnapshot s = listener.snapshot();
        json.beginObject()
                .member("listen", s.listenAddress())
                .member("bound", s.boundAddress())
                .member("port", s.port())
                .member("accepted", s.accepted())
                .member("open", s.open())
                .member("active", listener.active())
                .member("idle", listener.idle())
                .member("held", listener.held())
                .member("refused", s.refused());
        json.name("fpm").beginObject().member("accepted conn", s.accepted()).endObject();
        json.endObject();
    }

    private static void requests(JsonWriter json, ListenerStatus.Counters c) {
        json.name("requests");
        if (c == null) {
            json.nullValue();
            return;
        }
        json.beginObject()
                .member("dispatched", c.dispatched())
                .member("completed", c.completed())
                .member("notFound", c.notFound())
                .member("badRequests", c.badRequests())
                .member("rejected", c.rejected())
                .member("aborted", c.aborted())
                .member("paramsTimeouts", c.paramsTimeouts())
                .member("protocolErrors", c.protocolErrors());
        json.name("responses").beginObject()
                .member("1xx", c.responses1xx())
                .member("2xx", c.responses2xx())
                .member("3xx", c.responses3xx())
                .member("4xx", c.responses4xx())
                .member("5xx", c.responses5xx())
                .endObject();
        json.endObject();
    }

    private static void pool(JsonWriter json, PoolSnapshot pool, StatusReport report) {
        PoolSnapshot.Counters c = pool.counters();
        PoolSettings settings = pool.settings();
        int idle = Math.max(0, pool.threads() - pool.busyThreads());
        int maxBusy = report.maxBusyThreads(pool);
        json.beginObject()
                .member("name", pool.name())
                .member("state", pool.state().name())
                .member("startMode", startMode(settings))
                .member("threads", pool.threads())
                .member("busyThreads", pool.busyThreads())
                .member("idleThreads", idle)
                .member("maxBusyThreads", maxBusy)
                .member("minThreads", settings.minThreads())
                .member("maxThreads", settings.maxThreads())
                .member("queued", pool.queued())
                .member("maxQueued", pool.maxQueued())
                .member("queueLength", settings.queueLength());
        json.name("counters").beginObject()
                .member("served", c.served())
                .member("rejected", c.rejected())
                .member("serverErrors", c.serverErrors())
                .member("timeouts", c.timeouts())
                .member("orphans", c.orphans())
                .member("failures", c.failures())
                .member("restarts", c.restarts())
                .member("recycles", c.recycles())
                .member("activations", c.activations())
                .member("cpuNanos", c.cpuNanos())
                .member("allocatedBytes", c.allocatedBytes())
                .member("slowRequests", c.slowRequests())
                .member("accessLogDropped", c.accessLogDropped())
                .endObject();
        json.member("cpuMicrosPerRequest", c.served() == 0 ? 0 : Advisor.round(c.cpuNanos() / 1000.0 / c.served()))
                .member("allocatedBytesPerRequest", c.served() == 0 ? 0 : c.allocatedBytes() / c.served());
        percentiles(json, "latencyMicros", pool.latency());
        percentiles(json, "queueWaitMicros", pool.queueWait());
        settings(json, settings);
        json.name("apps").beginArray();
        for (PoolSnapshot.AppView app : pool.apps()) {
            json.beginObject()
                    .member("name", app.name())
                    .member("active", app.active())
                    .member("sessions", app.sessions())
                    .member("sessionsCreated", app.sessionsCreated())
                    .member("sessionsEvicted", app.sessionsEvicted())
                    .member("newSessions", app.newSessions())
                    .member("returningSessions", app.returningSessions())
                    .member("newSessionsEvicted", app.newSessionsEvicted())
                    .member("returningSessionsEvicted", app.returningSessionsEvicted())
                    .endObject();
        }
        json.endArray();
        json.name("inFlight").beginArray();
        for (PoolSnapshot.InFlight request : pool.inFlight()) {
            json.beginObject()
                    .member("app", request.app())
                    .member("request", request.request())
                    .member("elapsedMillis", request.elapsedMillis())
                    .member("thread", request.thread())
                    .endObject();
        }
        json.endArray();
        json.name("fpm").beginObject()
                .member("pool", pool.name())
                .member("process manager", startMode(settings))
                .member("start time", report.startTime().getEpochSecond())
                .member("start since", report.uptime().toSeconds())
                .member("accepted conn", c.served())
                .member("listen queue", pool.queued())
                .member("max listen queue", pool.maxQueued())
                .member("listen queue len", settings.queueLength())
                .member("idle processes", idle)
                .member("active processes", pool.busyThreads())
                .member("total processes", pool.threads())
                .member("max active processes", maxBusy)
                .member("slow requests", c.slowRequests())
                .endObject();
        json.endObject();
    }

    static String startMode(PoolSettings settings) {
        return settings.startMode() == PoolSettings.StartMode.ON_DEMAND ? "OnDemand" : "AlwaysRunning";
    }

    private static void percentiles(JsonWriter json, String name, PoolSnapshot.Percentiles p) {
        json.name(name).beginObject()
                .member("count", p.count())
                .member("p50", p.p50())
                .member("p90", p.p90())
                .member("p99", p.p99())
                .member("max", p.max())
                .endObject();
    }

    private static void settings(JsonWriter json, PoolSettings s) {
        json.name("settings").beginObject()
                .member("queueLength", s.queueLength())
                .member("minThreads", s.minThreads())
                .member("maxThreads", s.maxThreads())
                .member("startMode", startMode(s))
                .member("idleTimeout", Advisor.duration(s.idleTimeout()))
                .member("requestTimeout", Advisor.duration(s.requestTimeout()))
                .member("startupTimeLimit", Advisor.duration(s.startupTimeLimit()))
                .member("drainTimeLimit", Advisor.duration(s.drainTimeLimit()))
                .member("recycleAfterRequests", s.recycleAfterRequests())
                .member("recycleAfterTime", Advisor.duration(s.recycleAfterTime()))
                .member("rapidFailMaxFailures", s.rapidFailMaxFailures())
                .member("rapidFailInterval", Advisor.duration(s.rapidFailInterval()))
                .member("maxSessions", s.maxSessions())
                .member("sessionTimeout", Advisor.duration(s.sessionTimeout()))
                .endObject();
    }

    private static void advice(JsonWriter json, Advice advice) {
        json.beginObject()
                .member("severity", advice.severity().name().toLowerCase(java.util.Locale.ROOT))
                .member("rule", advice.rule())
                .member("pool", advice.pool())
                .member("message", advice.message());
        json.name("figures").beginObject();
        for (Map.Entry<String, Object> figure : advice.figures().entrySet()) {
            json.name(figure.getKey()).value(figure.getValue());
        }
        json.endObject();
        json.endObject();
    }

    /** A configuration: whether its file runs or was refused, why, and its unknown keys. */
    private static void configuration(JsonWriter json, ConfigurationReport configuration) {
        json.beginObject().member("pid", configuration.pid()).member("refused", configuration.isRefused())
                .member("refusedFile", configuration.refusedSource());
        json.name("problems").beginArray();
        configuration.refused().forEach(json::value);
        json.endArray();
        json.name("warnings").beginArray();
        configuration.warnings().forEach(json::value);
        json.endArray();
        json.endObject();
    }

    private static void history(JsonWriter json, History.View view) {
        List<History.Sample> samples = view.samples();
        json.name("history").beginObject().member("intervalSeconds", view.intervalSeconds());
        json.name("time").beginArray();
        samples.forEach(sample -> json.value(sample.timeMillis()));
        json.endArray();
        series(json, "requestsPerSecond", samples, s -> s.requestsPerSecond() < 0 ? Double.NaN : Advisor.round(s.requestsPerSecond()));
        series(json, "serverErrorsPerSecond", samples,
                s -> s.serverErrorsPerSecond() < 0 ? Double.NaN : Advisor.round(s.serverErrorsPerSecond()));
        series(json, "openConnections", samples, s -> s.openConnections() < 0 ? Double.NaN : s.openConnections());
        json.name("pools").beginObject();
        for (String pool : view.poolNames()) {
            json.name(pool).beginObject();
            poolSeries(json, "requestsPerSecond", samples, pool, p -> Advisor.round(p.requestsPerSecond()));
            poolSeries(json, "rejectedPerSecond", samples, pool, p -> Advisor.round(p.rejectedPerSecond()));
            poolSeries(json, "serverErrorsPerSecond", samples, pool, p -> Advisor.round(p.serverErrorsPerSecond()));
            poolSeries(json, "cpuMillisPerRequest", samples, pool, p -> Math.round(p.cpuMillisPerRequest() * 1000) / 1000.0);
            poolSeries(json, "busyThreads", samples, pool, History.PoolPoint::busyThreads);
            poolSeries(json, "threads", samples, pool, History.PoolPoint::threads);
            poolSeries(json, "queued", samples, pool, History.PoolPoint::queued);
            poolSeries(json, "latencyP50Micros", samples, pool, History.PoolPoint::latencyP50Micros);
            poolSeries(json, "latencyP99Micros", samples, pool, History.PoolPoint::latencyP99Micros);
            poolSeries(json, "queueWaitP99Micros", samples, pool, History.PoolPoint::queueWaitP99Micros);
            json.endObject();
        }
        json.endObject();
        json.endObject();
    }

    private static void series(JsonWriter json, String name, List<History.Sample> samples, ToDoubleFunction<History.Sample> value) {
        json.name(name).beginArray();
        samples.forEach(sample -> json.value(value.applyAsDouble(sample)));
        json.endArray();
    }

    private static void poolSeries(JsonWriter json, String name, List<History.Sample> samples, String pool,
            ToDoubleFunction<History.PoolPoint> value) {
        json.name(name).beginArray();
        for (History.Sample sample : samples) {
            History.PoolPoint point = sample.pools().get(pool);
            if (point == null) {
                json.nullValue();
            } else {
                json.value(value.applyAsDouble(point));
            }
        }
        json.endArray();
    }
}
