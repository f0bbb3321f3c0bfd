package io.fastpool.pool.internal;

import io.fastpool.api.spi.Exchange;
import io.fastpool.pool.PoolSettings;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A pool's bounded queue and its worker threads. Threads are started as requests arrive, up to
 * {@code maxThreads}, and end after {@link #KEEP_ALIVE_NANOS} without work (down to
 * {@code minThreads}), or at once when the pool's {@link Gate} says they retire (released, stopped,
 * disabled): an idle pool holds no thread.
 *
 * <p>Detached requests ({@link DetachedRequest}) hold no thread but are in flight: {@link #awaitIdle}
 * waits for them too, and the pool is not idle while one waits. Their tasks (re-dispatches, time-out
 * and abort actions) have a queue of their own, taken before the requests' and whatever the pool's
 * state: they belong to requests already admitted, which a drain waits for.
 *
 * <p>Everything here is guarded by the pool lock (made by {@link Pool}, passed in); methods whose
 * comment says "lock held" expect the caller to hold it, the others take it. It has two conditions:
 * idle workers wait on {@link #workArrived} for work (woken one at a time, see {@link #waking}), and
 * {@link #awaitIdle} waits on {@link #requestEnded} for the last request to end, so the end of a
 * request wakes no idle worker. A worker holds the lock from the end of one request to the wait for
 * the next, and never while it runs a request.
 */
final class Workers {

    private static final System.Logger LOG = System.getLogger(Workers.class.getName());

    /** An idle worker above minThreads ends after this long. */
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long a worker sending the end of an answer still counts as coming back at once. */
    static final long FINISHING_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** What the workers ask of the pool's state; called with the pool lock held. */
    interface Gate {
        /** Whether queued requests may run now (the pool is Running). */
        boolean open();

        /** Whether idle workers end now (the pool is released, stopped or disabled). */
        boolean retiring();
    }

    private final String poolName;
    private final ReentrantLock lock;
    /** Idle workers wait here: a request or task arrived, or the pool's state changed. */
    private final Condition workArrived;
    /** {@link #awaitIdle} waits here: a request ended, or the pool's state changed. */
    private final Condition requestEnded;
    private final LongSupplier clock;
    private final Supplier<PoolSettings> settings;
    private final PoolStats stats;
    private final Gate gate;
    private final RequestRunner runner;
    private final ArrayDeque<Work> queue = new ArrayDeque<>();
    private final ArrayDeque<Work> tasks = new ArrayDeque<>();
    private final Set<Work> detached = new HashSet<>();
    /** By thread; an identity map, whose put and remove allocate nothing (a HashMap's made a node per request). */
    private final Map<Thread, Work> running = new IdentityHashMap<>();
    private final Set<Thread> threads = new HashSet<>();
    private final AtomicInteger threadNumber = new AtomicInteger();
    private int idleWorkers;
    /**
     * Idle workers signalled that have not yet come out of their wait. While one is on its way, no
     * other is woken: it takes the first request and wakes the next worker if more are queued (a
     * chain), and a worker ending its request meanwhile often takes the rest first. Waking one per
     * request instead woke workers that then found nothing (bench/side-by-side: 0.74 wake-ups of the
     * server's threads per request at 8 connections, 0.66 with the chain).
     */
    private int waking;
    /** How long an idle worker waits before it looks again (to retire, or past a lost wake-up); tests may lengthen it. */
    long idleLookNanos = TimeUnit.SECONDS.toNanos(1);
    /** When a request last arrived or ended: the idle time-out counts from here. */
    private long lastActivityNanos;

    Workers(String poolName, ReentrantLock lock, LongSupplier clock, Supplier<PoolSettings> settings, PoolStats stats,
            Gate gate, RequestRunner runner) {
        this.poolName = poolName;
        this.lock = lock;
        this.workArrived = lock.newCondition();
        this.requestEnded = lock.newCondition();
        this.clock = clock;
        this.settings = settings;
        this.stats = stats;
        this.gate = gate;
        this.runner = runner;
        this.lastActivityNanos = clock.getAsLong();
    }

    // ---- the queue: lock held -----------------------------------------------------------------

    /** Queues a request and wakes or starts a worker for it. Lock held. */
    void enqueue(App app, Exchange exchange) {
        long now = clock.getAsLong();
        queue.add(new Work(this, app, exchange, now));
        stats.queued(queue.size());
        lastActivityNanos = now;
        dispatch();
    }

    /** Queues a detached request's task, taken before any request, and wakes or starts a worker for it. */
    void enqueueTask(Work task) {
        lock.lock();
        try {
            tasks.add(task);
            dispatch();
        } finally {
            lock.unlock();
        }
    }

    /** A handler detached its request: it is in flight until {@link #removeDetached}. */
    void addDetached(Work work) {
        lock.lock();
        try {
            detached.add(work);
        } finally {
            lock.unlock();
        }
    }

    /** A detached request ended: a drain waiting for it may go on. */
    void removeDetached(Work work) {
        lock.lock();
        try {
            if (detached.remove(work)) {
                lastActivityNanos = clock.getAsLong();
                requestEnded.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the queued requests {@code which} selects out of the queue. Lock held. */
    List<Work> removeQueued(Predicate<Work> which) {
        List<Work> removed = new ArrayList<>();
        for (Iterator<Work> it = queue.iterator(); it.hasNext(); ) {
            Work work = it.next();
            if (which.test(work)) {
                it.remove();
                removed.add(work);
            }
        }
        return removed;
    }

    /** Wakes or starts a worker if a request can run. Lock held. */
    void dispatch() {
        if (tasks.isEmpty() && (!gate.open() || firstRunnable() == null)) {
            return;
        }
        if (idleWorkers > 0) {
            wakeOne();
        } else if (!anyFinishing() && threads.size() < settings.get().maxThreads()) {
            startWorker();
        }
    }

    /** Wakes an idle worker unless one is already on its way ({@link #waking}). Lock held. */
    private void wakeOne() {
        if (waking == 0) {
            waking++;
            workArrived.signal();
        }
    }

    /** Wakes every waiting thread: the pool's state changed. Lock held. */
    void signalAll() {
        workArrived.signalAll();
        requestEnded.signalAll();
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

    private Work takeRunnable() {
        if (!tasks.isEmpty()) {
            return tasks.poll();
        }
        if (!gate.open()) {
            return null;
        }
        Work work = firstRunnable();
        if (work != null) {
            queue.remove(work);
        }
        return work;
    }

    private void startWorker() {
        Thread thread = new Thread(this::work, "fastpool-pool-" + poolName + "-" + threadNumber.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    // ---- a worker's life ----------------------------------------------------------------------

    private void work() {
        try {
            workLoop();
        } finally {
            // What this thread cost, kept once it ends; live workers are read in the snapshot.
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
                    if (!threads.contains(me) || shouldRetire(idleSince)) {
                        threads.remove(me);
                        return;
                    }
                    idleWorkers++;
                    try {
                        workArrived.awaitNanos(idleLookNanos);
                    } catch (InterruptedException e) {
                        // An interrupt meant for a request that already ended: go on waiting.
                    } finally {
                        idleWorkers--;
                        if (waking > 0) {
                            waking--; // this one, or one that timed out as it was signalled: either looks now
                        }
                    }
                }
                work.thread = me;
                work.startedNanos = clock.getAsLong();
                running.put(me, work);
                if (!tasks.isEmpty() || firstRunnable() != null) {
                    if (idleWorkers == 0) {
                        // More is waiting and nobody idle: grow now rather than after this request.
                        if (threads.size() < settings.get().maxThreads()) {
                            startWorker();
                        }
                    } else {
                        wakeOne(); // more is waiting: the next idle worker, unless one is on its way
                    }
                }
                boolean ran;
                lock.unlock();
                try {
                    ran = work.task != null ? runner.runTask(work) : runner.run(work);
                } catch (RuntimeException e) {
                    ran = survive(work, e);
                } finally {
                    lock.lock();
                }
                running.remove(me);
                if (!ran) {
                    queue.addFirst(work); // its app went away while it was being taken: first in line for its return
                }
                lastActivityNanos = clock.getAsLong();
                requestEnded.signalAll(); // for awaitIdle only: this worker takes what is queued itself
                if (!threads.contains(me)) {
                    return; // orphaned while it ran, and already replaced
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A failure of the pool's own or the front's while running or ending a request (the app's are
     * caught where it runs): logged, the request ended as well as it can be, and the worker goes on
     * rather than dying while still counted among the pool's threads.
     */
    private boolean survive(Work work, RuntimeException e) {
        LOG.log(Level.ERROR, "pool " + poolName + ": a worker failed on " + work.exchange.describe() + "; it goes on", e);
        try {
            work.exchange.complete();
        } catch (RuntimeException again) {
            LOG.log(Level.DEBUG, () -> "pool " + poolName + ": ending " + work.exchange.describe() + " failed too: " + again);
        }
        return true;
    }

    private boolean shouldRetire(long idleSince) {
        return gate.retiring()
                || threads.size() > settings.get().minThreads() && clock.getAsLong() - idleSince > KEEP_ALIVE_NANOS;
    }

    /** The exchange of {@code work} was cancelled: its worker is interrupted if it still runs it. */
    void interruptIfRunning(Work work) {
        lock.lock();
        try {
            if (running.get(work.thread) == work) {
                work.thread.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@code Request.detach()} of {@code work}, on its handler's thread: see {@link RequestRunner#detach}. */
    DetachedRequest detach(Work work) {
        return runner.detach(work);
    }

    /** Gives up a worker that does not stop: it is no longer counted, and another may take its place. Lock held. */
    void orphan(Work work) {
        threads.remove(work.thread);
        running.remove(work.thread);
        dispatch();
    }

    /** Waits until no request runs or waits detached, up to {@code nanos}; returns whether it got there. */
    boolean awaitIdle(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!running.isEmpty() || !detached.isEmpty()) {
                if (left <= 0) {
                    return false;
                }
                try {
                    left = requestEnded.awaitNanos(left);
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

    /** Interrupts and forgets every worker: the pool is shut down. Lock held. */
    void interruptAll() {
        threads.forEach(Thread::interrupt);
        threads.clear();
        signalAll();
    }

    // ---- views: lock held ---------------------------------------------------------------------

    /** The requests running now; a copy, so the watchdog may orphan while it goes through them. */
    List<Work> running() {
        return new ArrayList<>(running.values());
    }

    int threadCount() {
        return threads.size();
    }

    int busyCount() {
        return running.size();
    }

    int queueLength() {
        return queue.size();
    }

    /** The detached requests; a copy. */
    List<Work> detached() {
        return new ArrayList<>(detached);
    }

    /** Whether nothing runs or waits, detached or queued. */
    boolean idle() {
        return running.isEmpty() && queue.isEmpty() && detached.isEmpty() && tasks.isEmpty();
    }

    String poolName() {
        return poolName;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** The live workers; a copy. */
    List<Thread> threads() {
        return new ArrayList<>(threads);
    }
}
