package io.fastpool.pool.internal;

import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import io.fastpool.api.spi.Exchange;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One application pool: a bounded queue and worker threads of its own, running the requests of its
 * apps with the app bundle's class loader as context class loader.
 *
 * <p>Threads are started as requests arrive, up to {@code maxThreads}, and end after
 * {@link #WORKER_KEEP_ALIVE_NANOS} without work (down to {@code minThreads}); at the idle time-out
 * all of them end and the app instances are released, so an idle pool holds no thread. Requests
 * wait in the queue while the pool is starting, draining or swapping, or while an app's service is
 * away during its bundle's update; a request for an app that does not come back within
 * {@code startupTimeLimit} is answered 503. A full queue, a stopped pool and a disabled one answer
 * 503 with Retry-After at once, on the transport thread, without blocking.
 *
 * <p>All state is guarded by one lock; nothing slow (running a request, writing a response) happens
 * while holding it.
 */
final class Pool {

    private static final System.Logger LOG = System.getLogger(Pool.class.getName());
    /** An idle worker above minThreads ends after this long. */
    static final long WORKER_KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** A timed-out thread that has not stopped this long after its interrupt is orphaned. */
    static final long DEFAULT_ORPHAN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** What the pool asks of its manager: bundle updates and answers off its own threads. */
    interface Host {
        /** Updates the bundles of these apps from their locations (a fresh class loader); blocking. */
        void updateBundles(List<App> apps) throws Exception;

        /** Runs short answering tasks (503, 504) off the transport's and the pool's threads. */
        Executor responder();

        /**
         * Runs what blocks (activating an app, recycling), apart from the answers, so the watchdog
         * and the 503s and 504s never wait for it. Hosts that run everything at once (tests,
         * benchmarks) may share the responder.
         */
        default Executor lifecycle() {
            return responder();
        }

        /** The writer access log lines go to; null when there is none (then no access log is kept). */
        default AccessLogWriter accessLogWriter() {
            return null;
        }

        /**
         * The clock every time-out, idle time and duration is read from, in nanoseconds; tests give a
         * clock they move, instead of sleeping past real time-outs.
         */
        default LongSupplier clock() {
            return System::nanoTime;
        }

        /** A file named in the settings, such as {@code accessLog}: relative paths resolve against the server's folder. */
        default Path resolve(String file) {
            return Path.of(file);
        }
    }

    private final String name;
    private final Host host;
    private final PoolStats stats = new PoolStats();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Work> queue = new ArrayDeque<>();
    private final Map<Thread, Work> running = new HashMap<>();
    private final Set<Thread> workers = new HashSet<>();
    private final List<App> apps = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Long> failureTimes = new ArrayDeque<>();
    private final AtomicInteger threadNumber = new AtomicInteger();
    private volatile PoolSettings settings;
    private volatile long orphanGraceNanos = DEFAULT_ORPHAN_GRACE_NANOS;
    private PoolState state = PoolState.RUNNING;
    /** How long a worker sending the end of an answer still counts as coming back at once. */
    static final long FINISHING_GRACE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);
    /** Requests this pool has run, numbered: recycleAfterRequests counts them exactly. */
    private final java.util.concurrent.atomic.AtomicLong requestNumber = new java.util.concurrent.atomic.AtomicLong();
    /** How many recycles were asked for, for tests. */
    final java.util.concurrent.atomic.AtomicInteger recycleRequests = new java.util.concurrent.atomic.AtomicInteger();
    private int idleWorkers;
    private final LongSupplier clock;
    private long lastActivityNanos;
    private long startedNanos;
    /** Set when the idle time-out or a stop released the instances: idle workers end. */
    private boolean released;
    /** Set when a recycle is due (rapid requests count, age, an orphan): the manager runs it. */
    private boolean recycleDue;

    /** The access log, or null when the settings name none. */
    private volatile AccessLogWriter.Log accessLog;
    /** Lines dropped by access logs this pool had before a settings change. */
    private long earlierAccessLogDrops;

    Pool(String name, PoolSettings settings, Host host) {
        this.name = name;
        this.settings = settings;
        this.host = host;
        this.clock = host.clock();
        this.lastActivityNanos = clock.getAsLong();
        this.startedNanos = lastActivityNanos;
        this.accessLog = accessLogFor(settings, null);
        // An OnDemand pool holds nothing until its first request: dormant, like one past its idle time-out.
        this.released = settings.startMode() == PoolSettings.StartMode.ON_DEMAND;
    }

    /** The access log {@code settings} ask for: {@code current} when nothing changed. */
    private AccessLogWriter.Log accessLogFor(PoolSettings settings, AccessLogWriter.Log current) {
        AccessLogWriter writer = host.accessLogWriter();
        if (settings.accessLog().isEmpty() || writer == null) {
            return null;
        }
        Path file = host.resolve(settings.accessLog());
        if (current != null && current.file().equals(file) && current.format().toString().equals(settings.accessFormat())) {
            return current;
        }
        return writer.open(file, AccessLogFormat.compile(settings.accessFormat()));
    }

    String name() {
        return name;
    }

    /** Shortens the wait before a timed-out thread is orphaned (tests). */
    void orphanGrace(long nanos) {
        this.orphanGraceNanos = nanos;
    }

    PoolSettings settings() {
        return settings;
    }

    PoolStats stats() {
        return stats;
    }

    List<App> apps() {
        return List.copyOf(apps);
    }

    void addApp(App app) {
        apps.add(app);
        app.pool(this);
        app.sessions().configure(settings.maxSessions(), settings.sessionTimeout().toMillis());
        if (settings.startMode() == PoolSettings.StartMode.ALWAYS_RUNNING && app.available()) {
            host.lifecycle().execute(() -> activate(app));
        }
    }

    /** Removes an app (its bundle was uninstalled): its waiting requests are answered 503. */
    void removeApp(App app) {
        apps.remove(app);
        if (app.pool() == this) {
            app.pool(null);
        }
        List<Work> dropped = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<Work> it = queue.iterator(); it.hasNext(); ) {
                Work work = it.next();
                if (work.app == app) {
                    it.remove();
                    dropped.add(work);
                }
            }
        } finally {
            lock.unlock();
        }
        dropped.forEach(work -> reject(work.exchange, "app " + app.name() + " was undeployed", 0));
        app.release();
    }

    boolean isEmpty() {
        return apps.isEmpty();
    }

    void updateSettings(PoolSettings newSettings) {
        AccessLogWriter.Log before = accessLog;
        AccessLogWriter.Log after = accessLogFor(newSettings, before);
        if (before != null && after != before) {
            synchronized (this) {
                earlierAccessLogDrops += before.dropped();
            }
        }
        this.accessLog = after;
        this.settings = newSettings;
        apps.forEach(app -> app.sessions().configure(newSettings.maxSessions(), newSettings.sessionTimeout().toMillis()));
        lock.lock();
        try {
            changed.signalAll();
            dispatch();
        } finally {
            lock.unlock();
        }
    }

    // ---- requests: called on transport threads, never blocks ------------------------------------

    /** Takes a request for {@code app}: queued, or answered 503 at once if the pool cannot take it. */
    void submit(App app, Exchange exchange) {
        String refusal = null;
        int retryAfter = 1;
        lock.lock();
        try {
            if (state == PoolState.STOPPED) {
                refusal = "pool " + name + " is stopped";
                retryAfter = 30;
            } else if (state == PoolState.DISABLED) {
                refusal = "pool " + name + " is disabled by rapid-fail protection";
                retryAfter = 60;
            } else if (queue.size() >= settings.queueLength()) {
                refusal = "pool " + name + " has " + queue.size() + " requests waiting (queueLength)";
            } else {
                queue.add(new Work(this, app, exchange, clock.getAsLong()));
                stats.queued(queue.size());
                lastActivityNanos = clock.getAsLong();
                released = false;
                dispatch();
            }
        } finally {
            lock.unlock();
        }
        if (refusal != null) {
            reject(exchange, refusal, retryAfter);
        }
    }

    /** Wakes or starts a worker if a request can run. Lock held. */
    private void dispatch() {
        if (state != PoolState.RUNNING || firstRunnable() == null) {
            return;
        }
        if (idleWorkers > 0) {
            changed.signal();
        } else if (!anyFinishing() && workers.size() < settings.maxThreads()) {
            startWorker();
        }
    }

    /**
     * Whether a worker has answered its request and is on its way back for the next: a client that
     * sends its next request as soon as it has the answer then finds it, instead of a new thread.
     */
    private boolean anyFinishing() {
        long now = clock.getAsLong();
        for (Work work : running.values()) {
            long since = work.finishingSinceNanos;
            // A worker still finishing after the grace is stuck writing (a connection that takes
            // nothing): it is busy, and the queue must not wait for it.
            if (since != 0 && now - since < FINISHING_GRACE_NANOS) {
                return true;
            }
        }
        return false;
    }

    private Work firstRunnable() {
        for (Work work : queue) {
            if (work.app.available()) {
                return work;
            }
        }
        return null;
    }

    private void startWorker() {
        Thread thread = new Thread(this::work, "fastpool-pool-" + name + "-" + threadNumber.incrementAndGet());
        thread.setDaemon(true);
        workers.add(thread);
        thread.start();
    }

    // ---- workers ------------------------------------------------------------------------------

    private void work() {
        try {
            workLoop();
        } finally {
            // What this thread cost, kept once it ends; live workers are read in costs().
            stats.cpuNanos.add(ThreadCost.cpuNanos());
            stats.allocatedBytes.add(ThreadCost.allocatedBytes());
        }
    }

    /**
     * Takes requests until the worker retires. The lock is held from the end of one request to the
     * wait for the next, so a worker that has answered is always seen as finishing or as idle: a
     * request that arrives in between never starts a thread of its own.
     */
    private void workLoop() {
        Thread me = Thread.currentThread();
        lock.lock();
        try {
            while (true) {
                Work work;
                long idleSince = clock.getAsLong();
                while ((work = takeRunnable()) == null) {
                    if (!workers.contains(me) || shouldRetire(idleSince)) {
                        workers.remove(me);
                        return;
                    }
                    idleWorkers++;
                    try {
                        changed.await(1, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        // An interrupt meant for a request that already ended: go on waiting.
                    } finally {
                        idleWorkers--;
                    }
                }
                work.thread = me;
                work.startedNanos = clock.getAsLong();
                running.put(me, work);
                // More is waiting and nobody idle: grow now rather than after this request.
                if (idleWorkers == 0 && workers.size() < settings.maxThreads() && firstRunnable() != null) {
                    startWorker();
                }
                lock.unlock();
                try {
                    run(work);
                } finally {
                    lock.lock();
                }
                running.remove(me);
                lastActivityNanos = clock.getAsLong();
                changed.signalAll();
                if (!workers.contains(me)) {
                    return; // orphaned while it ran, and already replaced
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private Work takeRunnable() {
        if (state != PoolState.RUNNING) {
            return null;
        }
        for (Iterator<Work> it = queue.iterator(); it.hasNext(); ) {
            Work work = it.next();
            if (work.app.available()) {
                it.remove();
                return work;
            }
        }
        return null;
    }

    private boolean shouldRetire(long idleSince) {
        if (released || state == PoolState.STOPPED || state == PoolState.DISABLED) {
            return true;
        }
        return workers.size() > settings.minThreads() && clock.getAsLong() - idleSince > WORKER_KEEP_ALIVE_NANOS;
    }

    private void run(Work work) {
        Exchange exchange = work.exchange;
        Response response = exchange.response();
        if (exchange.isCancelled()) {
            exchange.complete();
            return;
        }
        WebApp instance;
        try {
            boolean wasActive = work.app.active();
            instance = work.app.acquire();
            if (!wasActive) {
                stats.activations.increment();
            }
        } catch (App.UnavailableException e) {
            requeue(work);
            return;
        } catch (App.ActivationException e) {
            failure("app " + work.app.name() + " could not be activated: " + e.getMessage(), e);
            answer(response, 503, "The application could not be started.");
            stats.rejected.increment();
            exchange.complete();
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        boolean measure = settings.statistics();
        // The pool's CPU and allocation figures come from its threads' totals (see costs()); a request's
        // own are measured only for the access log, whose format may print them: two system calls saved.
        AccessLogWriter.Log log = accessLog;
        boolean measureRequest = measure && log != null;
        long cpu = measureRequest ? ThreadCost.cpuNanos() : 0;
        long allocated = measureRequest ? ThreadCost.allocatedBytes() : 0;
        if (measure) {
            stats.queueWait(work.startedNanos - work.enqueuedNanos);
        }
        exchange.onCancel(work); // interrupts its worker, see Work.run
        try {
            thread.setContextClassLoader(work.app.classLoader());
            instance.handle(new PooledRequest(exchange.request(), response, work.app.sessions()), response);
        } catch (Exception e) {
            if (!work.timedOut && !exchange.isCancelled()) {
                LOG.log(Level.ERROR, "app " + work.app.name() + " failed on " + exchange.describe(), e);
                answer(response, 500, null);
            }
        } catch (Error e) {
            failure("app " + work.app.name() + " threw " + e + " on " + exchange.describe(), e);
            answer(response, 500, null);
        } finally {
            thread.setContextClassLoader(saved);
            Thread.interrupted();
            if (work.timedOut) {
                // The watchdog's 504 may not have gone out yet: completing first would send an empty 200.
                answer(response, 504, "The application took too long to answer.");
            }
            // Count before completing: whoever sees the response may read the figures next.
            if (response.status() >= 500) {
                stats.serverErrors.increment();
            }
            stats.served.increment();
            long duration = clock.getAsLong() - work.startedNanos;
            long cpuUsed = 0;
            long allocatedHere = 0;
            if (measure) {
                stats.latency(duration);
            }
            if (measureRequest) {
                cpuUsed = ThreadCost.cpuNanos() - cpu;
                allocatedHere = ThreadCost.allocatedBytes() - allocated;
            }
            // From here this worker is as good as idle (dispatch() need not start another), unless
            // completing blocks: a response whose connection takes nothing more waits to be written.
            work.finishingSinceNanos = clock.getAsLong() | 1;
            exchange.complete();
            if (log != null) {
                log.log(new AccessLogFormat.Entry(exchange.request(), response.status(), duration, cpuUsed, allocatedHere, name,
                        work.app.name(), System.currentTimeMillis()));
            }
            // Each request gets its own number, so exactly one sees each multiple (a LongAdder's sum,
            // read while others add, could step over it and the recycle never come).
            long limit = settings.recycleAfterRequests();
            long number = requestNumber.incrementAndGet();
            if (limit > 0 && number % limit == 0) {
                requestRecycle("after " + limit + " requests (recycleAfterRequests)");
            }
        }
    }

    /** Puts a request whose app went away while it was being taken back at the head of the queue. */
    private void requeue(Work work) {
        lock.lock();
        try {
            running.remove(work.thread);
            queue.addFirst(work);
        } finally {
            lock.unlock();
        }
    }

    private void interruptIfRunning(Work work) {
        lock.lock();
        try {
            if (running.get(work.thread) == work) {
                work.thread.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    private static void answer(Response response, int status, String message) {
        try {
            if (!response.isCommitted()) {
                response.sendError(status, message);
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone, or the response went out meanwhile: nothing more to say.
        }
    }

    private void reject(Exchange exchange, String why, int retryAfterSeconds) {
        stats.rejected.increment();
        Response response = exchange.response();
        try {
            if (retryAfterSeconds > 0) {
                response.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
            }
            response.sendError(503, null);
        } catch (IOException | IllegalStateException e) {
            // nothing more to say
        }
        exchange.complete();
        LOG.log(Level.DEBUG, () -> "503 for " + exchange.describe() + ": " + why);
    }

    // ---- the watchdog: called every few hundred milliseconds by the manager ---------------------

    /** Time-outs, orphans, requests waiting too long for their app, the idle time-out. */
    void check() {
        PoolSettings current = settings;
        long now = clock.getAsLong();
        lock.lock();
        try {
            if (released && running.isEmpty() && queue.isEmpty() && current.recycleAfterTime().isZero()) {
                return; // dormant: nothing can time out, expire or be released (2,000 idle pools cost next to nothing)
            }
        } finally {
            lock.unlock();
        }
        List<Work> timedOut = new ArrayList<>();
        List<Work> expired = new ArrayList<>();
        List<Work> slow = new ArrayList<>();
        boolean release = false;
        lock.lock();
        try {
            long timeout = current.requestTimeout().toNanos();
            long slowAfter = current.slowRequestTimeout().toNanos();
            for (Map.Entry<Thread, Work> entry : new ArrayList<>(running.entrySet())) {
                Work work = entry.getValue();
                long elapsed = now - work.startedNanos;
                if (slowAfter > 0 && !work.slowLogged && elapsed > slowAfter) {
                    work.slowLogged = true;
                    stats.slowRequests.increment();
                    slow.add(work);
                }
                if (timeout > 0 && !work.timedOut && elapsed > timeout) {
                    work.timedOut = true;
                    stats.timeouts.increment();
                    entry.getKey().interrupt();
                    timedOut.add(work);
                } else if (work.timedOut && !work.orphaned && elapsed > timeout + orphanGraceNanos) {
                    work.orphaned = true;
                    stats.orphans.increment();
                    workers.remove(entry.getKey());
                    running.remove(entry.getKey());
                    LOG.log(Level.ERROR, "pool " + name + ": thread " + entry.getKey().getName() + " running "
                            + work.exchange.describe() + " did not stop " + (elapsed / 1_000_000) + " ms after its time-out;"
                            + " orphaned it and will recycle the pool");
                    recycleDue = true;
                    dispatch();
                }
            }
            long startupLimit = current.startupTimeLimit().toNanos() + (state == PoolState.DRAINING ? current.drainTimeLimit().toNanos() : 0);
            for (Iterator<Work> it = queue.iterator(); it.hasNext(); ) {
                Work work = it.next();
                boolean waitingForApp = state != PoolState.RUNNING || !work.app.available();
                if (waitingForApp && now - work.enqueuedNanos > startupLimit) {
                    it.remove();
                    expired.add(work);
                }
            }
            long idle = current.idleTimeout().toNanos();
            if (idle > 0 && !released && state == PoolState.RUNNING && running.isEmpty() && queue.isEmpty()
                    && now - lastActivityNanos > idle) {
                released = true;
                release = true;
                changed.signalAll();
            }
            // Requests queued behind a worker stuck finishing get a thread now, not at the next submission.
            dispatch();
            long maxAge = current.recycleAfterTime().toNanos();
            if (maxAge > 0 && now - startedNanos > maxAge && state == PoolState.RUNNING) {
                startedNanos = now;
                recycleDue = true;
            }
        } finally {
            lock.unlock();
        }
        for (Work work : slow) {
            logSlow(work, current);
        }
        for (Work work : timedOut) {
            host.responder().execute(() -> {
                answer(work.exchange.response(), 504, "The application took too long to answer.");
                work.exchange.complete();
            });
            LOG.log(Level.WARNING, () -> "pool " + name + ": " + work.exchange.describe() + " ran longer than "
                    + current.requestTimeout().toMillis() + " ms (requestTimeout); interrupted");
        }
        for (Work work : expired) {
            reject(work.exchange, "app " + work.app.name() + " did not come back within "
                    + current.startupTimeLimit().toMillis() + " ms (startupTimeLimit)", 5);
        }
        if (release) {
            LOG.log(Level.INFO, () -> "pool " + name + ": idle for " + current.idleTimeout().toSeconds()
                    + " s (idleTimeout); releasing its app instances and threads");
            apps.forEach(App::release);
        }
        if (takeRecycleDue()) {
            host.lifecycle().execute(this::recycle);
        }
    }

    private void requestRecycle(String why) {
        recycleRequests.incrementAndGet();
        lock.lock();
        try {
            recycleDue = true;
        } finally {
            lock.unlock();
        }
        LOG.log(Level.INFO, () -> "pool " + name + ": recycling " + why);
    }

    private boolean takeRecycleDue() {
        lock.lock();
        try {
            boolean due = recycleDue && state == PoolState.RUNNING;
            if (due) {
                recycleDue = false;
            }
            return due;
        } finally {
            lock.unlock();
        }
    }

    // ---- failures -----------------------------------------------------------------------------

    private void failure(String what, Throwable cause) {
        stats.failures.increment();
        LOG.log(Level.ERROR, "pool " + name + ": " + what, cause);
        PoolSettings current = settings;
        List<Work> dropped = new ArrayList<>();
        lock.lock();
        try {
            long now = clock.getAsLong();
            failureTimes.add(now);
            while (!failureTimes.isEmpty() && now - failureTimes.peek() > current.rapidFailInterval().toNanos()) {
                failureTimes.poll();
            }
            if (current.rapidFailMaxFailures() > 0 && failureTimes.size() >= current.rapidFailMaxFailures()
                    && state != PoolState.DISABLED) {
                state = PoolState.DISABLED;
                dropped.addAll(queue);
                queue.clear();
                changed.signalAll();
                LOG.log(Level.ERROR, "pool " + name + " DISABLED by rapid-fail protection: " + failureTimes.size()
                        + " failures within " + current.rapidFailInterval().toSeconds() + " s (rapidFailMaxFailures); it answers 503"
                        + " until started again (fastpool:start " + name + ")");
            }
        } finally {
            lock.unlock();
        }
        dropped.forEach(work -> reject(work.exchange, "pool " + name + " was disabled", 60));
    }

    // ---- operations ---------------------------------------------------------------------------

    PoolState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    void start() {
        lock.lock();
        try {
            state = PoolState.RUNNING;
            failureTimes.clear();
            released = false;
            startedNanos = clock.getAsLong();
            dispatch();
        } finally {
            lock.unlock();
        }
        if (settings.startMode() == PoolSettings.StartMode.ALWAYS_RUNNING) {
            apps.forEach(app -> host.lifecycle().execute(() -> activate(app)));
        }
    }

    void stop() {
        List<Work> dropped;
        lock.lock();
        try {
            state = PoolState.STOPPED;
            dropped = new ArrayList<>(queue);
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        dropped.forEach(work -> reject(work.exchange, "pool " + name + " was stopped", 30));
        awaitIdle(settings.drainTimeLimit().toNanos());
        apps.forEach(App::release);
    }

    void restart() {
        lock.lock();
        try {
            state = PoolState.STARTING;
        } finally {
            lock.unlock();
        }
        awaitIdle(settings.drainTimeLimit().toNanos());
        apps.forEach(App::release);
        stats.restarts.increment();
        start();
    }

    /**
     * Drains, updates the app bundles (fresh class loaders), and serves the waiting requests with
     * the new code. Requests arriving meanwhile wait in the queue.
     */
    void recycle() {
        lock.lock();
        try {
            if (state == PoolState.DRAINING || state == PoolState.SWAPPING) {
                return;
            }
            state = PoolState.DRAINING;
        } finally {
            lock.unlock();
        }
        boolean drained = awaitIdle(settings.drainTimeLimit().toNanos());
        if (!drained) {
            LOG.log(Level.WARNING, () -> "pool " + name + ": requests still running after " + settings.drainTimeLimit().toMillis()
                    + " ms (drainTimeLimit); updating anyway");
        }
        lock.lock();
        try {
            state = PoolState.SWAPPING;
        } finally {
            lock.unlock();
        }
        apps.forEach(App::release);
        try {
            host.updateBundles(apps());
            stats.recycles.increment();
        } catch (Exception e) {
            failure("recycling failed: " + e, e);
        } finally {
            lock.lock();
            try {
                if (state == PoolState.SWAPPING) {
                    state = PoolState.RUNNING;
                }
                startedNanos = clock.getAsLong();
                dispatch();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The service of an app came (back): waiting requests for it may run. */
    void appAvailable(App app) {
        lock.lock();
        try {
            dispatch();
        } finally {
            lock.unlock();
        }
        if (settings.startMode() == PoolSettings.StartMode.ALWAYS_RUNNING && state() == PoolState.RUNNING) {
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

    /** Waits until no request runs, up to {@code nanos}; returns whether it got there. */
    private boolean awaitIdle(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!running.isEmpty()) {
                if (left <= 0) {
                    return false;
                }
                try {
                    left = changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---- views --------------------------------------------------------------------------------

    /** Worker threads alive now. */
    int threads() {
        lock.lock();
        try {
            return workers.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The counts, with CPU time and allocation as the totals of the pool's threads (ended ones and
     * live ones), read here rather than measured per request. Called with the lock held.
     */
    private PoolSnapshot.Counters counters() {
        long cpu = 0;
        long allocated = 0;
        if (settings.statistics()) {
            cpu = stats.cpuNanos.sum();
            allocated = stats.allocatedBytes.sum();
            for (Thread worker : workers) {
                cpu += ThreadCost.cpuNanos(worker);
                allocated += ThreadCost.allocatedBytes(worker);
            }
        }
        return stats.counters(accessLogDrops(), cpu, allocated);
    }

    private synchronized long accessLogDrops() {
        AccessLogWriter.Log log = accessLog;
        return earlierAccessLogDrops + (log == null ? 0 : log.dropped());
    }

    PoolSnapshot snapshot() {
        lock.lock();
        try {
            long now = clock.getAsLong();
            List<PoolSnapshot.InFlight> inFlight = new ArrayList<>();
            for (Map.Entry<Thread, Work> entry : running.entrySet()) {
                Work work = entry.getValue();
                inFlight.add(new PoolSnapshot.InFlight(work.app.name(), work.exchange.describe(),
                        (now - work.startedNanos) / 1_000_000, entry.getKey().getName()));
            }
            inFlight.sort(Comparator.comparingLong(PoolSnapshot.InFlight::elapsedMillis).reversed());
            return new PoolSnapshot(name, state, settings,
                    apps.stream().map(app -> app.sessions().view(app.name(), app.active())).toList(), workers.size(),
                    running.size(), queue.size(), stats.maxQueued(), counters(), stats.latencyPercentiles(),
                    stats.queueWaitPercentiles(), inFlight);
        } finally {
            lock.unlock();
        }
    }

    /** Stops for good: the manager is going away. */
    void shutdown() {
        stop();
        lock.lock();
        try {
            for (Thread worker : workers) {
                worker.interrupt();
            }
            workers.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
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
        text.append("pool ").append(name).append(": slow request, running ").append(elapsedMillis).append(" ms (slowRequestTimeout ")
                .append(current.slowRequestTimeout().toMillis()).append(" ms): app ").append(work.app.name()).append(", ")
                .append(work.exchange.describe()).append(", thread ").append(thread.getName());
        for (StackTraceElement frame : stack) {
            text.append("\n\tat ").append(frame);
        }
        SLOW.log(Level.WARNING, text.toString());
    }

    /** The logger slow requests' stacks go to. */
    static final String SLOW_LOG = "io.fastpool.slow";
    private static final System.Logger SLOW = System.getLogger(SLOW_LOG);

    /** One request in the pool; run when the request is cancelled, it interrupts the worker running it. */
    private static final class Work implements Runnable {
        final Pool pool;
        final App app;
        final Exchange exchange;
        final long enqueuedNanos;
        Thread thread;
        long startedNanos;
        volatile boolean timedOut;
        /** When the worker began sending the end of the answer (0: not yet): it is about to come back for more. */
        volatile long finishingSinceNanos;
        boolean orphaned;
        boolean slowLogged;

        Work(Pool pool, App app, Exchange exchange, long enqueuedNanos) {
            this.pool = pool;
            this.app = app;
            this.exchange = exchange;
            this.enqueuedNanos = enqueuedNanos;
        }

        @Override
        public void run() {
            pool.interruptIfRunning(this);
        }
    }
}
