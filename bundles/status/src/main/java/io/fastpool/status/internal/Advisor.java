package io.fastpool.status.internal;

import io.fastpool.config.ConfigurationReport;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the figures into tuning advice, each piece with the numbers behind it: the same list for
 * {@code fastpool:advise} and the status page. Pure: no clock, no services, only the report.
 *
 * <p>Whether requests wait now is judged on the pools' last interval (queue wait percentiles over
 * the last five seconds) and the CPU over the same window, so the advice follows the load of the
 * moment and names its window. The other rules read counters since each pool was created; those
 * that compare rates use the server's uptime.
 */
final class Advisor {

    /** Fewer requests than this say too little for a percentile or an average to advise on. */
    static final long MIN_REQUESTS = 100;
    /** Fewer requests than this in the last interval say too little for its queue wait percentile. */
    static final long MIN_INTERVAL_REQUESTS = 20;
    /** Requests waiting this long in the queue (99th percentile) mean the pool is short of threads or of CPU. */
    static final long QUEUE_WAIT_P99_LIMIT_MICROS = 50_000;
    /** Below this share of CPU in use, the CPU counts as idle enough for more threads to help. */
    static final double CPU_IDLE_BELOW = 0.6;
    /** This share of requests refused 503 (of those served and refused) is worth advice. */
    static final double REJECTED_SHARE_LIMIT = 0.001;
    /** Demand starts per hour of uptime at or above which the idle time-out is too short for the traffic. */
    static final double DEMAND_STARTS_PER_HOUR_LIMIT = 4;
    /** Fewer demand starts than this are normal (the first request, an occasional quiet spell). */
    static final long MIN_DEMAND_STARTS = 3;
    /** Uptime counted as at least this when comparing counts with uptime, so a fresh server is not judged on seconds. */
    static final Duration MIN_UPTIME_FOR_RATES = Duration.ofMinutes(15);
    /** Bytes allocated per request at or above which the app's allocations are worth a look. */
    static final long ALLOCATION_PER_REQUEST_LIMIT = 1024 * 1024;
    /** This share of requests past {@code requestTimeout} is worth advice. */
    static final double TIMEOUT_SHARE_LIMIT = 0.001;
    /** This share of 5xx responses, with at least {@link #MIN_SERVER_ERRORS}, is worth advice. */
    static final double SERVER_ERROR_SHARE_LIMIT = 0.01;
    /** Fewer 5xx responses than this are not worth advice. */
    static final long MIN_SERVER_ERRORS = 10;
    /** An app holding this share of {@code maxSessions} is near its limit. */
    static final double SESSIONS_NEAR_LIMIT_SHARE = 0.9;

    /** The advice for {@code report}, warnings first, then by pool. */
    List<Advice> advise(StatusReport report) {
        List<Advice> advice = new ArrayList<>();
        for (PoolSnapshot pool : report.pools()) {
            poolState(pool, advice);
            waitingRequests(pool, report.system(), advice);
            rejections(pool, advice);
            demandStarts(pool, report.uptime(), advice);
            timeouts(pool, advice);
            orphans(pool, advice);
            serverErrors(pool, advice);
            allocation(pool, advice);
            sessions(pool, advice);
        }
        for (ConfigurationReport configuration : report.configurations()) {
            if (configuration.isRefused()) {
                String pool = configuration.pid().startsWith("io.fastpool.pool~") ? configuration.pid().substring("io.fastpool.pool~".length())
                        : null;
                advice.add(new Advice(Advice.Severity.WARNING, "configurationRefused", pool, configuration.refusedSource()
                        + " is refused and not running: " + configuration.refused().get(0)
                        + (configuration.refused().size() > 1 ? " (and " + (configuration.refused().size() - 1) + " more)" : "")
                        + "; fix the file (fastpool:config " + configuration.pid() + " lists every problem); until then the last good"
                        + " configuration runs", Map.of("problems", configuration.refused().size())));
            }
        }
        for (StatusReport.ListenAddress listener : report.listeners()) {
            if (listener.snapshot().refused() > 0) {
                advice.add(new Advice(Advice.Severity.INFO, "connectionsRefused", null, "listen address "
                        + listener.snapshot().listenAddress() + " refused " + listener.snapshot().refused()
                        + " connections: the peer was not in the transport's allowedClients, or maxConnections was reached;"
                        + " check the log for which, and whether the web server's address or the limit needs changing",
                        figures("listen", listener.snapshot().listenAddress(), "refused", listener.snapshot().refused(),
                                "accepted", listener.snapshot().accepted(), "open", listener.snapshot().open())));
            }
        }
        if (report.slowSendersCutOff() > 0) {
            advice.add(new Advice(Advice.Severity.INFO, "slowSendersCutOff", null, report.slowSendersCutOff()
                    + " connections were cut off for sending a FastCGI record too slowly (recordTimeoutSeconds):"
                    + " a web server in front should never do that; look for clients connecting directly",
                    figures("slowSendersCutOff", report.slowSendersCutOff())));
        }
        List<Advice> sorted = new ArrayList<>(advice);
        sorted.sort(Comparator.comparing((Advice a) -> a.severity() == Advice.Severity.WARNING ? 0 : 1));
        return sorted;
    }

    private static void poolState(PoolSnapshot pool, List<Advice> advice) {
        if (pool.state() == PoolState.DISABLED) {
            advice.add(new Advice(Advice.Severity.WARNING, "poolDisabled", pool.name(), "pool " + pool.name()
                    + " is disabled by rapid-fail protection and answers 503: find the cause in the log, fix the app, then run"
                    + " fastpool:start " + pool.name(),
                    figures("failures", pool.counters().failures(), "orphans", pool.counters().orphans(),
                            "rapidFailMaxFailures", pool.settings().rapidFailMaxFailures(),
                            "rapidFailInterval", duration(pool.settings().rapidFailInterval()))));
        } else if (pool.state() == PoolState.STOPPED) {
            advice.add(new Advice(Advice.Severity.INFO, "poolStopped", pool.name(), "pool " + pool.name()
                    + " is stopped and answers 503; fastpool:start " + pool.name() + " serves it again",
                    figures("rejected", pool.counters().rejected())));
        }
    }

    /** Requests wait for a thread: with CPU to spare, more threads help; without, they would not. */
    private static void waitingRequests(PoolSnapshot pool, SystemFigures system, List<Advice> advice) {
        if (pool.state() != PoolState.RUNNING) {
            return; // waiting is expected while a pool starts, drains or swaps
        }
        PoolSnapshot.Interval interval = pool.lastInterval();
        PoolSnapshot.Percentiles wait = interval.queueWait();
        boolean slowQueue = wait.count() >= MIN_INTERVAL_REQUESTS && wait.p99() >= QUEUE_WAIT_P99_LIMIT_MICROS;
        boolean queuedNow = pool.queued() > 0 && pool.threads() >= pool.settings().maxThreads();
        if (!slowQueue && !queuedNow) {
            return;
        }
        double cpu = system.cpuBusy();
        int maxThreads = pool.settings().maxThreads();
        String window = "the last " + seconds(interval.lengthMillis()) + " s";
        Map<String, Object> figures = figures("queued", pool.queued(), "queueWaitP99Ms", millis(wait.p99()),
                "queueWaitCount", wait.count(), "queueWaitWindow", window, "busyThreads", pool.busyThreads(), "threads", pool.threads(),
                "maxThreads", maxThreads, "cpuBusyPercent", cpu < 0 ? "unknown" : percent(cpu),
                "cpuSource", system.cpuBusySource());
        String waiting = (queuedNow ? pool.queued() + " requests are waiting now" : "requests waited")
                + " (queue wait p99 " + millis(wait.p99()) + " ms over " + wait.count() + " requests in " + window + ")";
        if (cpu < 0) {
            advice.add(new Advice(Advice.Severity.INFO, "queueWaiting", pool.name(), "pool " + pool.name() + ": " + waiting
                    + "; the CPU's load is unknown here, so whether more threads would help cannot be told: compare"
                    + " the machine's CPU use with the pool's busy threads (maxThreads " + maxThreads + ")", figures));
        } else if (cpu >= CPU_IDLE_BELOW) {
            advice.add(new Advice(Advice.Severity.WARNING, "addCapacity", pool.name(), "pool " + pool.name() + ": " + waiting
                    + " but the CPU is " + percent(cpu) + "% busy (" + system.cpuBusySource() + "): more threads would"
                    + " not help (fewer may, if maxThreads is far above the cores); make the app cheaper per request or"
                    + " add capacity", figures));
        } else {
            int suggested = Math.max(maxThreads + 1, (int) Math.ceil(maxThreads * 1.5));
            advice.add(new Advice(Advice.Severity.WARNING, "raiseMaxThreads", pool.name(), "pool " + pool.name() + ": "
                    + waiting + " while the CPU is only " + percent(cpu) + "% busy (" + system.cpuBusySource() + ")"
                    + ": raise maxThreads (now " + maxThreads + ", e.g. to " + suggested + ") in conf/io.fastpool.pool~"
                    + pool.name() + ".cfg; the threads are likely waiting on I/O", figures));
        }
    }

    private static void rejections(PoolSnapshot pool, List<Advice> advice) {
        PoolSnapshot.Counters c = pool.counters();
        long offered = c.served() + c.rejected();
        if (c.rejected() == 0 || (double) c.rejected() / offered < REJECTED_SHARE_LIMIT) {
            return;
        }
        int queueLength = pool.settings().queueLength();
        Map<String, Object> figures = figures("rejected", c.rejected(), "served", c.served(),
                "rejectedPercent", percent((double) c.rejected() / offered), "maxQueued", pool.maxQueued(),
                "queueLength", queueLength, "maxThreads", pool.settings().maxThreads());
        if (pool.maxQueued() >= queueLength) {
            advice.add(new Advice(Advice.Severity.WARNING, "raiseQueueLength", pool.name(), "pool " + pool.name() + " refused "
                    + c.rejected() + " requests 503 and its queue was full (" + pool.maxQueued() + " of queueLength "
                    + queueLength + "): raise queueLength if the bursts are short, else raise maxThreads or add capacity",
                    figures));
        } else {
            advice.add(new Advice(Advice.Severity.INFO, "rejectedWhileUnavailable", pool.name(), "pool " + pool.name()
                    + " refused " + c.rejected() + " requests 503 although its queue never filled (most waiting "
                    + pool.maxQueued() + " of " + queueLength + "): they came while it was stopped or disabled, or its app"
                    + " did not start within startupTimeLimit; the log says which", figures));
        }
    }

    private static void demandStarts(PoolSnapshot pool, Duration uptime, List<Advice> advice) {
        PoolSettings settings = pool.settings();
        if (settings.startMode() != PoolSettings.StartMode.ON_DEMAND || settings.idleTimeout().isZero()) {
            return;
        }
        PoolSnapshot.Counters c = pool.counters();
        long demandStarts = Math.max(0, c.activations() - c.restarts() - c.recycles());
        double hours = Math.max(uptime.toMillis(), MIN_UPTIME_FOR_RATES.toMillis()) / 3_600_000.0;
        double perHour = demandStarts / hours;
        if (demandStarts < MIN_DEMAND_STARTS || perHour < DEMAND_STARTS_PER_HOUR_LIMIT) {
            return;
        }
        advice.add(new Advice(Advice.Severity.INFO, "raiseIdleTimeout", pool.name(), "pool " + pool.name()
                + "'s app was started on demand " + demandStarts + " times in " + duration(uptime) + " ("
                + round(perHour) + " per hour), each start delaying the requests that came meanwhile (queue wait max "
                + millis(pool.queueWait().max()) + " ms): raise idleTimeout (now " + duration(settings.idleTimeout())
                + ") or set startMode=AlwaysRunning",
                figures("demandStarts", demandStarts, "perHour", round(perHour), "uptime", duration(uptime),
                        "idleTimeout", duration(settings.idleTimeout()), "queueWaitMaxMs", millis(pool.queueWait().max()))));
    }

    private static void timeouts(PoolSnapshot pool, List<Advice> advice) {
        PoolSnapshot.Counters c = pool.counters();
        if (c.timeouts() == 0 || (double) c.timeouts() / Math.max(1, c.served()) < TIMEOUT_SHARE_LIMIT) {
            return;
        }
        advice.add(new Advice(Advice.Severity.WARNING, "requestTimeouts", pool.name(), "pool " + pool.name() + ": "
                + c.timeouts() + " requests ran past requestTimeout (" + duration(pool.settings().requestTimeout())
                + ") and were answered 504: find the slow ones (fastpool:requests), or raise requestTimeout if they are"
                + " meant to take that long",
                figures("timeouts", c.timeouts(), "served", c.served(), "requestTimeout", duration(pool.settings().requestTimeout()),
                        "latencyP99Ms", millis(pool.latency().p99()), "latencyMaxMs", millis(pool.latency().max()))));
    }

    private static void orphans(PoolSnapshot pool, List<Advice> advice) {
        long orphans = pool.counters().orphans();
        if (orphans == 0) {
            return;
        }
        advice.add(new Advice(Advice.Severity.WARNING, "orphanedThreads", pool.name(), "pool " + pool.name() + ": "
                + orphans + " worker threads did not stop when interrupted after requestTimeout and were orphaned (each"
                + " cost a recycle and counts toward rapid-fail protection): the app blocks without honouring interrupts;"
                + " give its I/O time-outs",
                figures("orphans", orphans, "requestTimeout", duration(pool.settings().requestTimeout()),
                        "failures", pool.counters().failures(), "recycles", pool.counters().recycles())));
    }

    private static void serverErrors(PoolSnapshot pool, List<Advice> advice) {
        PoolSnapshot.Counters c = pool.counters();
        if (c.serverErrors() < MIN_SERVER_ERRORS || (double) c.serverErrors() / Math.max(1, c.served()) < SERVER_ERROR_SHARE_LIMIT) {
            return;
        }
        advice.add(new Advice(Advice.Severity.WARNING, "serverErrors", pool.name(), "pool " + pool.name() + " answered "
                + c.serverErrors() + " requests with a 5xx status (" + percent((double) c.serverErrors() / Math.max(1, c.served()))
                + "% of those served): the log names the app and the exception",
                figures("serverErrors", c.serverErrors(), "served", c.served(), "timeouts", c.timeouts())));
    }

    private static void allocation(PoolSnapshot pool, List<Advice> advice) {
        PoolSnapshot.Counters c = pool.counters();
        if (c.served() < MIN_REQUESTS) {
            return;
        }
        long perRequest = c.allocatedBytes() / c.served();
        if (perRequest < ALLOCATION_PER_REQUEST_LIMIT) {
            return;
        }
        advice.add(new Advice(Advice.Severity.INFO, "highAllocation", pool.name(), "pool " + pool.name() + "'s requests"
                + " allocate " + perRequest / 1024 + " KiB each on average: that much garbage per request costs collector"
                + " time for every pool; stream large bodies instead of holding them, and reuse buffers",
                figures("allocatedBytesPerRequest", perRequest, "allocatedBytes", c.allocatedBytes(), "served", c.served(),
                        "cpuMsPerRequest", round(c.cpuNanos() / 1e6 / c.served()))));
    }

    /**
     * Sessions dropped for want of room say two different things: returning users' sessions lost
     * means the limit is too low for the app's users; only never-reused sessions dropped means
     * one-shot churn, most often a script or crawler without cookies, which a higher limit only feeds.
     */
    private static void sessions(PoolSnapshot pool, List<Advice> advice) {
        int maxSessions = pool.settings().maxSessions();
        String timeout = duration(pool.settings().sessionTimeout());
        for (PoolSnapshot.AppView app : pool.apps()) {
            Map<String, Object> figures = figures("app", app.name(), "sessions", app.sessions(), "newSessions", app.newSessions(),
                    "returningSessions", app.returningSessions(), "maxSessions", maxSessions, "sessionsCreated", app.sessionsCreated(),
                    "sessionsEvicted", app.sessionsEvicted(), "newSessionsEvicted", app.newSessionsEvicted(),
                    "returningSessionsEvicted", app.returningSessionsEvicted(), "sessionTimeout", timeout);
            String holding = " (holding " + app.returningSessions() + " returning and " + app.newSessions() + " new of maxSessions "
                    + maxSessions + ")";
            if (app.returningSessionsEvicted() > 0) {
                advice.add(new Advice(Advice.Severity.WARNING, "returningSessionsEvicted", pool.name(), "app " + app.name()
                        + " dropped " + app.returningSessionsEvicted() + " sessions of returning users (and " + app.newSessionsEvicted()
                        + " never used again) for want of room" + holding + ": the limit is too low for its users; raise maxSessions"
                        + " in pool " + pool.name() + " (returning users keep theirs while they fit in 80% of it) or shorten"
                        + " sessionTimeout (now " + timeout + ")", figures));
            } else if (app.newSessionsEvicted() > 0) {
                advice.add(new Advice(Advice.Severity.WARNING, "oneShotSessions", pool.name(), "app " + app.name() + " dropped "
                        + app.newSessionsEvicted() + " sessions that were never used again for want of room" + holding + "; no"
                        + " returning user lost theirs. One-shot sessions are likely a script or crawler without cookies: the app"
                        + " may avoid creating a session for a request without cookies (request.session(false) until it must keep"
                        + " something); a higher maxSessions in pool " + pool.name() + " only holds more of them", figures));
            } else if (app.sessions() >= SESSIONS_NEAR_LIMIT_SHARE * maxSessions) {
                advice.add(new Advice(Advice.Severity.INFO, "sessionsNearLimit", pool.name(), "app " + app.name() + " holds "
                        + app.sessions() + " sessions of maxSessions " + maxSessions + " (" + app.returningSessions() + " returning, "
                        + app.newSessions() + " new): raise maxSessions in pool " + pool.name()
                        + " or shorten sessionTimeout (now " + timeout + ")", figures));
            }
        }
    }

    private static Map<String, Object> figures(Object... namesAndValues) {
        Map<String, Object> figures = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            figures.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return figures;
    }

    static double millis(long micros) {
        return round(micros / 1000.0);
    }

    /** Milliseconds as seconds with one decimal, as the CPU's window is written: {@code 5.0}. */
    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f", millis / 1000.0);
    }

    static double percent(double share) {
        return round(share * 100);
    }

    static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** A duration as the settings write it: {@code 90s}, {@code 20m}, {@code 1h}, {@code 1h30m}. */
    static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds == 0) {
            return duration.toMillis() > 0 ? duration.toMillis() + "ms" : "0";
        }
        StringBuilder text = new StringBuilder();
        if (seconds >= 86_400) {
            text.append(seconds / 86_400).append('d');
            seconds %= 86_400;
        }
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
            seconds %= 3600;
        }
        if (seconds >= 60) {
            text.append(seconds / 60).append('m');
            seconds %= 60;
        }
        if (seconds > 0) {
            text.append(seconds).append('s');
        }
        return text.toString().toLowerCase(Locale.ROOT);
    }
}
