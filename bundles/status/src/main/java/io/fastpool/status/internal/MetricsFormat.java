package io.fastpool.status.internal;

import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import io.fastpool.transport.ListenerSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The figures as metrics for a scraper: OpenMetrics 1.0 ({@code ?openmetrics}) or the Prometheus
 * text format 0.0.4 ({@code ?prometheus}). The two differ only in how a counter's family is named
 * ({@code x} with samples {@code x_total} in OpenMetrics, {@code x_total} in Prometheus), in
 * {@code # UNIT} lines and in the closing {@code # EOF}. Every family has help text; families with
 * no samples (no pools, no transport) are left out.
 */
final class MetricsFormat {

    /** Which text format. */
    enum Flavour {
        OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        PROMETHEUS("text/plain; version=0.0.4; charset=utf-8");

        final String contentType;

        Flavour(String contentType) {
            this.contentType = contentType;
        }
    }

    private enum Type {
        COUNTER, GAUGE, SUMMARY
    }

    private static final double[] QUANTILES = {0.5, 0.9, 0.99};

    private final StringBuilder out = new StringBuilder(8192);
    private final Flavour flavour;

    private MetricsFormat(Flavour flavour) {
        this.flavour = flavour;
    }

    static String render(StatusReport report, Flavour flavour) {
        MetricsFormat format = new MetricsFormat(flavour);
        format.server(report);
        format.pools(report);
        if (flavour == Flavour.OPENMETRICS) {
            format.out.append("# EOF\n");
        }
        return format.out.toString();
    }

    // ---- the server -------------------------------------------------------------------------------

    private void server(StatusReport report) {
        family("fastpool_start_time_seconds", Type.GAUGE, "seconds", "When the server process started, in seconds since the epoch (PHP-FPM: start time).")
                .sample(report.startTime().toEpochMilli() / 1000.0).write();
        family("fastpool_uptime_seconds", Type.GAUGE, "seconds", "How long the server has been up (PHP-FPM: start since).")
                .sample(report.uptime().toMillis() / 1000.0).write();
        family("fastpool_status_start_time_seconds", Type.GAUGE, "seconds", "When the status bundle started, in seconds since the epoch.")
                .sample(report.statusStartTime().toEpochMilli() / 1000.0).write();
        SystemFigures system = report.system();
        family("fastpool_processors", Type.GAUGE, null, "Processors available to the JVM.").sample(system.processors()).write();
        if (system.loadAverage() >= 0) {
            family("fastpool_load_average", Type.GAUGE, null, "System load average over the last minute.").sample(system.loadAverage()).write();
        }
        if (system.cpuBusy() >= 0) {
            family("fastpool_cpu_busy_ratio", Type.GAUGE, "ratio", "Share of the CPU in use, 0 to 1, as the advice reads it.")
                    .sample(system.cpuBusy()).write();
        }
        if (report.transportRunning()) {
            family("fastpool_transport_io", Type.GAUGE, null, "The transport's socket implementation in use (1 for the kind in use).")
                    .sample(1, "kind", report.ioKind() == null ? "unknown" : report.ioKind()).write();
            family("fastpool_slow_senders_cut_off", Type.COUNTER, null,
                    "Connections cut off for not sending a FastCGI record within recordTimeoutSeconds.")
                    .sample(report.slowSendersCutOff()).write();
        }
        List<StatusReport.ListenAddress> listeners = report.listeners();
        listenerFamily("fastpool_connections_accepted", Type.COUNTER, "Connections accepted on a listen address (PHP-FPM: accepted conn).",
                listeners, l -> l.snapshot().accepted());
        listenerFamily("fastpool_connections_refused", Type.COUNTER,
                "Connections refused at once: peer not in allowedClients, or maxConnections reached.", listeners, l -> l.snapshot().refused());
        listenerFamily("fastpool_connections_open", Type.GAUGE, "Connections open on a listen address.", listeners, l -> l.snapshot().open());
        Family states = family("fastpool_connections", Type.GAUGE, null,
                "Open connections by state: active (a request in flight), idle (keep-alive) or held (no listener).");
        for (StatusReport.ListenAddress l : listeners) {
            String listen = l.snapshot().listenAddress();
            states.sample(l.active(), "listen", listen, "state", "active");
            states.sample(l.idle(), "listen", listen, "state", "idle");
            states.sample(l.held(), "listen", listen, "state", "held");
        }
        states.write();
        ListenerStatus.Counters c = report.requests();
        if (c != null) {
            family("fastpool_responses", Type.COUNTER, null, "Responses by status class.")
                    .sample(c.responses1xx(), "class", "1xx").sample(c.responses2xx(), "class", "2xx")
                    .sample(c.responses3xx(), "class", "3xx").sample(c.responses4xx(), "class", "4xx")
                    .sample(c.responses5xx(), "class", "5xx").write();
            family("fastpool_requests_dispatched", Type.COUNTER, null, "Requests handed to a route's target.").sample(c.dispatched()).write();
            family("fastpool_requests_completed", Type.COUNTER, null, "Requests ended with END_REQUEST.").sample(c.completed()).write();
            family("fastpool_requests_not_found", Type.COUNTER, null, "Requests no route matched (404).").sample(c.notFound()).write();
            family("fastpool_requests_bad", Type.COUNTER, null, "Requests refused as malformed.").sample(c.badRequests()).write();
            family("fastpool_requests_rejected", Type.COUNTER, null, "Requests refused by the listener for want of capacity.")
                    .sample(c.rejected()).write();
            family("fastpool_requests_aborted", Type.COUNTER, null, "Requests aborted by the web server or cut by a closed connection.")
                    .sample(c.aborted()).write();
            family("fastpool_requests_params_timeouts", Type.COUNTER, null, "Requests whose CGI variables did not arrive in time.")
                    .sample(c.paramsTimeouts()).write();
            family("fastpool_protocol_errors", Type.COUNTER, null, "Connections closed for breaking the FastCGI protocol.")
                    .sample(c.protocolErrors()).write();
            family("fastpool_responses_written_by_handlers", Type.COUNTER, null,
                    "Answers whose end the handler's own thread wrote to the socket, without waking the event loop.")
                    .sample(c.writtenByHandlers()).write();
        }
    }

    private void listenerFamily(String name, Type type, String help, List<StatusReport.ListenAddress> listeners,
            ToLongFunction<StatusReport.ListenAddress> value) {
        Family family = family(name, type, null, help);
        for (StatusReport.ListenAddress l : listeners) {
            ListenerSnapshot s = l.snapshot();
            family.sample(value.applyAsLong(l), "listen", s.listenAddress());
        }
        family.write();
    }

    // ---- the pools --------------------------------------------------------------------------------

    private void pools(StatusReport report) {
        List<PoolSnapshot> pools = report.pools();
        Family state = family("fastpool_pool_state", Type.GAUGE, null, "The pool's state: 1 for the state it is in, 0 for the others.");
        for (PoolSnapshot pool : pools) {
            for (PoolState candidate : PoolState.values()) {
                state.sample(pool.state() == candidate ? 1 : 0, "pool", pool.name(), "state", candidate.name());
            }
        }
        state.write();
        poolFamily(pools, "fastpool_pool_threads", Type.GAUGE, null, "Worker threads alive (PHP-FPM: total processes).", PoolSnapshot::threads);
        poolFamily(pools, "fastpool_pool_threads_busy", Type.GAUGE, null, "Worker threads running a request (PHP-FPM: active processes).",
                PoolSnapshot::busyThreads);
        poolFamily(pools, "fastpool_pool_threads_idle", Type.GAUGE, null, "Worker threads waiting for a request (PHP-FPM: idle processes).",
                p -> Math.max(0, p.threads() - p.busyThreads()));
        poolFamily(pools, "fastpool_pool_threads_busy_max", Type.GAUGE, null,
                "Most busy threads seen since the status bundle started, sampled (PHP-FPM: max active processes).", report::maxBusyThreads);
        poolFamily(pools, "fastpool_pool_threads_max", Type.GAUGE, null, "The maxThreads setting.", p -> p.settings().maxThreads());
        poolFamily(pools, "fastpool_pool_queued", Type.GAUGE, null, "Requests waiting in the queue (PHP-FPM: listen queue).", PoolSnapshot::queued);
        poolFamily(pools, "fastpool_pool_queued_max", Type.GAUGE, null, "Most requests ever waiting at once (PHP-FPM: max listen queue).",
                PoolSnapshot::maxQueued);
        poolFamily(pools, "fastpool_pool_queue_length", Type.GAUGE, null, "The queueLength setting (PHP-FPM: listen queue len).",
                p -> p.settings().queueLength());
        poolFamily(pools, "fastpool_pool_served", Type.COUNTER, null, "Requests handled to the end (PHP-FPM: accepted conn).",
                p -> p.counters().served());
        poolFamily(pools, "fastpool_pool_rejected", Type.COUNTER, null, "Requests answered 503 without running.", p -> p.counters().rejected());
        poolFamily(pools, "fastpool_pool_server_errors", Type.COUNTER, null, "Responses with a 5xx status.", p -> p.counters().serverErrors());
        poolFamily(pools, "fastpool_pool_timeouts", Type.COUNTER, null, "Requests past requestTimeout, answered 504.",
                p -> p.counters().timeouts());
        poolFamily(pools, "fastpool_pool_slow_requests", Type.COUNTER, null,
                "Requests past slowRequestTimeout, their stacks logged (PHP-FPM: slow requests).", p -> p.counters().slowRequests());
        poolFamily(pools, "fastpool_pool_access_log_dropped", Type.COUNTER, null,
                "Access log lines dropped because the writer could not keep up.", p -> p.counters().accessLogDropped());
        poolFamily(pools, "fastpool_pool_orphans", Type.COUNTER, null, "Threads that did not stop after a time-out.", p -> p.counters().orphans());
        poolFamily(pools, "fastpool_pool_failures", Type.COUNTER, null, "Failures counted by rapid-fail protection.",
                p -> p.counters().failures());
        poolFamily(pools, "fastpool_pool_restarts", Type.COUNTER, null, "App instances released and started again.",
                p -> p.counters().restarts());
        poolFamily(pools, "fastpool_pool_recycles", Type.COUNTER, null, "Bundle updates for a fresh class loader.", p -> p.counters().recycles());
        poolFamily(pools, "fastpool_pool_activations", Type.COUNTER, null, "App instances activated (demand starts).",
                p -> p.counters().activations());
        poolFamilyDouble(pools, "fastpool_pool_cpu_seconds", Type.COUNTER, "seconds", "CPU time of the pool's threads running requests.",
                p -> p.counters().cpuNanos() / 1e9);
        poolFamily(pools, "fastpool_pool_allocated_bytes", Type.COUNTER, "bytes", "Bytes allocated by the pool's threads running requests.",
                p -> p.counters().allocatedBytes());
        summary(pools, "fastpool_pool_latency_seconds", "Request latency from dispatch to completion, since the pool was created.",
                PoolSnapshot::latency);
        poolFamilyDouble(pools, "fastpool_pool_latency_max_seconds", Type.GAUGE, "seconds", "Longest request since the pool was created.",
                p -> p.latency().max() / 1e6);
        summary(pools, "fastpool_pool_queue_wait_seconds", "Time requests waited in the queue, since the pool was created.",
                PoolSnapshot::queueWait);
        poolFamilyDouble(pools, "fastpool_pool_queue_wait_max_seconds", Type.GAUGE, "seconds", "Longest wait in the queue since the pool was created.",
                p -> p.queueWait().max() / 1e6);
        interval(pools);
        poolFamily(pools, "fastpool_pool_sessions_max", Type.GAUGE, null, "The maxSessions setting: sessions one app may hold.",
                p -> p.settings().maxSessions());
        appFamily(pools, "fastpool_app_active", Type.GAUGE, "Whether the app's instance is activated (1) or not (0).", a -> a.active() ? 1 : 0);
        appFamily(pools, "fastpool_app_sessions", Type.GAUGE, "Sessions the app holds.", PoolSnapshot.AppView::sessions);
        appFamily(pools, "fastpool_app_sessions_created", Type.COUNTER, "Sessions the app created.", PoolSnapshot.AppView::sessionsCreated);
        appFamily(pools, "fastpool_app_sessions_evicted", Type.COUNTER, "Sessions dropped because the app held maxSessions.",
                PoolSnapshot.AppView::sessionsEvicted);
        appSegmentFamily(pools, "fastpool_app_sessions_by_segment", Type.GAUGE, "Sessions the app holds by segment: new (not used"
                + " again since made) and returning (used again).", PoolSnapshot.AppView::newSessions, PoolSnapshot.AppView::returningSessions);
        appSegmentFamily(pools, "fastpool_app_sessions_evicted_by_segment", Type.COUNTER, "Sessions dropped for want of room by"
                + " segment: new (one-shot churn) and returning (returning users who lost theirs: maxSessions is too low).",
                PoolSnapshot.AppView::newSessionsEvicted, PoolSnapshot.AppView::returningSessionsEvicted);
    }

    /**
     * The last completed interval (5 s) of each pool: gauges beside the since-start summaries, which
     * stay what Prometheus expects of a summary. The window's length is a gauge of its own; a pool
     * with no interval ended yet has none of these samples.
     */
    private void interval(List<PoolSnapshot> all) {
        List<PoolSnapshot> pools = all.stream().filter(p -> p.lastInterval().lengthMillis() > 0).toList();
        poolFamilyDouble(pools, "fastpool_pool_interval_length_seconds", Type.GAUGE, "seconds",
                "Length of the last completed interval, which the fastpool_pool_interval_ figures cover.",
                p -> p.lastInterval().lengthMillis() / 1000.0);
        poolFamily(pools, "fastpool_pool_interval_requests", Type.GAUGE, null,
                "Requests that ended in the last completed interval (statistics on).", p -> p.lastInterval().latency().count());
        percentiles(pools, "fastpool_pool_interval_latency_seconds", "Request latency over the last completed interval alone.",
                p -> p.lastInterval().latency());
        poolFamilyDouble(pools, "fastpool_pool_interval_latency_max_seconds", Type.GAUGE, "seconds",
                "Longest request of the last completed interval.", p -> p.lastInterval().latency().max() / 1e6);
        percentiles(pools, "fastpool_pool_interval_queue_wait_seconds", "Queue wait over the last completed interval alone.",
                p -> p.lastInterval().queueWait());
        poolFamilyDouble(pools, "fastpool_pool_interval_queue_wait_max_seconds", Type.GAUGE, "seconds",
                "Longest wait in the queue in the last completed interval.", p -> p.lastInterval().queueWait().max() / 1e6);
    }

    /**
     * Percentiles as a gauge family with a {@code percentile} label (50, 90, 99). Not {@code quantile}:
     * Prometheus keeps that label for summaries (promtool's lint refuses it elsewhere), and a summary's
     * quantiles would claim to cover its {@code _count}, which counts since the start.
     */
    private void percentiles(List<PoolSnapshot> pools, String name, String help,
            java.util.function.Function<PoolSnapshot, PoolSnapshot.Percentiles> percentiles) {
        Family family = family(name, Type.GAUGE, "seconds", help);
        for (PoolSnapshot pool : pools) {
            PoolSnapshot.Percentiles p = percentiles.apply(pool);
            family.sample(p.p50() / 1e6, "pool", pool.name(), "percentile", "50");
            family.sample(p.p90() / 1e6, "pool", pool.name(), "percentile", "90");
            family.sample(p.p99() / 1e6, "pool", pool.name(), "percentile", "99");
        }
        family.write();
    }

    private void poolFamily(List<PoolSnapshot> pools, String name, Type type, String unit, String help, ToLongFunction<PoolSnapshot> value) {
        Family family = family(name, type, unit, help);
        pools.forEach(pool -> family.sample(value.applyAsLong(pool), "pool", pool.name()));
        family.write();
    }

    private void poolFamilyDouble(List<PoolSnapshot> pools, String name, Type type, String unit, String help,
            ToDoubleFunction<PoolSnapshot> value) {
        Family family = family(name, type, unit, help);
        pools.forEach(pool -> family.sample(value.applyAsDouble(pool), "pool", pool.name()));
        family.write();
    }

    private void appFamily(List<PoolSnapshot> pools, String name, Type type, String help, ToLongFunction<PoolSnapshot.AppView> value) {
        Family family = family(name, type, null, help);
        for (PoolSnapshot pool : pools) {
            pool.apps().forEach(app -> family.sample(value.applyAsLong(app), "pool", pool.name(), "app", app.name()));
        }
        family.write();
    }

    private void appSegmentFamily(List<PoolSnapshot> pools, String name, Type type, String help,
            ToLongFunction<PoolSnapshot.AppView> newOnes, ToLongFunction<PoolSnapshot.AppView> returningOnes) {
        Family family = family(name, type, null, help);
        for (PoolSnapshot pool : pools) {
            for (PoolSnapshot.AppView app : pool.apps()) {
                family.sample(newOnes.applyAsLong(app), "pool", pool.name(), "app", app.name(), "segment", "new");
                family.sample(returningOnes.applyAsLong(app), "pool", pool.name(), "app", app.name(), "segment", "returning");
            }
        }
        family.write();
    }

    private void summary(List<PoolSnapshot> pools, String name, String help,
            java.util.function.Function<PoolSnapshot, PoolSnapshot.Percentiles> percentiles) {
        Family family = family(name, Type.SUMMARY, "seconds", help);
        for (PoolSnapshot pool : pools) {
            PoolSnapshot.Percentiles p = percentiles.apply(pool);
            long[] values = {p.p50(), p.p90(), p.p99()};
            for (int i = 0; i < QUANTILES.length; i++) {
                family.sample(values[i] / 1e6, "pool", pool.name(), "quantile", Double.toString(QUANTILES[i]));
            }
            family.sampleWithSuffix("_count", p.count(), "pool", pool.name());
        }
        family.write();
    }

    // ---- writing ----------------------------------------------------------------------------------

    private Family family(String name, Type type, String unit, String help) {
        return new Family(name, type, unit, help);
    }

    /** One metric family: its samples are collected, then written with its metadata if there are any. */
    private final class Family {
        private final String name;
        private final Type type;
        private final String unit;
        private final String help;
        private final List<String> lines = new ArrayList<>();

        Family(String name, Type type, String unit, String help) {
            this.name = name;
            this.type = type;
            this.unit = unit;
            this.help = help;
        }

        Family sample(double value, String... labels) {
            return sampleWithSuffix(type == Type.COUNTER ? "_total" : "", value, labels);
        }

        Family sampleWithSuffix(String suffix, double value, String... labels) {
            StringBuilder line = new StringBuilder(name).append(suffix);
            if (labels.length > 0) {
                line.append('{');
                for (int i = 0; i + 1 < labels.length; i += 2) {
                    if (i > 0) {
                        line.append(',');
                    }
                    line.append(labels[i]).append("=\"").append(escapeLabelValue(labels[i + 1])).append('"');
                }
                line.append('}');
            }
            line.append(' ').append(number(value));
            lines.add(line.toString());
            return this;
        }

        void write() {
            if (lines.isEmpty()) {
                return;
            }
            String familyName = type == Type.COUNTER && flavour == Flavour.PROMETHEUS ? name + "_total" : name;
            out.append("# HELP ").append(familyName).append(' ').append(escapeHelp(help)).append('\n');
            out.append("# TYPE ").append(familyName).append(' ').append(type.name().toLowerCase(java.util.Locale.ROOT)).append('\n');
            if (unit != null && flavour == Flavour.OPENMETRICS) {
                out.append("# UNIT ").append(familyName).append(' ').append(unit).append('\n');
            }
            lines.forEach(line -> out.append(line).append('\n'));
        }
    }

    private String escapeHelp(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '"' -> escaped.append(flavour == Flavour.OPENMETRICS ? "\\\"" : "\"");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** A label value, escaped as both formats require: backslash, double quote, line feed. */
    static String escapeLabelValue(String value) {
        StringBuilder escaped = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '"' -> escaped.append("\\\"");
                case '\n' -> escaped.append("\\n");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
