package io.fastpool.pool.internal;

import io.fastpool.pool.PoolSnapshot;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Counts and latency distributions of one pool since it was created. */
final class PoolStats {

    /** Microseconds up to an hour, 3 significant digits. */
    private static final long HIGHEST = 3_600_000_000L;

    final LongAdder served = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder serverErrors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder orphans = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder restarts = new LongAdder();
    final LongAdder recycles = new LongAdder();
    final LongAdder activations = new LongAdder();
    final LongAdder cpuNanos = new LongAdder();
    final LongAdder allocatedBytes = new LongAdder();
    final LongAdder slowRequests = new LongAdder();
    private final AtomicInteger maxQueued = new AtomicInteger();
    private final Histogram latency = new ConcurrentHistogram(1, HIGHEST, 3);
    private final Histogram queueWait = new ConcurrentHistogram(1, HIGHEST, 3);

    void queued(int length) {
        maxQueued.accumulateAndGet(length, Math::max);
    }

    int maxQueued() {
        return maxQueued.get();
    }

    void latency(long nanos) {
        latency.recordValue(clamp(nanos / 1000));
    }

    void queueWait(long nanos) {
        queueWait.recordValue(clamp(nanos / 1000));
    }

    PoolSnapshot.Counters counters(long accessLogDropped) {
        return new PoolSnapshot.Counters(served.sum(), rejected.sum(), serverErrors.sum(), timeouts.sum(), orphans.sum(),
                failures.sum(), restarts.sum(), recycles.sum(), activations.sum(), cpuNanos.sum(), allocatedBytes.sum(),
                slowRequests.sum(), accessLogDropped);
    }

    PoolSnapshot.Percentiles latencyPercentiles() {
        return percentiles(latency);
    }

    PoolSnapshot.Percentiles queueWaitPercentiles() {
        return percentiles(queueWait);
    }

    private static PoolSnapshot.Percentiles percentiles(Histogram histogram) {
        Histogram copy = histogram.copy();
        return new PoolSnapshot.Percentiles(copy.getTotalCount(), copy.getValueAtPercentile(50), copy.getValueAtPercentile(90),
                copy.getValueAtPercentile(99), copy.getMaxValue());
    }

    private static long clamp(long micros) {
        return Math.max(1, Math.min(HIGHEST, micros));
    }
}
