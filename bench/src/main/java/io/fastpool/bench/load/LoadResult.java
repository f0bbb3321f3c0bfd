package io.fastpool.bench.load;

import io.fastpool.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a load run measured: only requests started after the warm-up and answered before the run
 * stopped count. Latency runs from writing a request to its END_REQUEST (with
 * {@code --keep-conn off}, from starting to connect), in nanoseconds, 3 significant digits.
 *
 * @param options the options of the run
 * @param stopReason what ended it
 * @param failure why the run failed as a whole (no connection could be opened), or {@code null}
 * @param elapsed the measured span: from the end of the warm-up to the stop
 * @param responses END_REQUESTs received, good or not: the throughput counts these
 * @param stderrResponses responses with STDERR content (PHP notices, say); not errors
 * @param bytesReceived bytes read from the connections while measuring
 * @param errors errors by kind, only kinds that occurred, in {@link ErrorKind} order
 * @param firstErrors the first detail seen of each kind in {@code errors}
 * @param p50Nanos median latency
 * @param p90Nanos 90th percentile latency
 * @param p99Nanos 99th percentile latency
 * @param p999Nanos 99.9th percentile latency
 * @param maxNanos largest latency
 * @param latency every response's latency; read it, do not change it
 * @param silentConnections connections (slots, with {@code --keep-conn off}) that sent measured
 *     requests and got not one answer while measuring: the server left them waiting, as PHP-FPM
 *     does with more kept connections than {@code pm.max_children}
 * @param serverCpu CPU time (user + system) of {@code --server-pid} and its children over the
 *     measured span, or {@code null} when not asked for or not readable
 */
public record LoadResult(
        LoadOptions options,
        StopReason stopReason,
        String failure,
        Duration elapsed,
        long responses,
        long stderrResponses,
        long bytesReceived,
        Map<ErrorKind, Long> errors,
        Map<ErrorKind, String> firstErrors,
        long p50Nanos,
        long p90Nanos,
        long p99Nanos,
        long p999Nanos,
        long maxNanos,
        Histogram latency,
        int silentConnections,
        Duration serverCpu) {

    public LoadResult {
        errors = Collections.unmodifiableMap(errors.isEmpty() ? new EnumMap<>(ErrorKind.class) : new EnumMap<>(errors));
        firstErrors = Collections.unmodifiableMap(
                firstErrors.isEmpty() ? new EnumMap<>(ErrorKind.class) : new EnumMap<>(firstErrors));
    }

    static LoadResult of(LoadOptions options, StopReason stopReason, String failure, Duration elapsed,
            LoopStats total, int silentConnections, Duration serverCpu) {
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        Map<ErrorKind, String> firstErrors = new EnumMap<>(ErrorKind.class);
        for (ErrorKind kind : ErrorKind.values()) {
            long count = total.errors[kind.ordinal()];
            if (count > 0) {
                errors.put(kind, count);
                firstErrors.put(kind, total.firstErrors[kind.ordinal()]);
            }
        }
        Histogram h = total.latency;
        boolean any = h.getTotalCount() > 0;
        return new LoadResult(options, stopReason, failure, elapsed, total.responses, total.stderrResponses,
                total.bytesReceived, errors, firstErrors,
                any ? h.getValueAtPercentile(50) : 0, any ? h.getValueAtPercentile(90) : 0,
                any ? h.getValueAtPercentile(99) : 0, any ? h.getValueAtPercentile(99.9) : 0,
                any ? h.getMaxValue() : 0, h, silentConnections, serverCpu);
    }

    /** Whether the run failed as a whole: nothing could be measured. */
    public boolean failed() {
        return failure != null;
    }

    /** Responses per second of the measured span. */
    public double requestsPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? responses / seconds : 0;
    }

    /** Bytes received per second of the measured span. */
    public double bytesPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? bytesReceived / seconds : 0;
    }

    /** The server's CPU time per response in microseconds, or -1 if not measured or nothing was answered. */
    public double serverCpuMicrosPerRequest() {
        return serverCpu == null || responses == 0 ? -1 : serverCpu.toNanos() / 1e3 / responses;
    }

    /** Errors of every kind together. */
    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Errors of one kind. */
    public long errorCount(ErrorKind kind) {
        return errors.getOrDefault(kind, 0L);
    }

    /** The report {@code fcgi-load} prints: one short block. */
    public String format() {
        StringBuilder out = new StringBuilder();
        out.append("fcgi-load ").append(options.target()).append(": ").append(options.connections())
                .append(options.connections() == 1 ? " connection" : " connections")
                .append(", keep-conn ").append(options.keepConnection() ? "on" : "off");
        if (options.multiplex() > 1) {
            out.append(", multiplex ").append(options.multiplex());
        }
        out.append(", ").append(options.bodySize() > 0 ? "POST " : "GET ").append(options.path());
        if (options.bodySize() > 0) {
            out.append(" (").append(options.bodySize()).append("-byte body)");
        }
        out.append('\n');
        if (failed()) {
            out.append("  failed      ").append(failure).append('\n');
            return out.toString();
        }
        line(out, "measured", String.format(Locale.ROOT, "%.3f s", elapsed.toNanos() / 1e9)
                + (options.warmup().isZero() ? "" : " after " + Durations.format(options.warmup()) + " warm-up")
                + (stopReason == StopReason.MAX_TIME
                        ? ", cut short by --max-time " + Durations.format(options.effectiveMaxTime()) : ""));
        line(out, "requests", responses + String.format(Locale.ROOT, " = %.1f requests/s", requestsPerSecond()));
        line(out, "latency", responses == 0 ? "-" : "p50 " + millis(p50Nanos) + " ms, p90 " + millis(p90Nanos)
                + " ms, p99 " + millis(p99Nanos) + " ms, p99.9 " + millis(p999Nanos) + " ms, max " + millis(maxNanos)
                + " ms");
        line(out, "errors", Long.toString(errorCount()));
        for (Map.Entry<ErrorKind, Long> error : errors.entrySet()) {
            out.append(String.format(Locale.ROOT, "    %-14s %8d  %s%n", error.getKey().label(), error.getValue(),
                    firstErrors.get(error.getKey())));
        }
        if (silentConnections > 0) {
            line(out, "warning", silentConnections + " of " + options.connections()
                    + " connections got no response at all while measuring: the server leaves them waiting"
                    + " (PHP-FPM keeps one connection per child: use -c <= pm.max_children, or -k off)");
        }
        if (stderrResponses > 0) {
            line(out, "stderr", stderrResponses + " responses wrote to STDERR (not errors; see the server's log)");
        }
        if (options.serverPid() > 0) {
            line(out, "server CPU", serverCpu == null
                    ? "- (process " + options.serverPid() + " not found, or its CPU time not readable)"
                    : String.format(Locale.ROOT, "%.3f s = %.1f us per request (process %d and its children)",
                            serverCpu.toNanos() / 1e9, serverCpuMicrosPerRequest(), options.serverPid()));
        }
        line(out, "received", bytes(bytesReceived) + " = " + bytes((long) bytesPerSecond()) + "/s");
        return out.toString();
    }

    /** Column names of {@link #csvLine}, comma-separated. */
    public static String csvHeader() {
        List<String> columns = new ArrayList<>(List.of("time", "target", "connections", "keep_conn", "multiplex",
                "method", "path", "body_size", "stop", "seconds", "requests", "rps", "p50_ms", "p90_ms", "p99_ms",
                "p999_ms", "max_ms", "errors"));
        for (ErrorKind kind : ErrorKind.values()) {
            columns.add("errors_" + kind.label().replace('-', '_'));
        }
        columns.add("stderr_responses");
        columns.add("silent_connections");
        columns.add("bytes_per_s");
        columns.add("server_cpu_s");
        columns.add("server_cpu_us_per_request");
        return String.join(",", columns);
    }

    /** One CSV line of this result, for {@code --csv}. */
    public String csvLine(Instant time) {
        List<String> values = new ArrayList<>(List.of(time.toString(), csv(options.target().text()),
                Integer.toString(options.connections()), options.keepConnection() ? "on" : "off",
                Integer.toString(options.multiplex()), options.bodySize() > 0 ? "POST" : "GET", csv(options.path()),
                Integer.toString(options.bodySize()), stopReason.name().toLowerCase(Locale.ROOT),
                String.format(Locale.ROOT, "%.3f", elapsed.toNanos() / 1e9), Long.toString(responses),
                String.format(Locale.ROOT, "%.1f", requestsPerSecond()), millis(p50Nanos), millis(p90Nanos),
                millis(p99Nanos), millis(p999Nanos), millis(maxNanos), Long.toString(errorCount())));
        for (ErrorKind kind : ErrorKind.values()) {
            values.add(Long.toString(errorCount(kind)));
        }
        values.add(Long.toString(stderrResponses));
        values.add(Integer.toString(silentConnections));
        values.add(String.format(Locale.ROOT, "%.0f", bytesPerSecond()));
        values.add(serverCpu == null ? "" : String.format(Locale.ROOT, "%.3f", serverCpu.toNanos() / 1e9));
        values.add(serverCpuMicrosPerRequest() < 0 ? "" : String.format(Locale.ROOT, "%.2f", serverCpuMicrosPerRequest()));
        return String.join(",", values);
    }

    private static void line(StringBuilder out, String label, String text) {
        out.append(String.format(Locale.ROOT, "  %-11s %s%n", label, text));
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static String bytes(long bytes) {
        if (bytes >= 1024L * 1024) {
            return String.format(Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024));
        }
        if (bytes >= 1024) {
            return String.format(Locale.ROOT, "%.2f KiB", bytes / 1024.0);
        }
        return bytes + " B";
    }

    private static String csv(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
