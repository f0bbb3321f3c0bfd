package io.fastpool.status.internal;

import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolSnapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard's recent past: a ring buffer of samples taken every few seconds (by default 5 s x
 * 120, the last ten minutes). Rates are the counters' growth since the previous sample; the latency
 * percentiles are the pool's own: those of its last completed interval (5 s, the pool's clock; a
 * spike shows in the next sample) and those since the pool was created. It also keeps
 * the most busy threads each pool was seen with (PHP-FPM's "max active processes"), which, being
 * sampled, is a lower bound.
 */
final class History {

    /**
     * One pool at one sample.
     *
     * @param requestsPerSecond requests served per second since the previous sample
     * @param rejectedPerSecond requests refused 503 per second since the previous sample
     * @param serverErrorsPerSecond 5xx responses per second since the previous sample
     * @param cpuMillisPerRequest CPU time of the pool's threads per request served since the previous sample (0 when none was)
     * @param busyThreads threads running a request
     * @param threads threads alive
     * @param queued requests waiting
     * @param latencyP50Micros median latency since the pool was created
     * @param latencyP99Micros 99th percentile latency since the pool was created
     * @param queueWaitP99Micros 99th percentile queue wait since the pool was created
     * @param interval the pool's last completed interval: its latency and queue wait alone
     */
    record PoolPoint(double requestsPerSecond, double rejectedPerSecond, double serverErrorsPerSecond,
            double cpuMillisPerRequest, int busyThreads, int threads, int queued, long latencyP50Micros,
            long latencyP99Micros, long queueWaitP99Micros, PoolSnapshot.Interval interval) {
    }

    /**
     * One sample.
     *
     * @param timeMillis when it was taken
     * @param requestsPerSecond requests completed per second by the listener since the previous sample, or negative when unknown
     * @param serverErrorsPerSecond 5xx responses per second since the previous sample, or negative when unknown
     * @param openConnections connections open, or negative when unknown
     * @param pools each pool's point, by name; a pool absent here did not exist (or had no previous sample)
     */
    record Sample(long timeMillis, double requestsPerSecond, double serverErrorsPerSecond, int openConnections,
            Map<String, PoolPoint> pools) {
    }

    /** The samples, oldest first, and the pools they name, in order of appearance. */
    record View(int intervalSeconds, List<Sample> samples, List<String> poolNames) {
    }

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final Map<String, PoolSnapshot.Counters> previousCounters = new HashMap<>();
    private final Map<String, Integer> maxBusyThreads = new HashMap<>();
    private ListenerStatus.Counters previousRequests;
    private long previousTimeMillis = -1;
    private int capacity;
    private int intervalSeconds;

    History(int capacity, int intervalSeconds) {
        this.capacity = capacity;
        this.intervalSeconds = intervalSeconds;
    }

    /** Changes how many samples are kept (the oldest go first) and the interval reported with them. */
    synchronized void resize(int newCapacity, int newIntervalSeconds) {
        capacity = newCapacity;
        intervalSeconds = newIntervalSeconds;
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
    }

    /**
     * Takes a sample. The first sample after a gap has no rates (nothing to compare with); a
     * counter that went down (its pool was created anew) restarts from there.
     *
     * @param requests the listener's counters, or {@code null} when no listener runs
     * @param openConnections connections open, or negative when no transport runs
     */
    synchronized void record(long timeMillis, List<PoolSnapshot> pools, ListenerStatus.Counters requests, int openConnections) {
        double seconds = previousTimeMillis < 0 ? 0 : (timeMillis - previousTimeMillis) / 1000.0;
        Map<String, PoolPoint> points = new LinkedHashMap<>();
        Set<String> present = new LinkedHashSet<>();
        for (PoolSnapshot pool : pools) {
            present.add(pool.name());
            observeBusy(pool);
            PoolSnapshot.Counters now = pool.counters();
            PoolSnapshot.Counters before = previousCounters.put(pool.name(), now);
            if (before == null || seconds <= 0 || now.served() < before.served()) {
                continue;
            }
            long served = now.served() - before.served();
            points.put(pool.name(), new PoolPoint(rate(served, seconds), rate(now.rejected() - before.rejected(), seconds),
                    rate(now.serverErrors() - before.serverErrors(), seconds),
                    served == 0 ? 0 : Math.max(0, now.cpuNanos() - before.cpuNanos()) / 1e6 / served,
                    pool.busyThreads(), pool.threads(), pool.queued(), pool.latency().p50(), pool.latency().p99(),
                    pool.queueWait().p99(), pool.lastInterval()));
        }
        previousCounters.keySet().retainAll(present);
        maxBusyThreads.keySet().retainAll(present);
        double requestsPerSecond = -1;
        double errorsPerSecond = -1;
        if (requests != null && previousRequests != null && seconds > 0 && requests.completed() >= previousRequests.completed()) {
            requestsPerSecond = rate(requests.completed() - previousRequests.completed(), seconds);
            errorsPerSecond = rate(requests.responses5xx() - previousRequests.responses5xx(), seconds);
        }
        previousRequests = requests;
        previousTimeMillis = timeMillis;
        samples.addLast(new Sample(timeMillis, requestsPerSecond, errorsPerSecond, openConnections, points));
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
    }

    /** Notes a pool's busy threads seen outside the sampler (a status request), for the maximum. */
    synchronized void observeBusy(PoolSnapshot pool) {
        maxBusyThreads.merge(pool.name(), pool.busyThreads(), Math::max);
    }

    /** The most busy threads each pool was seen with since the status bundle started (sampled: a lower bound). */
    synchronized Map<String, Integer> maxBusyThreads() {
        return Map.copyOf(maxBusyThreads);
    }

    /** A copy of the samples. */
    synchronized View view() {
        List<Sample> copy = new ArrayList<>(samples);
        Set<String> names = new LinkedHashSet<>();
        copy.forEach(sample -> names.addAll(sample.pools().keySet()));
        return new View(intervalSeconds, copy, List.copyOf(names));
    }

    private static double rate(long delta, double seconds) {
        return Math.max(0, delta) / seconds;
    }
}
