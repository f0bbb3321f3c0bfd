package io.fastpool.pool.internal;

import io.fastpool.api.spi.Exchange;
import io.fastpool.pool.PoolSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
 * <p>The hand-off. Idle workers stand in a stack, the last one idle on top. A request that can run
 * is handed to the top worker directly ({@link Worker#handed}), which is woken only if it has
 * already parked: it runs the request without taking the lock again. A worker that has answered
 * takes the next runnable request from the queue itself, and only when there is none does it join
 * the stack, spin briefly ({@link #SPINS}) and park on its own. So one request wakes at most one
 * thread, a busy pool wakes none, and workers never wake each other: one condition shared by all
 * idle workers made every unlock and every end of a request wake a worker that then found nothing
 * (issue 18's profile: 0.56 wake-ups and 0.86 parks per request at 8 connections). The top of the
 * stack is the worker most likely still spinning or with its caches warm, and the ones at the
 * bottom are those that end after the keep-alive when the pool needs fewer.
 *
 * <p>Everything here but a worker's {@code handed} and {@code parked} is guarded by the pool lock
 * (made by {@link Pool}, passed in); methods whose comment says "lock held" expect the caller to
 * hold it, the others take it. The lock is held only to decide, never while a request runs or a
 * thread parks; its one condition, {@link #quiet}, is for {@link #awaitIdle} alone.
 */
final class Workers {

    /** An idle worker above minThreads ends after this long. */
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long a worker sending the end of an answer still counts as coming back at once. */
    static final long FINISHING_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How many times an idle worker looks for a hand-off before it parks (see docs/benchmarks.md). */
    static final int SPINS = Integer.getInteger("fastpool.pool.spins", 0);
    /** How long an idle worker parks before it looks again whether it should retire. */
    private static final long PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What the workers ask of the pool's state; called with the pool lock held. */
    interface Gate {
        /** Whether queued requests may run now (the pool is Running). */
        boolean open();

        /** Whether idle workers end now (the pool is released, stopped or disabled). */
        boolean retiring();
    }

    /** One worker thread: what it runs, and the slot it is handed work in while idle. */
    static final class Worker {
        final Thread thread;
        /** Work handed to it in the idle stack, already counted as running; written under the lock, taken by the worker without it. */
        volatile Work handed;
        /** Set by the worker just before it parks: a hand-off then unparks it. */
        volatile boolean parked;
        /** The work it runs now. Lock held. */
        Work current;
        /** Orphaned (given up as stuck) or shut down: it ends as soon as it is back. Lock held. */
        boolean gone;

        Worker(String name, Consumer<Worker> life) {
            this.thread = new Thread(() -> life.accept(this), name);
            thread.setDaemon(true);
        }
    }

    private final String poolName;
    private final ReentrantLock lock;
    /** Signalled when no request is in flight any more, or the pool's state changed: {@link #awaitIdle} waits on it. */
    private final Condition quiet;
    private final LongSupplier clock;
    private final Supplier<PoolSettings> settings;
    private final PoolStats stats;
    private final Gate gate;
    private final RequestRunner runner;
    private final ArrayDeque<Work> queue = new ArrayDeque<>();
    private final ArrayDeque<Work> tasks = new ArrayDeque<>();
    private final Set<Work> detached = new HashSet<>();
    /** Every live worker, busy or idle. */
    private final List<Worker> workers = new ArrayList<>();
    /** The idle workers, the last one idle first. */
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final AtomicInteger threadNumber = new AtomicInteger();
    /** Workers running a request or a task. */
    private int busy;
    /** Workers started that have not yet come for their first request: each will take one. */
    private int starting;
    /** Times an idle worker woke with nothing handed to it (a state change, its periodic look, a spurious wake-up). */
    private long emptyWakeUps;
    /** When a request last arrived or ended: the idle time-out counts from here. */
    private long lastActivityNanos;

    Workers(String poolName, ReentrantLock lock, LongSupplier clock, Supplier<PoolSettings> settings, PoolStats stats,
            Gate gate, RequestRunner runner) {
        this.poolName = poolName;
        this.lock = lock;
        this.quiet = lock.newCondition();
        this.clock = clock;
        this.settings = settings;
        this.stats = stats;
        this.gate = gate;
        this.runner = runner;
        this.lastActivityNanos = clock.getAsLong();
    }

    // ---- the queue: lock held -----------------------------------------------------------------

    /** Queues a request and hands it to an idle worker, or starts one, if it can run. Lock held. */
    void enqueue(App app, Exchange exchange) {
        long now = clock.getAsLong();
        queue.add(new Work(this, app, exchange, now));
        stats.queued(queue.size());
        lastActivityNanos = now;
        dispatch();
    }

    /** Queues a detached request's task, taken before any request, and hands it to a worker. */
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
                signalIfQuiet();
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

    /**
     * Hands what can run to idle workers, and starts a worker for what is left when none is idle
     * or on its way back. Lock held.
     */
    void dispatch() {
        Work work;
        while (!idle.isEmpty() && (work = takeRunnable()) != null) {
            handOff(idle.pop(), work);
        }
        if (idle.isEmpty() && moreWaitingThanStarting() && (!tasks.isEmpty() || gate.open() && firstRunnable() != null)
                && !anyFinishing() && workers.size() < settings.get().maxThreads()) {
            startWorker();
        }
    }

    /** Whether more requests wait than workers are starting to take them. Lock held. */
    private boolean moreWaitingThanStarting() {
        return queue.size() + tasks.size() > starting;
    }

    /** Gives {@code work} to an idle worker, waking it if it parked. Lock held. */
    private void handOff(Worker worker, Work work) {
        start(worker, work);
        worker.handed = work;
        if (worker.parked) {
            LockSupport.unpark(worker.thread);
        }
    }

    /** Counts {@code work} as running on {@code worker}. Lock held. */
    private void start(Worker worker, Work work) {
        work.worker = worker;
        work.thread = worker.thread;
        work.startedNanos = clock.getAsLong();
        worker.current = work;
        busy++;
    }

    /**
     * Wakes every idle worker and every drain waiting: the pool's state changed (idle workers look
     * whether they retire, a drain whether it is done). Lock held.
     */
    void signalAll() {
        idle.forEach(worker -> LockSupport.unpark(worker.thread));
        quiet.signalAll();
    }

    private void signalIfQuiet() {
        if (busy == 0 && detached.isEmpty()) {
            quiet.signalAll();
        }
    }

    /**
     * Whether a worker has answered its request and is on its way back for the next: a client that
     * sends its next request as soon as it has the answer then finds it, instead of a new thread.
     */
    private boolean anyFinishing() {
        long now = clock.getAsLong();
        for (Worker worker : workers) {
            Work work = worker.current;
            if (work == null) {
                continue;
            }
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
        Work head = queue.peek();
        if (head != null && head.app.available()) {
            return queue.poll(); // the usual case, without a second walk
        }
        Work work = firstRunnable();
        if (work != null) {
            queue.remove(work);
        }
        return work;
    }

    private void startWorker() {
        Worker worker = new Worker("fastpool-pool-" + poolName + "-" + threadNumber.incrementAndGet(), this::work);
        workers.add(worker);
        starting++;
        worker.thread.start();
    }

    // ---- a worker's life ----------------------------------------------------------------------

    private void work(Worker me) {
        try {
            workLoop(me);
        } finally {
            // What this thread cost, kept once it ends; live workers are read in the snapshot.
            stats.cpuNanos.add(ThreadCost.cpuNanos());
            stats.allocatedBytes.add(ThreadCost.allocatedBytes());
        }
    }

    /**
     * Runs requests until the worker retires: after each, under the lock, it counts the request's
     * end and takes the next runnable one, or joins the idle stack and waits for a hand-off without
     * the lock. A worker that has answered is seen as finishing until it is back, so a request that
     * arrives in between never starts a thread of its own.
     */
    private void workLoop(Worker me) {
        Work work = null;
        boolean ran = true;
        boolean first = true;
        while (true) {
            lock.lock();
            try {
                if (first) {
                    starting--;
                    first = false;
                } else {
                    ended(me, work, ran);
                }
                if (me.gone) {
                    return; // orphaned while it ran, and already replaced; or shut down
                }
                work = takeRunnable();
                if (work != null) {
                    start(me, work);
                    growIfQueued();
                } else {
                    idle.push(me);
                }
            } finally {
                lock.unlock();
            }
            if (work == null && (work = awaitHandOff(me)) == null) {
                return;
            }
            ran = work.task != null ? runner.runTask(work) : runner.run(work);
        }
    }

    /** More is waiting and nobody idle: grow now rather than after this request. Lock held. */
    private void growIfQueued() {
        if (idle.isEmpty() && moreWaitingThanStarting() && workers.size() < settings.get().maxThreads()
                && (!tasks.isEmpty() || firstRunnable() != null)) {
            startWorker();
        }
    }

    /** Counts the end of {@code work} on {@code me}. Lock held. */
    private void ended(Worker me, Work work, boolean ran) {
        if (!me.gone) {
            me.current = null;
            busy--;
        }
        if (!ran) {
            queue.addFirst(work); // its app went away while it was being taken: first in line for its return
        }
        lastActivityNanos = clock.getAsLong();
        signalIfQuiet();
    }

    /**
     * Waits in the idle stack for work handed over, spinning a little before it parks; every
     * {@link #PARK_NANOS}, and when the pool's state changes, it looks under the lock whether it
     * retires. Returns the work, already counted as running, or null when the worker ends.
     */
    private Work awaitHandOff(Worker me) {
        long idleSince = clock.getAsLong();
        while (true) {
            for (int i = 0; i < SPINS && me.handed == null; i++) {
                Thread.onSpinWait();
            }
            if (me.handed == null) {
                me.parked = true;
                if (me.handed == null) {
                    LockSupport.parkNanos(this, PARK_NANOS);
                }
                me.parked = false;
            }
            Work work = me.handed;
            if (work != null) {
                me.handed = null;
                return work;
            }
            lock.lock();
            try {
                if ((work = me.handed) != null) {
                    me.handed = null;
                    return work;
                }
                emptyWakeUps++;
                if (me.gone || shouldRetire(idleSince)) {
                    idle.remove(me);
                    workers.remove(me);
                    return null;
                }
                work = takeRunnable(); // the gate opened, or an app came back, with nobody handing out
                if (work != null) {
                    idle.remove(me);
                    start(me, work);
                    return work;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean shouldRetire(long idleSince) {
        return gate.retiring()
                || workers.size() > settings.get().minThreads() && clock.getAsLong() - idleSince > KEEP_ALIVE_NANOS;
    }

    /** The exchange of {@code work} was cancelled: its worker is interrupted if it still runs it. */
    void interruptIfRunning(Work work) {
        lock.lock();
        try {
            Worker worker = work.worker;
            if (worker != null && worker.current == work) {
                worker.thread.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives up a worker that does not stop: it is no longer counted, and another may take its place. Lock held. */
    void orphan(Work work) {
        Worker worker = work.worker;
        if (worker != null && worker.current == work && !worker.gone) {
            worker.gone = true;
            worker.current = null;
            workers.remove(worker);
            busy--;
            signalIfQuiet();
        }
        dispatch();
    }

    /** Waits until no request runs or waits detached, up to {@code nanos}; returns whether it got there. */
    boolean awaitIdle(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (busy > 0 || !detached.isEmpty()) {
                if (left <= 0) {
                    return false;
                }
                try {
                    left = quiet.awaitNanos(left);
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
        for (Worker worker : workers) {
            worker.gone = true;
            worker.thread.interrupt();
        }
        workers.clear();
        idle.clear();
        quiet.signalAll();
    }

    // ---- views: lock held ---------------------------------------------------------------------

    /** The requests running now; a copy, so the watchdog may orphan while it goes through them. */
    List<Work> running() {
        List<Work> running = new ArrayList<>(busy);
        for (Worker worker : workers) {
            if (worker.current != null) {
                running.add(worker.current);
            }
        }
        return running;
    }

    int threadCount() {
        return workers.size();
    }

    int busyCount() {
        return busy;
    }

    long emptyWakeUps() {
        return emptyWakeUps;
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
        return busy == 0 && queue.isEmpty() && detached.isEmpty() && tasks.isEmpty();
    }

    String poolName() {
        return poolName;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** The live workers; a copy. */
    List<Thread> threads() {
        List<Thread> threads = new ArrayList<>(workers.size());
        workers.forEach(worker -> threads.add(worker.thread));
        return threads;
    }
}
