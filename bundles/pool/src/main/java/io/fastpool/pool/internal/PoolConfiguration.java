package io.fastpool.pool.internal;

import io.fastpool.config.ConfigSchema;
import io.fastpool.config.ConfigSchema.ValueCheck;
import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.Problem;
import io.fastpool.config.Verdict;
import io.fastpool.pool.PoolSettings;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A pool's settings as configuration: the keys of {@code conf/io.fastpool.pool~NAME.cfg} and of an
 * app's {@code Fastpool-Pool} manifest header, declared once (the metatype below), checked key by
 * key before anything applies, and shown with where each effective value came from.
 */
final class PoolConfiguration {

    /** The factory PID: a pool's configuration is {@code io.fastpool.pool~NAME}. */
    static final String FACTORY_PID = "io.fastpool.pool";

    /** A pool's settings; durations are written 500ms, 90s, 20m, 1h, or a number of seconds. */
    @ObjectClassDefinition(name = "Fastpool pool", factoryPid = FACTORY_PID,
            description = "One app pool: its queue, threads, time-outs, recycling, rapid-fail protection, sessions and logs.")
    @interface Config {
        @AttributeDefinition(description = "The pool's name when it differs from the file's NAME.", required = false)
        String name() default "";

        @AttributeDefinition(description = "Requests waiting beyond this get 503 with Retry-After.", min = "1")
        int queueLength() default 1000;

        @AttributeDefinition(description = "Worker threads kept while the pool is active.", min = "0")
        int minThreads() default 0;

        @AttributeDefinition(description = "Most worker threads; 0 means two per core.", min = "0")
        int maxThreads() default 0;

        @AttributeDefinition(description = "OnDemand: the app starts with its first request; AlwaysRunning: when deployed.")
        String startMode() default "OnDemand";

        @AttributeDefinition(description = "No request for this long: the app instance and every thread are released (0: never).")
        String idleTimeout() default "20m";

        @AttributeDefinition(description = "A request running longer is interrupted and answered 504 if nothing was sent (0: never).")
        String requestTimeout() default "90s";

        @AttributeDefinition(description = "How long queued requests wait for the app to come (back).")
        String startupTimeLimit() default "30s";

        @AttributeDefinition(description = "How long in-flight requests may finish before an update goes on.")
        String drainTimeLimit() default "30s";

        @AttributeDefinition(description = "Recycle (fresh class loader) after this many requests (0: never).", min = "0")
        long recycleAfterRequests() default 0;

        @AttributeDefinition(description = "Recycle after this long (0: never).")
        String recycleAfterTime() default "0";

        @AttributeDefinition(description = "This many failures within rapidFailInterval disable the pool (0: never).", min = "0")
        int rapidFailMaxFailures() default 5;

        @AttributeDefinition(description = "The window for rapidFailMaxFailures.")
        String rapidFailInterval() default "5m";

        @AttributeDefinition(description = "Sessions one app may hold; beyond it, sessions never used again go first, and returning users keep theirs while they fit in 80% of it.", min = "1")
        int maxSessions() default 10_000;

        @AttributeDefinition(description = "A session unused this long ends.")
        String sessionTimeout() default "20m";

        @AttributeDefinition(description = "A request running longer has its worker's stack logged once and counts as slow (0: off).")
        String slowRequestTimeout() default "10s";

        @AttributeDefinition(description = "The pool's access log file, relative to the server's folder (empty: none).", required = false)
        String accessLog() default "";

        @AttributeDefinition(description = "The access log's line format (PHP-FPM's access.format tokens; see docs/configuration.md).")
        String accessFormat() default PoolSettings.DEFAULT_ACCESS_FORMAT;

        @AttributeDefinition(description = "Measure latency and queue-wait percentiles, CPU time and allocation (counts are kept either way).")
        boolean statistics() default true;
    }

    private static final List<String> DURATIONS = List.of("idleTimeout", "requestTimeout", "startupTimeLimit", "drainTimeLimit",
            "recycleAfterTime", "rapidFailInterval", "sessionTimeout", "slowRequestTimeout");

    /** Types and ranges from the metatype; durations, the start mode and the access format by their parsers. */
    static final ConfigSchema SCHEMA = schema();

    private PoolConfiguration() {
    }

    private static ConfigSchema schema() {
        ConfigSchema schema = ConfigSchema.of(FACTORY_PID, Config.class)
                .withCheck("startMode", "`OnDemand` or `AlwaysRunning`",
                        ValueCheck.parsedBy(value -> PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("startMode", value))))
                .withCheck("accessFormat", "text with the access log's `%` tokens (docs/operations.md, Access log)",
                        ValueCheck.parsedBy(AccessLogFormat::compile))
                .withRule(PoolConfiguration::threadsInOrder);
        for (String key : DURATIONS) {
            schema = schema.withCheck(key, "a duration: `500ms`, `90s`, `20m`, `1h` or seconds", ValueCheck.parsedBy(value -> {
                if (PoolSettingsParser.parseDuration(key, value).isNegative()) {
                    throw new IllegalArgumentException(key + " must not be negative, was '" + value + "'");
                }
            }));
        }
        return schema;
    }

    /** minThreads must not exceed maxThreads (0: the default, two per core). */
    private static List<Problem> threadsInOrder(Map<String, Object> values) {
        int min = (Integer) values.get("minThreads");
        int max = (Integer) values.get("maxThreads") == 0 ? PoolSettings.DEFAULTS.maxThreads() : (Integer) values.get("maxThreads");
        return min <= max ? List.of()
                : List.of(Problem.refused("minThreads", min, "minThreads (" + min + ") is above maxThreads (" + max + ")"));
    }

    /** The values a verdict took from what was written, as {@link PoolSettingsParser#apply} takes them. */
    static Map<String, Object> written(Verdict verdict) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String key : verdict.written()) {
            Object value = verdict.values().get(key);
            if (key.equals("name") || (key.equals("maxThreads") && Integer.valueOf(0).equals(value))) {
                continue; // the name is not a setting; maxThreads 0 means the default, two per core
            }
            values.put(key, value);
        }
        return values;
    }

    /**
     * The report of a pool: each effective setting with its origin (the file, the app's manifest, or
     * the default), and the refused file's problems if one is refused.
     */
    static ConfigurationReport report(String poolName, PoolSettings effective, Map<String, Object> fromHeader, String headerSource,
            Map<String, Object> fromFile, String fileSource, Verdict refused, List<String> warnings) {
        List<ConfigurationReport.Entry> entries = new ArrayList<>();
        for (RecordComponent component : PoolSettings.class.getRecordComponents()) {
            String key = component.getName();
            String origin = fromFile.containsKey(key) ? fileSource : fromHeader.containsKey(key) ? headerSource : ConfigurationReport.DEFAULT;
            entries.add(new ConfigurationReport.Entry(key, text(valueOf(component, effective)), origin));
        }
        List<String> problems = new ArrayList<>();
        if (refused != null) {
            refused.errors().forEach(problem -> problems.add(problem.describe(refused.source())));
        }
        return new ConfigurationReport(FACTORY_PID + "~" + poolName, entries, problems, refused == null ? null : refused.source(),
                warnings);
    }

    private static Object valueOf(RecordComponent component, PoolSettings settings) {
        try {
            return component.getAccessor().invoke(settings);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value as an operator writes it: durations as 500ms, 90s, 20m or 1h; the start mode as OnDemand. */
    static String text(Object value) {
        if (value instanceof Duration duration) {
            long millis = duration.toMillis();
            if (millis == 0) {
                return "0";
            }
            if (millis % 3_600_000 == 0) {
                return millis / 3_600_000 + "h";
            }
            if (millis % 60_000 == 0) {
                return millis / 60_000 + "m";
            }
            return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
        }
        if (value instanceof PoolSettings.StartMode mode) {
            return mode == PoolSettings.StartMode.ON_DEMAND ? "OnDemand" : "AlwaysRunning";
        }
        return String.valueOf(value);
    }
}
