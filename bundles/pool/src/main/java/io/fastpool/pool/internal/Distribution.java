package io.fastpool.pool.internal;

import io.fastpool.pool.PoolSnapshot;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;
import org.HdrHistogram.Recorder;

/**
 * One distribution a pool measures (request latency or queue wait), in microseconds, since the
 * pool was created and over the last completed interval of {@link PoolStats}' clock.
 *
 * <p>Request threads record into an HdrHistogram {@link Recorder}, wait-free. A reader (a snapshot,
 * the watchdog ending an interval) <em>drains</em> it, with {@link PoolStats}' monitor held, into
 * the current interval's histogram and the since-start one: draining moves values along and resets
 * nothing that another reader sees. Ending an interval keeps the current histogram's percentiles
 * as the last interval's and empties it, so an interval without requests reads as empty, not as
 * the one before.
 *
 * <p>Memory: nothing until the first value (a pool that never served costs no histogram, and 2,000
 * idle apps fit in 512 MB). Then the recorder's two histograms (the one written to, and the one
 * swapped out at the last drain, kept for the next swap), auto-resizing at two significant digits
 * (1% resolution) so they hold only the range seen, in the recorder's fast array layout because
 * they are written on the request path: about 12 KiB for a millisecond range. The two histograms
 * only this class reads and adds to (current interval, since start) are {@link PackedHistogram}s,
 * about a kilobyte each: adding to them is slower, but happens off the request path. A drain or an
 * interval's end with nothing recorded since the last one reads a few fields and allocates nothing.
 */
final class Distribution {

    /** Two significant digits: 1% resolution. */
    private static final int DIGITS = 2;

    private volatile Recorder recorder;
    /**
     * Set by a writer after it recorded, cleared by a drain before it swaps the recorder's
     * histograms: a value the swap missed has its writer set the flag again afterwards, so an idle
     * pool's drain only reads this flag.
     */
    private volatile boolean recorded;
    /** Guarded by the stats' monitor from here on; all null until the first drain with values. */
    private Histogram drained;
    private Histogram current;
    private Histogram total;
    private PoolSnapshot.Percentiles lastPercentiles = PoolSnapshot.Percentiles.NONE;
    private PoolSnapshot.Percentiles totalPercentiles = PoolSnapshot.Percentiles.NONE;

    /** Records one value: wait-free once the recorder exists (the pool's first value makes it). */
    void record(long micros) {
        Recorder writeTo = recorder;
        if (writeTo == null) {
            writeTo = recorder();
        }
        writeTo.recordValue(micros);
        if (!recorded) {
            recorded = true;
        }
    }

    private synchronized Recorder recorder() {
        if (recorder == null) {
            recorder = new Recorder(DIGITS);
        }
        return recorder;
    }

    /** Moves what was recorded since the last drain into the current interval and the since-start total. */
    void drain() {
        if (!recorded) {
            return;
        }
        recorded = false;
        drained = recorder.getIntervalHistogram(drained);
        if (total == null) {
            current = new PackedHistogram(DIGITS);
            total = new PackedHistogram(DIGITS);
        }
        current.add(drained);
        total.add(drained);
    }

    /** Ends the current interval: its percentiles are the last interval's, and the next starts empty. */
    void endInterval() {
        drain();
        if (current == null) {
            return; // nothing ever recorded
        }
        lastPercentiles = percentiles(current);
        if (current.getTotalCount() > 0) {
            current.reset();
        }
    }

    /** The last completed interval's percentiles. */
    PoolSnapshot.Percentiles lastInterval() {
        return lastPercentiles;
    }

    /** The percentiles of everything drained since the pool was created, worked out again only when it grew. */
    PoolSnapshot.Percentiles sinceStart() {
        if (total != null && total.getTotalCount() != totalPercentiles.count()) {
            totalPercentiles = percentiles(total);
        }
        return totalPercentiles;
    }

    private static PoolSnapshot.Percentiles percentiles(Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return PoolSnapshot.Percentiles.NONE;
        }
        return new PoolSnapshot.Percentiles(histogram.getTotalCount(), histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99), histogram.getMaxValue());
    }
}
