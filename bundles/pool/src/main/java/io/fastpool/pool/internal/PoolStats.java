package io.fastpool.pool.internal;

import io.fastpool.pool.PoolSnapshot;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counts and latency distributions of one pool since it was created, and latency and queue wait
 * over the last completed interval of {@link PoolSnapshot.Interval#SECONDS} seconds.
 *
 * <p>One interval clock for every reader: the interval ends when it has lasted its length, found so
 * by the pool's watchdog (every 200 ms) or by a reader, whichever comes first; every reader then
 * sees that same interval until the next one ends. Reading never ends an interval early, so a
 * reader cannot shorten what another sees (as two callers of the JDK's {@code getCpuLoad} each see
 * the few milliseconds since the other's call). An interval lasts its length plus at most the
 * watchdog's period; without a watchdog (tests, benchmarks) it lasts until the next read, and its
 * length says so.
 */
final class PoolStats {

    /** Microseconds up to an hour. */
    private static final long HIGHEST = 3_600_000_000L;
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(PoolSnapshot.Interval.SECONDS);

    final LongAdder served = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder serverErrors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder orphans = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder restarts = new LongAdder();
    final LongAdder recycles = new LongAdder();
    final LongAdder activations = new LongAdder();
    /** CPU time and bytes allocated by the pool's threads that have ended. */
    final LongAdder cpuNanos = new LongAdder();
    final LongAdder allocatedBytes = new LongAdder();
    final LongAdder slowRequests = new LongAdder();
    private final AtomicInteger maxQueued = new AtomicInteger();
    private final Distribution latency = new Distribution();
    private final Distribution queueWait = new Distribution();
    private final LongSupplier clock;
    /** When the current interval started, and the last completed one's bounds (equal until one has ended). Guarded by this. */
    private long intervalStart;
    private long lastStart;
    private long lastEnd;

    /** Latency and queue wait at one moment: since the pool was created, and over the last interval. */
    record Latencies(PoolSnapshot.Percentiles latency, PoolSnapshot.Percentiles queueWait, PoolSnapshot.Interval lastInterval) {
    }

    PoolStats(LongSupplier clock) {
        this.clock = clock;
        this.intervalStart = clock.getAsLong();
        this.lastStart = intervalStart;
        this.lastEnd = intervalStart;
    }

    void queued(int length) {
        maxQueued.accumulateAndGet(length, Math::max);
    }

    int maxQueued() {
        return maxQueued.get();
    }

    void latency(long nanos) {
        latency.record(clamp(nanos / 1000));
    }

    void queueWait(long nanos) {
        queueWait.record(clamp(nanos / 1000));
    }

    /** The counts; CPU time and allocation as the pool works them out from its threads. */
    PoolSnapshot.Counters counters(long accessLogDropped, long cpu, long allocated) {
        return new PoolSnapshot.Counters(served.sum(), rejected.sum(), serverErrors.sum(), timeouts.sum(), orphans.sum(),
                failures.sum(), restarts.sum(), recycles.sum(), activations.sum(), cpu, allocated,
                slowRequests.sum(), accessLogDropped);
    }

    /** Ends the current interval if it has lasted its length by {@code now} (the pool's clock): the watchdog's call. */
    synchronized void endIntervalIfDue(long now) {
        if (now - intervalStart < INTERVAL_NANOS) {
            return;
        }
        latency.endInterval();
        queueWait.endInterval();
        lastStart = intervalStart;
        lastEnd = now;
        intervalStart = now;
    }

    /** The figures now: the interval ended if due, and what was recorded until now counted since the start. */
    synchronized Latencies latencies() {
        long now = clock.getAsLong();
        endIntervalIfDue(now);
        latency.drain();
        queueWait.drain();
        PoolSnapshot.Interval interval = lastEnd == lastStart ? PoolSnapshot.Interval.NONE
                : new PoolSnapshot.Interval(TimeUnit.NANOSECONDS.toMillis(lastEnd - lastStart),
                        TimeUnit.NANOSECONDS.toMillis(now - lastEnd), latency.lastInterval(), queueWait.lastInterval());
        return new Latencies(latency.sinceStart(), queueWait.sinceStart(), interval);
    }

    private static long clamp(long micros) {
        return Math.max(1, Math.min(HIGHEST, micros));
    }
}
