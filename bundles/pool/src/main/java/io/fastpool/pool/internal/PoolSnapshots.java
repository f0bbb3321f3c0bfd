package io.fastpool.pool.internal;

import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds a pool's {@link PoolSnapshot} for the shell and the status page. Called with the pool lock
 * held, so that threads, busy threads, the queue and the requests in flight are of one moment; it
 * reads the statistics' own locks (histograms, the access log's count), never the other way round.
 */
final class PoolSnapshots {

    private PoolSnapshots() {
    }

    /** The snapshot of a pool named {@code name} at {@code now}. Lock held. */
    static PoolSnapshot take(String name, PoolState state, PoolSettings settings, List<App> apps, Workers workers,
            PoolStats stats, long accessLogDrops, long now) {
        return new PoolSnapshot(name, state, settings, apps.stream().map(App::view).toList(), workers.threadCount(),
                workers.busyCount(), workers.queueLength(), stats.maxQueued(), counters(settings, workers, stats, accessLogDrops),
                stats.latencyPercentiles(), stats.queueWaitPercentiles(), inFlight(workers, now));
    }

    /**
     * The counts, with CPU time and allocation as the totals of the pool's threads (ended ones and
     * live ones), read here rather than measured per request.
     */
    private static PoolSnapshot.Counters counters(PoolSettings settings, Workers workers, PoolStats stats, long accessLogDrops) {
        long cpu = 0;
        long allocated = 0;
        if (settings.statistics()) {
            cpu = stats.cpuNanos.sum();
            allocated = stats.allocatedBytes.sum();
            for (Thread worker : workers.threads()) {
                cpu += ThreadCost.cpuNanos(worker);
                allocated += ThreadCost.allocatedBytes(worker);
            }
        }
        return stats.counters(accessLogDrops, cpu, allocated);
    }

    /** The running requests, the longest-running first. */
    private static List<PoolSnapshot.InFlight> inFlight(Workers workers, long now) {
        List<PoolSnapshot.InFlight> inFlight = new ArrayList<>();
        for (Work work : workers.running()) {
            inFlight.add(new PoolSnapshot.InFlight(work.app.name(), work.exchange.describe(),
                    (now - work.startedNanos) / 1_000_000, work.thread.getName()));
        }
        inFlight.sort(Comparator.comparingLong(PoolSnapshot.InFlight::elapsedMillis).reversed());
        return inFlight;
    }
}
