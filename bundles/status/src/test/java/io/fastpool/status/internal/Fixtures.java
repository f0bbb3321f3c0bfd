package io.fastpool.status.internal;

import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import io.fastpool.transport.ListenerSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fixed figures for the tests: pools, listen addresses and reports built from them. */
final class Fixtures {

    static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private Fixtures() {
    }

    /** A mutable description of one pool, turned into a snapshot by {@link #snapshot()}. */
    static final class Pool {
        String name = "shop";
        PoolState state = PoolState.RUNNING;
        PoolSettings d = PoolSettings.DEFAULTS;
        PoolSettings settings = new PoolSettings(100, d.minThreads(), 4, d.startMode(), d.idleTimeout(), d.requestTimeout(),
                d.startupTimeLimit(), d.drainTimeLimit(), d.recycleAfterRequests(), d.recycleAfterTime(), d.rapidFailMaxFailures(),
                d.rapidFailInterval(), d.maxSessions(), d.sessionTimeout(), d.slowRequestTimeout(), d.accessLog(), d.accessFormat(),
                d.statistics());
        int threads = 2;
        int busy = 1;
        int queued;
        int maxQueued = 3;
        long served = 10_000;
        long rejected;
        long serverErrors;
        long timeouts;
        long slowRequests;
        long orphans;
        long failures;
        long restarts;
        long recycles;
        long activations = 1;
        long cpuNanos = 2_000_000_000L;
        long allocatedBytes = 10_000L * 20_000;
        PoolSnapshot.Percentiles latency = new PoolSnapshot.Percentiles(10_000, 800, 2_000, 9_000, 40_000);
        PoolSnapshot.Percentiles queueWait = new PoolSnapshot.Percentiles(10_000, 5, 10, 20, 3_000);
        /** The last 5 s: a spike the since-start figures hide (p99 120 ms against 9 ms). */
        PoolSnapshot.Interval lastInterval = new PoolSnapshot.Interval(5_000, 1_200,
                new PoolSnapshot.Percentiles(250, 700, 1_500, 120_000, 300_000), new PoolSnapshot.Percentiles(250, 5, 10, 2_000, 4_000));
        List<PoolSnapshot.AppView> apps = List.of(new PoolSnapshot.AppView("shop/app", true, 12, 40, 0, 9, 3, 0, 0));
        List<PoolSnapshot.InFlight> inFlight = List.of();

        Pool name(String value) {
            name = value;
            return this;
        }

        /** These settings with the given startMode ("AlwaysRunning") or maxSessions; what the advice tests vary. */
        Pool settings(Map<String, ?> overrides) {
            PoolSettings s = settings;
            PoolSettings.StartMode mode = "AlwaysRunning".equals(overrides.get("startMode")) ? PoolSettings.StartMode.ALWAYS_RUNNING
                    : s.startMode();
            int maxSessions = overrides.containsKey("maxSessions") ? ((Number) overrides.get("maxSessions")).intValue() : s.maxSessions();
            settings = new PoolSettings(s.queueLength(), s.minThreads(), s.maxThreads(), mode, s.idleTimeout(), s.requestTimeout(),
                    s.startupTimeLimit(), s.drainTimeLimit(), s.recycleAfterRequests(), s.recycleAfterTime(), s.rapidFailMaxFailures(),
                    s.rapidFailInterval(), maxSessions, s.sessionTimeout(), s.slowRequestTimeout(), s.accessLog(), s.accessFormat(),
                    s.statistics());
            return this;
        }

        PoolSnapshot snapshot() {
            return new PoolSnapshot(name, state, settings, apps, threads, busy, queued, maxQueued,
                    new PoolSnapshot.Counters(served, rejected, serverErrors, timeouts, orphans, failures, restarts, recycles,
                            activations, cpuNanos, allocatedBytes, slowRequests, 0), latency, queueWait, inFlight, lastInterval);
        }
    }

    static Pool pool() {
        return new Pool();
    }

    static StatusReport.ListenAddress listenAddress(String listen, long accepted, int open, long refused) {
        return new StatusReport.ListenAddress(new ListenerSnapshot(listen, listen.replace("tcp:", "").replace("unix:", ""),
                listen.startsWith("tcp:") ? 9000 : 0, accepted, open, refused), open - 1, 1, 0);
    }

    static ListenerStatus.Counters requests() {
        return new ListenerStatus.Counters(10_500, 10_490, 7, 2, 0, 3, 0, 0, 0, 10_300, 12, 150, 28, 9_900);
    }

    static SystemFigures idleCpu() {
        return new SystemFigures(2, 0.3, 0.2, 0.1);
    }

    static SystemFigures busyCpu() {
        return new SystemFigures(2, 2.5, 0.95, 0.9);
    }

    static StatusReport report(List<PoolSnapshot> pools) {
        return report(pools, idleCpu());
    }

    static StatusReport report(List<PoolSnapshot> pools, SystemFigures system) {
        return new StatusReport(NOW, START, START.plusSeconds(1), system, true, "nio", 0,
                List.of(listenAddress("unix:run/fastpool.sock", 120, 3, 0), listenAddress("tcp:127.0.0.1:9000", 40, 2, 0)),
                requests(), pools, Map.of(), new History(10, 5).view(), List.of());
    }

    /** A report whose history holds three samples for {@code pools}, a second apart, served growing by 50 per sample. */
    static StatusReport reportWithHistory(List<Pool> pools) {
        History history = new History(120, 5);
        for (int i = 0; i < 3; i++) {
            final int step = i;
            history.record(NOW.toEpochMilli() - 10_000 + i * 5_000, pools.stream().map(p -> {
                p.served += step == 0 ? 0 : 50;
                return p.snapshot();
            }).toList(), requests(), 5);
        }
        List<PoolSnapshot> snapshots = pools.stream().map(Pool::snapshot).toList();
        return new StatusReport(NOW, START, START.plusSeconds(1), idleCpu(), true, "epoll", 0,
                List.of(listenAddress("unix:run/fastpool.sock", 120, 3, 0)), requests(), snapshots, history.maxBusyThreads(),
                history.view(), List.of());
    }
}
