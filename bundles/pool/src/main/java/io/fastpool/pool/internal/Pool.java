package io.fastpool.pool.internal;

import io.fastpool.api.spi.Exchange;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One application pool: its state machine, and the parts that do its jobs: {@link Workers} (the
 * bounded queue and the worker threads), {@link RequestRunner} (one request on a worker: class
 * loader, measurement, access log), {@link Watchdog} (time-outs, idle time-out, recycle triggers),
 * {@link RapidFailProtection}, and {@link PoolSnapshots} (what the shell shows).
 *
 * <p>States ({@link PoolState}) and what moves between them:
 * <pre>
 *   RUNNING  --recycle-->  DRAINING --in flight done, or drainTimeLimit-->  SWAPPING --bundles updated-->  RUNNING
 *   any      --restart-->  STARTING --in flight done, or drainTimeLimit-->  RUNNING
 *   any      --stop------> STOPPED        any --rapid-fail protection--> DISABLED
 *   any      --start-----> RUNNING
 * </pre>
 * Requests wait in the queue while the pool is starting, draining or swapping, or while an app's
 * service is away during its bundle's update; a request for an app that does not come back within
 * {@code startupTimeLimit} is answered 503. A full queue, a stopped pool and a disabled one answer
 * 503 with Retry-After at once, on the transport thread, without blocking. A request its handler
 * detached ({@link DetachedRequest}) holds no worker but counts as in flight: stop, restart and
 * recycle wait for it up to {@code drainTimeLimit}, then abort it; an app that is removed or whose
 * service goes away aborts its detached requests at once. An idle pool (past
 * {@code idleTimeout}, or an OnDemand one before its first request) is <em>released</em>: no
 * instance, no thread.
 *
 * <p>Locks, in the order they may be taken (never the other way round):
 * <ol>
 *   <li>the pool manager's monitor, held while it adds, removes, reconfigures or shuts down a pool
 *       (a shutdown drains, so a manager thread may wait there up to {@code drainTimeLimit});
 *   <li>the <b>pool lock</b>, {@link #lock}, made here and shared with {@link Workers} and
 *       {@link Watchdog}: it guards the state, {@link #released}, rapid-fail's failure times, the
 *       queue, the running requests and the worker set, and the watchdog's recycle triggers. It is
 *       held only to decide: never while a request runs, a response is written, an app is
 *       activated, a bundle is updated or a stack is logged. The only waits under it are on its
 *       condition (which lets it go): idle workers waiting for work, and stop, restart and recycle
 *       waiting for in-flight requests to end (on the lifecycle executor or an operator's thread).
 *       The watchdog thread takes it briefly and never waits on it. Transport threads (submit) never
 *       wait for it at all: when it is taken they hand the request over ({@link #handedOver});
 *   <li>leaf locks, which take nothing else: the loggers' (a few lines are logged under the pool
 *       lock), an app's monitor (activating, releasing; {@link App#available} and
 *       {@link App#active} take none, so a transport thread never waits for an activation), its
 *       session store's, the statistics' histograms, the request runner's (access log drops), a
 *       detached request's ({@link DetachedRequest}). Only the loggers' and a detached request's
 *       (the watchdog reading its time-out) are taken with the pool lock held.
 * </ol>
 */
final class Pool {

    private static final System.Logger LOG = System.getLogger(Pool.class.getName());

    private final String name;
    private final PoolHost host;
    private final PoolStats stats;
    private final List<App> apps = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final RapidFailProtection rapidFail;
    private final RequestRunner runner;
    private final Workers workers;
    private final Watchdog watchdog;
    private final PoolSnapshots snapshots;
    private volatile PoolSettings settings;
    /** Guarded by {@link #lock}. */
    private PoolState state = PoolState.RUNNING;
    /** Set when the idle time-out released the instances (and for an OnDemand pool not yet asked for): idle workers end. Guarded by {@link #lock}. */
    private boolean released;
    /**
     * Requests a transport thread found the pool lock taken for. It does not wait for the lock: a
     * holder the scheduler has set aside (a worker between two requests, the watchdog, a status
     * snapshot) held up every connection of that event loop, other apps' too, for as long as it was
     * set aside (up to 22 ms under JFR behind nginx; docs/benchmarks.md). It leaves the request here
     * instead, and a thread of the host's admission executor admits it, unless the next transport
     * thread to take the lock does so first. The order is kept among the requests handed over, not
     * against those admitted at once.
     */
    private final Queue<Handover> handedOver = new ConcurrentLinkedQueue<>();
    /** Whether an admission of {@link #handedOver} is on its way; reset under the lock before it takes them. */
    private final AtomicBoolean admissionDue = new AtomicBoolean();

    private record Handover(App app, Exchange exchange) {
    }

    /** A request refused at admission, answered 503 once the lock is let go. */
    private record Refusal(Exchange exchange, String why, int retryAfterSeconds) {
    }

    Pool(String name, PoolSettings settings, PoolHost host) {
        this.name = name;
        this.settings = settings;
        this.host = host;
        LongSupplier clock = host.clock();
        this.stats = new PoolStats(clock);
        this.rapidFail = new RapidFailProtection(clock);
        this.runner = new RequestRunner(name, host, this::settings, stats, new RequestRunner.Outcomes() {
            @Override
            public void failed(String what, Throwable cause) {
                failure(what, cause);
            }

            @Override
            public void recycleDue(String why) {
                watchdog.recycleDue(why);
            }
        });
        this.workers = new Workers(name, lock, clock, this::settings, stats, new Workers.Gate() {
            @Override
            public boolean open() {
                return state == PoolState.RUNNING;
            }

            @Override
            public boolean retiring() {
                return released || state == PoolState.STOPPED || state == PoolState.DISABLED;
            }
        }, runner);
        this.watchdog = new Watchdog(this, lock, workers, stats, clock);
        this.snapshots = new PoolSnapshots(name, apps, workers, stats, runner, lock, clock);
        // An OnDemand pool holds nothing until its first request: dormant, like one past its idle time-out.
        this.released = settings.startMode() == PoolSettings.StartMode.ON_DEMAND;
    }

    String name() {
        return name;
    }

    PoolHost host() {
        return host;
    }

    PoolSettings settings() {
        return settings;
    }

    Watchdog watchdog() {
        return watchdog;
    }

    List<App> apps() {
        return List.copyOf(apps);
    }

    /** Whether any of its apps holds a session. */
    boolean hasSessions() {
        for (App app : apps) {
            if (app.sessions().size() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Drops each app's sessions unused past their time-out (the watchdog's tick; no copy of the list). */
    void expireSessions() {
        for (App app : apps) {
            app.expireSessions();
        }
    }

    boolean isEmpty() {
        return apps.isEmpty();
    }

    void addApp(App app) {
        apps.add(app);
        app.pool(this);
        app.sessionSettings(settings);
        watchdog.wake();
        if (alwaysRunning()) {
            activateLater(app);
        }
    }

    /** Removes an app (its bundle was uninstalled): its waiting requests are answered 503. */
    void removeApp(App app) {
        apps.remove(app);
        if (app.pool() == this) {
            app.pool(null);
        }
        List<Work> dropped = locked(() -> workers.removeQueued(work -> work.app == app));
        dropped.forEach(work -> reject(work.exchange, "app " + app.name() + " was undeployed", 0));
        abandonDetached(app, "app " + app.name() + " was undeployed");
        app.release();
    }

    void updateSettings(PoolSettings newSettings) {
        runner.settingsChanged(newSettings);
        this.settings = newSettings;
        apps.forEach(app -> app.sessionSettings(newSettings));
        watchdog.wake();
        locked(() -> {
            workers.signalAll();
            workers.dispatch();
        });
    }

    // ---- requests: called on transport threads, never blocks ------------------------------------

    /**
     * Takes a request for {@code app}: queued, or answered 503 if the pool cannot take it. When the
     * pool lock is taken, the request is handed over ({@link #handedOver}) and this returns at once.
     */
    void submit(App app, Exchange exchange) {
        if (!lock.tryLock()) {
            handedOver.add(new Handover(app, exchange));
            if (admissionDue.compareAndSet(false, true)) {
                try {
                    host.admission().execute(this::admitHandedOver);
                } catch (RejectedExecutionException e) {
                    admitHandedOver(); // no thread to spare: wait for the lock here, as before
                }
            }
            return;
        }
        List<Refusal> refused = List.of();
        Refusal refusal;
        try {
            if (!handedOver.isEmpty()) {
                refused = takeHandedOver(); // they came first
            }
            refusal = admit(app, exchange);
        } finally {
            lock.unlock();
        }
        refused.forEach(this::reject);
        if (refusal != null) {
            reject(refusal);
        }
    }

    /** Admits the requests handed over while the lock was taken; on the admission executor. */
    private void admitHandedOver() {
        List<Refusal> refused;
        lock.lock();
        try {
            refused = takeHandedOver();
        } finally {
            lock.unlock();
        }
        refused.forEach(this::reject);
    }

    /** Admits every request handed over; returns those refused. Lock held. */
    private List<Refusal> takeHandedOver() {
        // Reset first: a request handed over after this either is taken below or schedules another admission.
        admissionDue.set(false);
        List<Refusal> refused = new ArrayList<>(0);
        Handover next;
        while ((next = handedOver.poll()) != null) {
            Refusal refusal = admit(next.app, next.exchange);
            if (refusal != null) {
                refused.add(refusal);
            }
        }
        return refused;
    }

    /** Queues a request, or says why not. Lock held. */
    private Refusal admit(App app, Exchange exchange) {
        if (state == PoolState.STOPPED) {
            return new Refusal(exchange, "pool " + name + " is stopped", 30);
        } else if (state == PoolState.DISABLED) {
            return new Refusal(exchange, "pool " + name + " is disabled by rapid-fail protection", 60);
        } else if (workers.queueLength() >= settings.queueLength()) {
            return new Refusal(exchange, "pool " + name + " has " + workers.queueLength() + " requests waiting (queueLength)", 1);
        }
        released = false;
        watchdog.wake();
        workers.enqueue(app, exchange);
        return null;
    }

    private void reject(Refusal refusal) {
        reject(refusal.exchange, refusal.why, refusal.retryAfterSeconds);
    }

    /** Answers 503 without running the request, with Retry-After when {@code retryAfterSeconds} is above 0. */
    void reject(Exchange exchange, String why, int retryAfterSeconds) {
        stats.rejected.increment();
        exchange.answerError(503, null, retryAfterSeconds);
        LOG.log(Level.DEBUG, () -> "503 for " + exchange.describe() + ": " + why);
    }

    // ---- the state machine --------------------------------------------------------------------

    PoolState state() {
        return locked(() -> state);
    }

    /** Whether the instances are released (idle, or not yet asked for). Lock held. */
    boolean released() {
        return released;
    }

    /** The idle time-out passed: idle workers end. Lock held. */
    void markReleased() {
        released = true;
        workers.signalAll();
    }

    /**
     * Moves to {@code next}; a pool that stops taking requests gives up the waiting ones, returned
     * for the caller to answer 503 once the lock is let go. Lock held.
     */
    private List<Work> enter(PoolState next) {
        state = next;
        watchdog.wake();
        workers.signalAll();
        if (next == PoolState.RUNNING) {
            rapidFail.reset();
            released = false;
            watchdog.restarted();
            workers.dispatch();
        }
        return next == PoolState.STOPPED || next == PoolState.DISABLED ? workers.removeQueued(work -> true) : List.of();
    }

    /** Answers 503 to requests the pool gave up as it was stopped or disabled. */
    private void rejectAll(List<Work> dropped, String how, int retryAfterSeconds) {
        dropped.forEach(work -> reject(work.exchange, "pool " + name + " was " + how, retryAfterSeconds));
    }

    void start() {
        locked(() -> enter(PoolState.RUNNING));
        if (alwaysRunning()) {
            apps.forEach(this::activateLater);
        }
    }

    void stop() {
        rejectAll(locked(() -> enter(PoolState.STOPPED)), "stopped", 30);
        drain("stopped");
        apps.forEach(App::release);
    }

    void restart() {
        locked(() -> enter(PoolState.STARTING));
        drain("restarted");
        apps.forEach(App::release);
        stats.restarts.increment();
        start();
    }

    /**
     * Drains, updates the app bundles (fresh class loaders), and serves the waiting requests with
     * the new code. Requests arriving meanwhile wait in the queue.
     */
    void recycle() {
        boolean started = locked(() -> {
            if (state == PoolState.DRAINING || state == PoolState.SWAPPING) {
                return false;
            }
            enter(PoolState.DRAINING);
            return true;
        });
        if (!started) {
            return;
        }
        if (!drain("recycled")) {
            LOG.log(Level.WARNING, () -> "pool " + name + ": requests still running after " + settings.drainTimeLimit().toMillis()
                    + " ms (drainTimeLimit); updating anyway");
        }
        locked(() -> enter(PoolState.SWAPPING));
        apps.forEach(App::release);
        try {
            host.updateBundles(apps());
            stats.recycles.increment();
        } catch (Exception e) {
            failure("recycling failed: " + e, e);
        } finally {
            swapped();
        }
    }

    /**
     * Waits up to {@code drainTimeLimit} for the requests in flight, running or detached; detached
     * ones still waiting then are aborted. Returns whether all ended in time.
     */
    private boolean drain(String how) {
        if (workers.awaitIdle(settings.drainTimeLimit().toNanos())) {
            return true;
        }
        abandonDetached(null, "pool " + name + " is being " + how + " and " + settings.drainTimeLimit().toMillis()
                + " ms (drainTimeLimit) have passed");
        return false;
    }

    /** Aborts the detached requests of {@code app} (null: of every app), on this thread. */
    void abandonDetached(App app, String why) {
        List<Work> left = locked(workers::detached);
        for (Work work : left) {
            if (app == null || work.app == app) {
                work.detached.abandon(why);
            }
        }
    }

    /** The bundles are updated (or failed to be): back to Running unless something else happened meanwhile. */
    private void swapped() {
        locked(() -> {
            if (state == PoolState.SWAPPING) {
                state = PoolState.RUNNING;
            }
            watchdog.restarted();
            workers.dispatch();
            workers.signalAll();
        });
    }

    /** Runs a recycle on the lifecycle executor (the watchdog found one due). */
    void recycleLater() {
        host.lifecycle().execute(this::recycle);
    }

    /** Counts a failure for rapid-fail protection; too many too fast disable the pool. */
    private void failure(String what, Throwable cause) {
        stats.failures.increment();
        LOG.log(Level.ERROR, "pool " + name + ": " + what, cause);
        PoolSettings current = settings;
        List<Work> dropped = locked(() -> {
            if (!rapidFail.failed(current) || state == PoolState.DISABLED) {
                return List.<Work>of();
            }
            LOG.log(Level.ERROR, "pool " + name + " DISABLED by rapid-fail protection: " + rapidFail.recentFailures()
                    + " failures within " + current.rapidFailInterval().toSeconds() + " s (rapidFailMaxFailures); it answers 503"
                    + " until started again (fastpool:start " + name + ")");
            return enter(PoolState.DISABLED);
        });
        rejectAll(dropped, "disabled", 60);
    }

    /** The service of an app came (back): waiting requests for it may run. */
    void appAvailable(App app) {
        locked(workers::dispatch);
        if (alwaysRunning() && state() == PoolState.RUNNING) {
            activateLater(app);
        }
    }

    private boolean alwaysRunning() {
        return settings.startMode() == PoolSettings.StartMode.ALWAYS_RUNNING;
    }

    /** AlwaysRunning: activates {@code app} on the lifecycle executor, not waiting for a request. */
    private void activateLater(App app) {
        if (app.available()) {
            host.lifecycle().execute(() -> activate(app));
        }
    }

    private void activate(App app) {
        try {
            if (!app.active()) {
                app.acquire();
                stats.activations.increment();
            }
        } catch (App.UnavailableException e) {
            // Its service went away again: it is activated when it comes back.
        } catch (App.ActivationException e) {
            failure("app " + app.name() + " could not be activated: " + e.getMessage(), e);
        }
    }

    /** Stops for good: the manager is going away. */
    void shutdown() {
        stop();
        locked(workers::interruptAll);
    }

    // ---- the watchdog and views ---------------------------------------------------------------

    /** Called every few hundred milliseconds by the manager: see {@link Watchdog#check}. */
    void check() {
        watchdog.check();
    }

    /** Whether the manager's rounds may skip it: dormant, with no session (see {@link Watchdog#asleep}). */
    boolean asleep() {
        return watchdog.asleep();
    }

    /** Worker threads alive now. */
    int threads() {
        return locked(workers::threadCount);
    }

    PoolSnapshot snapshot() {
        return snapshots.take(() -> state, settings);
    }

    /** The pool lock, for tests that hold it while a transport thread submits. */
    ReentrantLock lock() {
        return lock;
    }

    private <T> T locked(Supplier<T> decision) {
        lock.lock();
        try {
            return decision.get();
        } finally {
            lock.unlock();
        }
    }

    private void locked(Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            lock.unlock();
        }
    }
}
