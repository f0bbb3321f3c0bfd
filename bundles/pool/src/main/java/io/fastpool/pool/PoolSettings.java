package io.fastpool.pool;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * A pool's settings. Each comes, in increasing precedence, from these defaults, the app bundle's
 * {@code Fastpool-Pool} manifest header ({@code queueLength=100, maxThreads=4}), and the pool's
 * configuration {@code conf/io.fastpool.pool~NAME.cfg}. Durations are written {@code 500ms},
 * {@code 90s}, {@code 20m}, {@code 1h}, or a number of seconds; 0 turns a limit off where noted.
 *
 * @param queueLength requests waiting beyond this get 503
 * @param minThreads worker threads kept while the pool is active
 * @param maxThreads most worker threads
 * @param startMode when the app's component is activated
 * @param idleTimeout no request for this long: the app instance and all threads are released (0: never)
 * @param requestTimeout a request running longer is interrupted and answered 504 if nothing was sent (0: never)
 * @param startupTimeLimit how long queued requests wait for the app to come (back)
 * @param drainTimeLimit how long in-flight requests may finish before an update goes on
 * @param recycleAfterRequests recycle after this many requests (0: never)
 * @param recycleAfterTime recycle after this long (0: never)
 * @param rapidFailMaxFailures this many failures within {@code rapidFailInterval} disable the pool (0: never)
 * @param rapidFailInterval the window for {@code rapidFailMaxFailures}
 * @param maxSessions sessions one app may hold; the least recently used beyond it are dropped
 * @param sessionTimeout a session unused this long ends
 * @param slowRequestTimeout a request running longer has its worker's stack logged once, and counts as slow (0: off)
 * @param accessLog the pool's access log file, relative to the server's folder (empty: no access log)
 * @param accessFormat the access log's line format, after PHP-FPM's {@code access.format} (see README)
 * @param statistics whether requests' latency and queue-wait percentiles, CPU time and allocated bytes are
 *        measured (counts are kept either way)
 */
public record PoolSettings(int queueLength, int minThreads, int maxThreads, StartMode startMode, Duration idleTimeout,
        Duration requestTimeout, Duration startupTimeLimit, Duration drainTimeLimit, long recycleAfterRequests,
        Duration recycleAfterTime, int rapidFailMaxFailures, Duration rapidFailInterval, int maxSessions,
        Duration sessionTimeout, Duration slowRequestTimeout, String accessLog, String accessFormat, boolean statistics) {

    /** The access log format when none is set: remote, time, request line, status, ms, KiB allocated, CPU ms, pool. */
    public static final String DEFAULT_ACCESS_FORMAT = "%R %t \"%m %r\" %s %{milli}d %{kilo}M %C %n";

    /** When an app's component is activated. */
    public enum StartMode {
        /** By the first request. */
        ON_DEMAND,
        /** When the app is deployed, and again after each recycle. */
        ALWAYS_RUNNING
    }

    /** The defaults, after IIS and PHP-FPM. */
    public static final PoolSettings DEFAULTS = new PoolSettings(1000, 0, 2 * Runtime.getRuntime().availableProcessors(),
            StartMode.ON_DEMAND, Duration.ofMinutes(20), Duration.ofSeconds(90), Duration.ofSeconds(30), Duration.ofSeconds(30),
            0, Duration.ZERO, 5, Duration.ofMinutes(5), 10_000, Duration.ofMinutes(20), Duration.ofSeconds(10), "",
            DEFAULT_ACCESS_FORMAT, true);

    /** Checks every setting. */
    public PoolSettings {
        positive("queueLength", queueLength);
        if (minThreads < 0) {
            throw new IllegalArgumentException("minThreads must be 0 or more, was " + minThreads);
        }
        positive("maxThreads", maxThreads);
        if (minThreads > maxThreads) {
            throw new IllegalArgumentException("minThreads (" + minThreads + ") is above maxThreads (" + maxThreads + ")");
        }
        if (startMode == null) {
            throw new IllegalArgumentException("startMode must be OnDemand or AlwaysRunning");
        }
        notNegative("idleTimeout", idleTimeout);
        notNegative("requestTimeout", requestTimeout);
        notNegative("startupTimeLimit", startupTimeLimit);
        notNegative("drainTimeLimit", drainTimeLimit);
        if (recycleAfterRequests < 0) {
            throw new IllegalArgumentException("recycleAfterRequests must be 0 (off) or more, was " + recycleAfterRequests);
        }
        notNegative("recycleAfterTime", recycleAfterTime);
        if (rapidFailMaxFailures < 0) {
            throw new IllegalArgumentException("rapidFailMaxFailures must be 0 (off) or more, was " + rapidFailMaxFailures);
        }
        notNegative("rapidFailInterval", rapidFailInterval);
        positive("maxSessions", maxSessions);
        notNegative("sessionTimeout", sessionTimeout);
        notNegative("slowRequestTimeout", slowRequestTimeout);
        accessLog = accessLog == null ? "" : accessLog.trim();
        if (accessFormat == null || accessFormat.isBlank()) {
            throw new IllegalArgumentException("accessFormat must not be empty");
        }
        io.fastpool.pool.internal.AccessLogFormat.check(accessFormat);
    }

    /**
     * These settings with those in {@code overrides} (names as above, values as strings or numbers)
     * taking their place; other keys are ignored, a bad value is an {@link IllegalArgumentException}
     * naming the setting.
     */
    public PoolSettings with(Map<String, ?> overrides) {
        return new PoolSettings(
                intOf(overrides, "queueLength", queueLength),
                intOf(overrides, "minThreads", minThreads),
                intOf(overrides, "maxThreads", maxThreads),
                startModeOf(overrides, startMode),
                durationOf(overrides, "idleTimeout", idleTimeout),
                durationOf(overrides, "requestTimeout", requestTimeout),
                durationOf(overrides, "startupTimeLimit", startupTimeLimit),
                durationOf(overrides, "drainTimeLimit", drainTimeLimit),
                longOf(overrides, "recycleAfterRequests", recycleAfterRequests),
                durationOf(overrides, "recycleAfterTime", recycleAfterTime),
                intOf(overrides, "rapidFailMaxFailures", rapidFailMaxFailures),
                durationOf(overrides, "rapidFailInterval", rapidFailInterval),
                intOf(overrides, "maxSessions", maxSessions),
                durationOf(overrides, "sessionTimeout", sessionTimeout),
                durationOf(overrides, "slowRequestTimeout", slowRequestTimeout),
                stringOf(overrides, "accessLog", accessLog),
                stringOf(overrides, "accessFormat", accessFormat),
                booleanOf(overrides, "statistics", statistics));
    }

    /** Parses a duration: {@code 500ms}, {@code 90s}, {@code 20m}, {@code 1h}, or plain seconds. */
    public static Duration parseDuration(String name, String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2).trim()));
            }
            char unit = value.isEmpty() ? ' ' : value.charAt(value.length() - 1);
            String number = Character.isDigit(unit) ? value : value.substring(0, value.length() - 1).trim();
            long amount = Long.parseLong(number);
            Duration result = switch (unit) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> {
                    if (!Character.isDigit(unit)) {
                        throw new NumberFormatException();
                    }
                    yield Duration.ofSeconds(amount);
                }
            };
            return result;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a duration like 500ms, 90s, 20m, 1h or a number of seconds, was '"
                    + text + "'");
        }
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

    private static StartMode startModeOf(Map<String, ?> values, StartMode fallback) {
        Object value = values.get("startMode");
        if (value == null) {
            return fallback;
        }
        String text = value.toString().trim().replace("_", "").toLowerCase(Locale.ROOT);
        return switch (text) {
            case "ondemand" -> StartMode.ON_DEMAND;
            case "alwaysrunning" -> StartMode.ALWAYS_RUNNING;
            default -> throw new IllegalArgumentException("startMode must be OnDemand or AlwaysRunning, was '" + value + "'");
        };
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be 1 or more, was " + value);
        }
    }

    private static void notNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a duration of 0 or more, was " + value);
        }
    }
}
