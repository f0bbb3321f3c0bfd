package io.fastpool.pool;

import java.util.List;

/**
 * A pool's state and figures at one moment, for the shell and the status page.
 *
 * @param name the pool's name
 * @param state where it is in its life
 * @param settings the settings in force
 * @param apps the apps it runs
 * @param threads worker threads alive
 * @param busyThreads worker threads running a request
 * @param queued requests waiting
 * @param maxQueued most requests ever waiting at once
 * @param counters counts since the pool was created
 * @param latency request latency percentiles since the pool was created, in microseconds, from dispatch to completion
 * @param queueWait time spent waiting in the queue since the pool was created, percentiles in microseconds
 * @param inFlight requests running now, and those detached from their thread (thread {@code "(detached)"}), longest first
 * @param lastInterval latency and queue wait over the last completed interval alone, where a spike shows at once
 */
public record PoolSnapshot(String name, PoolState state, PoolSettings settings, List<AppView> apps, int threads,
        int busyThreads, int queued, int maxQueued, Counters counters, Percentiles latency, Percentiles queueWait,
        List<InFlight> inFlight, Interval lastInterval) {

    /** A snapshot without interval figures (the 2.1 constructor): {@link Interval#NONE}. */
    public PoolSnapshot(String name, PoolState state, PoolSettings settings, List<AppView> apps, int threads,
            int busyThreads, int queued, int maxQueued, Counters counters, Percentiles latency, Percentiles queueWait,
            List<InFlight> inFlight) {
        this(name, state, settings, apps, threads, busyThreads, queued, maxQueued, counters, latency, queueWait, inFlight,
                Interval.NONE);
    }

    /**
     * Counts since the pool was created.
     *
     * @param served requests handled to the end
     * @param rejected requests answered 503 without running (queue full, pool stopped or disabled, app gone)
     * @param serverErrors responses with a 5xx status
     * @param timeouts requests past {@code requestTimeout}
     * @param orphans threads that did not stop after a time-out
     * @param failures activation errors, {@link Error}s thrown and orphans: what rapid-fail protection counts
     * @param restarts app instances released and started again
     * @param recycles bundles updated for a fresh class loader
     * @param activations app instances activated (demand starts)
     * @param cpuNanos CPU time of the pool's worker threads (requests, and the little they do between them)
     * @param allocatedBytes bytes allocated by the pool's worker threads
     * @param slowRequests requests that ran longer than {@code slowRequestTimeout} (their stacks are in the log)
     * @param accessLogDropped access log lines dropped because the writer could not keep up or the file failed
     */
    public record Counters(long served, long rejected, long serverErrors, long timeouts, long orphans, long failures,
            long restarts, long recycles, long activations, long cpuNanos, long allocatedBytes, long slowRequests,
            long accessLogDropped) {
    }

    /**
     * One app of the pool.
     *
     * @param name {@code bundle/component}
     * @param active whether its instance is activated
     * @param sessions sessions it holds now
     * @param sessionsCreated sessions it created since it was deployed
     * @param sessionsEvicted sessions dropped because it held {@code maxSessions}
     * @param newSessions sessions it holds that were not used again after they were made
     * @param returningSessions sessions it holds that were used again after they were made (returning users)
     * @param newSessionsEvicted sessions dropped for want of room that were never used again: one-shot churn,
     *        such as a script or crawler without cookies
     * @param returningSessionsEvicted sessions dropped for want of room that had been used again: returning
     *        users who lost theirs, so {@code maxSessions} is too low
     */
    public record AppView(String name, boolean active, int sessions, long sessionsCreated, long sessionsEvicted,
            int newSessions, int returningSessions, long newSessionsEvicted, long returningSessionsEvicted) {

        /** An app whose sessions are not told apart by segment: all of them new (the 2.0 constructor). */
        public AppView(String name, boolean active, int sessions, long sessionsCreated, long sessionsEvicted) {
            this(name, active, sessions, sessionsCreated, sessionsEvicted, sessions, 0, sessionsEvicted, 0);
        }
    }

    /** Percentiles of a distribution, in microseconds. */
    public record Percentiles(long count, long p50, long p90, long p99, long max) {

        /** No value recorded. */
        public static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0);
    }

    /**
     * Latency and queue wait over one interval of the pool's clock alone, not since the pool was
     * created: the pool ends an interval every {@link #SECONDS} seconds (a little later when its
     * watchdog is late), and every reader (status page, metrics, shell) sees the same last completed
     * interval until the next one ends; reading resets nothing. An interval in which no request ended
     * has a count of 0.
     *
     * @param lengthMillis how long the interval lasted; 0 when none has ended yet
     * @param endedMillisAgo how long before the snapshot it ended
     * @param latency request latency percentiles over the interval, in microseconds
     * @param queueWait queue wait percentiles over the interval, in microseconds
     */
    public record Interval(long lengthMillis, long endedMillisAgo, Percentiles latency, Percentiles queueWait) {

        /** The length the pool gives an interval: the status page's default sample interval and its CPU window. */
        public static final int SECONDS = 5;
        /** No interval has ended yet. */
        public static final Interval NONE = new Interval(0, 0, Percentiles.NONE, Percentiles.NONE);
    }

    /** A request running now, or detached from its thread ({@code thread} is then {@code "(detached)"}). */
    public record InFlight(String app, String request, long elapsedMillis, String thread) {
    }
}
