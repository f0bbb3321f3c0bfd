package io.fastpool.pool.internal;

import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolState;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A pool's watchdog, run every few hundred milliseconds by the manager's watchdog thread through
 * {@link #check}: it ends the statistics' interval when due (so every reader sees intervals of
 * the same length), logs slow requests, interrupts those past {@code requestTimeout} (answered 504)
 * and orphans a worker that does not stop, times out detached requests (their own time-out, not
 * {@code requestTimeout}: {@link DetachedRequest}), answers 503 to requests that waited longer than
 * {@code startupTimeLimit} for their app, releases an idle pool ({@code idleTimeout}), and decides
 * when a recycle is due (an orphan, {@code recycleAfterTime}, {@code recycleAfterRequests}), which it
 * hands to the lifecycle executor.
 *
 * <p>Its fields are guarded by the pool lock. A check holds that lock only to decide; it logs, sends
 * answers and releases apps after letting go, and never waits for anything: a recycle runs on the
 * lifecycle executor, answers on the responder.
 */
final class Watchdog {

    /** Everything a pool says goes to one logger, named after {@link Pool}: an operator filters one name. */
    private static final System.Logger LOG = System.getLogger(Pool.class.getName());
    /** A timed-out thread that has not stopped this long after its interrupt is orphaned. */
    static final long DEFAULT_ORPHAN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The logger slow requests' stacks go to. */
    static final String SLOW_LOG = "io.fastpool.slow";
    private static final System.Logger SLOW = System.getLogger(SLOW_LOG);

    private final Pool pool;
    private final ReentrantLock lock;
    private final Workers workers;
    private final PoolStats stats;
    private final LongSupplier clock;
    /** How many recycles were asked for, for tests. */
    final AtomicInteger recycleRequests = new AtomicInteger();
    private volatile long orphanGraceNanos = DEFAULT_ORPHAN_GRACE_NANOS;
    /** Set when a recycle is due (rapid requests count, age, an orphan): the next check starts it. */
    private boolean recycleDue;
    /** When the pool last (re)started: {@code recycleAfterTime} counts from here. */
    private long startedNanos;
    /**
     * Set by a check that found the pool dormant with no session: the manager's rounds leave it out
     * ({@link AwakePools}; with 2,000 idle apps, checking each pool five times a second cost half a
     * percent of a core). Cleared by {@link #wake}, which every change that can give a check
     * something to do calls. A new pool sleeps until its first app, request or settings wake it.
     */
    private volatile boolean asleep = true;

    Watchdog(Pool pool, ReentrantLock lock, Workers workers, PoolStats stats, LongSupplier clock) {
        this.pool = pool;
        this.lock = lock;
        this.workers = workers;
        this.stats = stats;
        this.clock = clock;
        this.startedNanos = clock.getAsLong();
    }

    /** Whether the manager's rounds may skip this pool: see {@link #asleep}. */
    boolean asleep() {
        return asleep;
    }

    /** A request came, the state or the settings changed: the next round checks the pool again. */
    void wake() {
        if (asleep) {
            asleep = false; // before the host hears of it: see AwakePools
            pool.host().woke(pool);
        }
    }

    /** Shortens the wait before a timed-out thread is orphaned (tests). */
    void orphanGrace(long nanos) {
        this.orphanGraceNanos = nanos;
    }

    /** The pool (re)started now: its age for {@code recycleAfterTime} starts again. Lock held. */
    void restarted() {
        startedNanos = clock.getAsLong();
    }

    /** Asks for a recycle, started by the next check while the pool runs. */
    void recycleDue(String why) {
        recycleRequests.incrementAndGet();
        lock.lock();
        try {
            recycleDue = true;
            wake();
        } finally {
            lock.unlock();
        }
        LOG.log(Level.INFO, () -> "pool " + pool.name() + ": recycling " + why);
    }

    /** Time-outs, orphans, requests waiting too long for their app, the idle time-out, recycles due. */
    void check() {
        PoolSettings current = pool.settings();
        long now = clock.getAsLong();
        stats.endIntervalIfDue(now); // before the lock: the statistics' monitor is a leaf lock
        // Before the lock too: it asks the apps' instances and stores, which have locks of their own.
        boolean heldForSessionEnds = pool.apps().stream().anyMatch(App::holdsSessionsItListensFor);
        Findings found;
        boolean recycle;
        lock.lock();
        try {
            if (pool.released() && workers.idle() && current.recycleAfterTime().isZero()) {
                // Dormant: nothing can time out or be released. Without sessions to expire either, the
                // manager stops visiting it until a request, a state change or new settings wake it.
                asleep = !pool.hasSessions();
                return;
            }
            found = new Findings();
            checkRunning(current, now, found);
            for (Work work : workers.detached()) {
                if (work.detached.timeoutDue(now)) {
                    found.detachedTimedOut.add(work.detached);
                }
            }
            PoolState state = pool.state();
            long startupLimit = current.startupTimeLimit().toNanos() + (state == PoolState.DRAINING ? current.drainTimeLimit().toNanos() : 0);
            found.expired = workers.removeQueued(work -> (state != PoolState.RUNNING || !work.app.available())
                    && now - work.enqueuedNanos > startupLimit);
            long idle = current.idleTimeout().toNanos();
            if (idle > 0 && !pool.released() && state == PoolState.RUNNING && workers.idle()
                    && now - workers.lastActivityNanos() > idle && !heldForSessionEnds) {
                pool.markReleased();
                found.release = true;
            }
            // Requests queued behind a worker stuck finishing get a thread now, not at the next submission.
            workers.dispatch();
            long maxAge = current.recycleAfterTime().toNanos();
            if (maxAge > 0 && now - startedNanos > maxAge && state == PoolState.RUNNING) {
                startedNanos = now;
                recycleDue = true;
            }
            recycle = recycleDue && state == PoolState.RUNNING;
            if (recycle) {
                recycleDue = false;
            }
        } finally {
            lock.unlock();
        }
        act(found, current);
        if (recycle) {
            pool.recycleLater();
        }
    }

    /** What a check found under the lock, acted upon after it. */
    private static final class Findings {
        final List<Work> slow = new ArrayList<>();
        final List<Work> timedOut = new ArrayList<>();
        final List<DetachedRequest> detachedTimedOut = new ArrayList<>();
        List<Work> expired = List.of();
        boolean release;
    }

    /** Marks slow and timed-out requests, and orphans a worker that did not stop after its time-out. Lock held. */
    private void checkRunning(PoolSettings current, long now, Findings found) {
        long timeout = current.requestTimeout().toNanos();
        long slowAfter = current.slowRequestTimeout().toNanos();
        for (Work work : workers.running()) {
            long elapsed = now - work.startedNanos;
            if (slowAfter > 0 && !work.slowLogged && elapsed > slowAfter) {
                work.slowLogged = true;
                stats.slowRequests.increment();
                found.slow.add(work);
            }
            if (timeout > 0 && !work.timedOut && elapsed > timeout) {
                work.timedOut = true;
                stats.timeouts.increment();
                work.thread.interrupt();
                found.timedOut.add(work);
            } else if (work.timedOut && !work.orphaned && elapsed > timeout + orphanGraceNanos) {
                work.orphaned = true;
                stats.orphans.increment();
                LOG.log(Level.ERROR, "pool " + pool.name() + ": thread " + work.thread.getName() + " running "
                        + work.exchange.describe() + " did not stop " + (elapsed / 1_000_000) + " ms after its time-out;"
                        + " orphaned it and will recycle the pool");
                recycleDue = true;
                workers.orphan(work);
            }
        }
    }

    /** Logs, answers and releases what the check found; no lock held. */
    private void act(Findings found, PoolSettings current) {
        for (Work work : found.slow) {
            logSlow(work, current);
        }
        for (Work work : found.timedOut) {
            pool.host().responder().execute(() -> {
                RequestRunner.answerTimedOut(work.exchange.response());
                work.complete();
            });
            LOG.log(Level.WARNING, () -> "pool " + pool.name() + ": " + work.exchange.describe() + " ran longer than "
                    + current.requestTimeout().toMillis() + " ms (requestTimeout); interrupted");
        }
        found.detachedTimedOut.forEach(DetachedRequest::timedOut);
        for (Work work : found.expired) {
            pool.reject(work.exchange, "app " + work.app.name() + " did not come back within "
                    + current.startupTimeLimit().toMillis() + " ms (startupTimeLimit)", 5);
        }
        if (found.release) {
            LOG.log(Level.INFO, () -> "pool " + pool.name() + ": idle for " + current.idleTimeout().toSeconds()
                    + " s (idleTimeout); releasing its app instances and threads");
            pool.apps().forEach(App::release);
        }
    }

    /**
     * Writes a slow request's worker stack once, to the logger {@value #SLOW_LOG} (by default into
     * the server's log; logging.properties can send it to a file of its own).
     */
    private void logSlow(Work work, PoolSettings current) {
        Thread thread = work.thread;
        if (thread == null) {
            return;
        }
        StackTraceElement[] stack = thread.getStackTrace();
        long elapsedMillis = (clock.getAsLong() - work.startedNanos) / 1_000_000;
        StringBuilder text = new StringBuilder();
        text.append("pool ").append(pool.name()).append(": slow request, running ").append(elapsedMillis)
                .append(" ms (slowRequestTimeout ").append(current.slowRequestTimeout().toMillis()).append(" ms): app ")
                .append(work.app.name()).append(", ").append(work.exchange.describe()).append(", thread ").append(thread.getName());
        for (StackTraceElement frame : stack) {
            text.append("\n\tat ").append(frame);
        }
        SLOW.log(Level.WARNING, text.toString());
    }
}
