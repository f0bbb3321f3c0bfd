package io.fastpool.pool.internal;

import io.fastpool.pool.PoolSettings;
import io.fastpool.config.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Reads pool settings as operators and app authors write them (a {@code .cfg} file's values, the
 * {@code Fastpool-Pool} header): numbers, durations ({@code 500ms}, {@code 90s}, {@code 20m},
 * {@code 1h}, or seconds), booleans, the start mode and the access log format. Kept out of the
 * exported {@link PoolSettings}, which only holds and checks values.
 */
final class PoolSettingsParser {

    private PoolSettingsParser() {
    }

    /**
     * {@code base} with the settings in {@code overrides} (names as in {@link PoolSettings}, values
     * as strings or numbers) taking their place; other keys are ignored, a bad value is an
     * {@link IllegalArgumentException} naming the setting.
     */
    static PoolSettings apply(PoolSettings base, Map<String, ?> overrides) {
        PoolSettings settings = new PoolSettings(
                intOf(overrides, "queueLength", base.queueLength()),
                intOf(overrides, "minThreads", base.minThreads()),
                intOf(overrides, "maxThreads", base.maxThreads()),
                startModeOf(overrides, base.startMode()),
                durationOf(overrides, "idleTimeout", base.idleTimeout()),
                durationOf(overrides, "requestTimeout", base.requestTimeout()),
                durationOf(overrides, "startupTimeLimit", base.startupTimeLimit()),
                durationOf(overrides, "drainTimeLimit", base.drainTimeLimit()),
                longOf(overrides, "recycleAfterRequests", base.recycleAfterRequests()),
                durationOf(overrides, "recycleAfterTime", base.recycleAfterTime()),
                intOf(overrides, "rapidFailMaxFailures", base.rapidFailMaxFailures()),
                durationOf(overrides, "rapidFailInterval", base.rapidFailInterval()),
                intOf(overrides, "maxSessions", base.maxSessions()),
                durationOf(overrides, "sessionTimeout", base.sessionTimeout()),
                durationOf(overrides, "slowRequestTimeout", base.slowRequestTimeout()),
                stringOf(overrides, "accessLog", base.accessLog()),
                stringOf(overrides, "accessFormat", base.accessFormat()),
                booleanOf(overrides, "statistics", base.statistics()));
        AccessLogFormat.check(settings.accessFormat());
        return settings;
    }

    /** Parses a duration: {@code 500ms}, {@code 90s}, {@code 20m}, {@code 1h}, or plain seconds. */
    static Duration parseDuration(String name, String text) {
        return Durations.parse(name, text);
    }

    private static int intOf(Map<String, ?> values, String name, int fallback) {
        long value = longOf(values, name, fallback);
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new IllegalArgumentException(name + " is out of range: " + value);
        }
        return (int) value;
    }

    private static long longOf(Map<String, ?> values, String name, long fallback) {
        Object value = values.get(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
        }
    }

    private static Duration durationOf(Map<String, ?> values, String name, Duration fallback) {
        Object value = values.get(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number) {
            return Duration.ofSeconds(number.longValue());
        }
        return parseDuration(name, value.toString());
    }

    private static boolean booleanOf(Map<String, ?> values, String name, boolean fallback) {
        Object value = values.get(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean bool) {
            return bool;
        }
        String text = value.toString().trim().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, was '" + value + "'");
        };
    }

    private static String stringOf(Map<String, ?> values, String name, String fallback) {
        Object value = values.get(name);
        return value == null ? fallback : value.toString();
    }

    private static PoolSettings.StartMode startModeOf(Map<String, ?> values, PoolSettings.StartMode fallback) {
        Object value = values.get("startMode");
        if (value == null) {
            return fallback;
        }
        String text = value.toString().trim().replace("_", "").toLowerCase(Locale.ROOT);
        return switch (text) {
            case "ondemand" -> PoolSettings.StartMode.ON_DEMAND;
            case "alwaysrunning" -> PoolSettings.StartMode.ALWAYS_RUNNING;
            default -> throw new IllegalArgumentException("startMode must be OnDemand or AlwaysRunning, was '" + value + "'");
        };
    }

}
