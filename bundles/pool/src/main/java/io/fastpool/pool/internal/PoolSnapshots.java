package io.fastpool.pool.internal;

import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Takes a pool's {@link PoolSnapshot} for the shell and the status page. It holds the pool lock only
 * to read what must be of one moment (state, threads, busy threads, the queue, the requests in
 * flight); the apps' views (their session stores' monitors), the latency percentiles (the
 * histograms') and the threads' CPU time are read without it, so that a snapshot never makes a
 * transport thread wait.
 */
final class PoolSnapshots {

    private final String name;
    private final List<App> apps;
    private final Workers workers;
    private final PoolStats stats;
    private final RequestRunner runner;
    private final ReentrantLock lock;
    private final LongSupplier clock;

    PoolSnapshots(String name, List<App> apps, Workers workers, PoolStats stats, RequestRunner runner, ReentrantLock lock,
            LongSupplier clock) {
        this.name = name;
        this.apps = apps;
        this.workers = workers;
        this.stats = stats;
        this.runner = runner;
        this.lock = lock;
        this.clock = clock;
    }

    /** The snapshot now; {@code state} is read with the pool lock held. */
    PoolSnapshot take(Supplier<PoolState> state, PoolSettings settings) {
        List<PoolSnapshot.AppView> views = apps.stream().map(App::view).toList();
        PoolState now;
        List<Thread> threads;
        int busy;
        int queued;
        List<PoolSnapshot.InFlight> inFlight;
        lock.lock();
        try {
            now = state.get();
            threads = workers.threads();
            busy = workers.busyCount();
            queued = workers.queueLength();
            inFlight = inFlight(clock.getAsLong());
        } finally {
            lock.unlock();
        }
        PoolStats.Latencies latencies = stats.latencies();
        return new PoolSnapshot(name, now, settings, views, threads.size(), busy, queued, stats.maxQueued(),
                counters(settings, threads), latencies.latency(), latencies.queueWait(), inFlight, latencies.lastInterval());
    }

    /**
     * The counts, with CPU time and allocation as the totals of the pool's threads (ended ones and
     * live ones), read here rather than measured per request.
     */
    private PoolSnapshot.Counters counters(PoolSettings settings, List<Thread> live) {
        long cpu = 0;
        long allocated = 0;
        if (settings.statistics()) {
            cpu = stats.cpuNanos.sum();
            allocated = stats.allocatedBytes.sum();
            for (Thread worker : live) {
                cpu += ThreadCost.cpuNanos(worker);
                allocated += ThreadCost.allocatedBytes(worker);
            }
        }
        return stats.counters(runner.accessLogDrops(), cpu, allocated);
    }

    /** What an in-flight request that holds no thread shows for its thread. */
    static final String DETACHED = "(detached)";

    /** The running and detached requests, the longest-running first. Lock held. */
    private List<PoolSnapshot.InFlight> inFlight(long now) {
        List<PoolSnapshot.InFlight> inFlight = new ArrayList<>();
        List<Work> running = workers.running();
        for (Work work : running) {
            inFlight.add(new PoolSnapshot.InFlight(work.app.name(), work.exchange.describe(),
                    (now - work.startedNanos) / 1_000_000, work.thread.getName()));
        }
        for (Work work : workers.detached()) {
            if (!running.contains(work)) {
                inFlight.add(new PoolSnapshot.InFlight(work.app.name(), work.exchange.describe(),
                        (now - work.startedNanos) / 1_000_000, DETACHED));
            }
        }
        inFlight.sort(Comparator.comparingLong(PoolSnapshot.InFlight::elapsedMillis).reversed());
        return inFlight;
    }
}
