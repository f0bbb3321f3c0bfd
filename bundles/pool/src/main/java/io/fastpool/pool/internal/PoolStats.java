package io.fastpool.pool.internal;

import io.fastpool.pool.PoolSnapshot;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Counts and latency distributions of one pool since it was created. */
final class PoolStats {

    /** Microseconds up to an hour. */
    private static final long HIGHEST = 3_600_000_000L;
    /**
     * Two significant digits (1% resolution) and auto-resizing: a histogram holds only the range it
     * has seen, a few kilobytes, where a fixed one-hour range at three digits took 368 KiB. Each is
     * made by the pool's first request: an idle app costs nothing here (2,000 apps fit in 512 MB).
     */
    private static final int DIGITS = 2;

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

    /** A histogram made on first use, and its percentiles kept until a new value arrives. */
    private static final class Distribution {
        private volatile Histogram histogram;
        private PoolSnapshot.Percentiles last = new PoolSnapshot.Percentiles(0, 0, 0, 0, 0);

        void record(long micros) {
            Histogram current = histogram;
            if (current == null) {
                synchronized (this) {
                    current = histogram;
                    if (current == null) {
                        current = new ConcurrentHistogram(DIGITS);
                        histogram = current;
                    }
                }
            }
            current.recordValue(micros);
        }

        synchronized PoolSnapshot.Percentiles percentiles() {
            Histogram current = histogram;
            if (current == null || current.getTotalCount() == last.count()) {
                return last;
            }
            Histogram copy = current.copy();
            last = new PoolSnapshot.Percentiles(copy.getTotalCount(), copy.getValueAtPercentile(50),
                    copy.getValueAtPercentile(90), copy.getValueAtPercentile(99), copy.getMaxValue());
            return last;
        }
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

    PoolSnapshot.Percentiles latencyPercentiles() {
        return latency.percentiles();
    }

    PoolSnapshot.Percentiles queueWaitPercentiles() {
        return queueWait.percentiles();
    }

    private static long clamp(long micros) {
        return Math.max(1, Math.min(HIGHEST, micros));
    }
}
