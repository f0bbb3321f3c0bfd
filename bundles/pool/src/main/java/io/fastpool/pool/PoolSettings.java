package io.fastpool.pool;

import java.time.Duration;

/**
 * A pool's settings. Each comes, in increasing precedence, from these defaults, the app bundle's
 * {@code Fastpool-Pool} manifest header ({@code queueLength=100, maxThreads=4}), and the pool's
 * configuration {@code conf/io.fastpool.pool~NAME.cfg}; reading them is the pool bundle's own
 * business. 0 turns a limit off where noted.
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
 * @param maxSessions sessions one app may hold; beyond it, sessions never used again go first (returning users
 *        keep theirs while they fit in 80% of it)
 * @param sessionTimeout a session unused this long ends
 * @param slowRequestTimeout a request running longer has its worker's stack logged once, and counts as slow (0: off)
 * @param accessLog the pool's access log file, relative to the server's folder (empty: no access log)
 * @param accessFormat the access log's line format, after PHP-FPM's {@code access.format} (docs/operations.md, Access log)
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
