package io.fastpool.pool.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pool manager's three executors, kept apart so that no kind of work waits for another:
 *
 * <ul>
 *   <li>the <b>responder</b> answers at once (503 for a full queue, 504 for a time-out): short
 *       tasks, many threads, no queue. When every thread is busy it refuses and logs; it never runs
 *       the task on the caller, which is the watchdog or a transport thread (a time-out's worker
 *       answers 504 itself as it ends);
 *   <li>the <b>lifecycle</b> executor runs what blocks: activating an app, recycling a pool (drain
 *       up to {@code drainTimeLimit}, then a bundle update). Few threads and a bounded queue: a
 *       hundred pools recycling at once wait their turn here, and the watchdog and the answers go on;
 *   <li>the <b>admission</b> executor queues requests that a transport thread found a pool's lock
 *       taken for ({@code Pool.submit}): at most one task per pool at a time, each waiting for that
 *       pool's lock only. No queue: when every thread is busy it throws, and the transport thread
 *       waits for the lock itself.
 * </ul>
 */
final class PoolExecutors {

    private static final System.Logger LOG = System.getLogger(PoolExecutors.class.getName());
    static final int RESPONDER_THREADS = 64;
    static final int LIFECYCLE_THREADS = 4;
    static final int LIFECYCLE_QUEUE = 4096;
    static final int ADMISSION_THREADS = 64;
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ThreadPoolExecutor responder;
    private final ThreadPoolExecutor lifecycle;
    private final ThreadPoolExecutor admission;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    PoolExecutors() {
        AtomicInteger responders = new AtomicInteger();
        AtomicInteger lifecycles = new AtomicInteger();
        responder = new ThreadPoolExecutor(0, RESPONDER_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> PoolManagerComponent.daemon(task, "fastpool-pool-responder-" + responders.incrementAndGet()),
                refusing("responder"));
        lifecycle = new ThreadPoolExecutor(LIFECYCLE_THREADS, LIFECYCLE_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(LIFECYCLE_QUEUE),
                task -> PoolManagerComponent.daemon(task, "fastpool-pool-lifecycle-" + lifecycles.incrementAndGet()),
                refusing("lifecycle"));
        lifecycle.allowCoreThreadTimeOut(true);
        AtomicInteger admitters = new AtomicInteger();
        admission = new ThreadPoolExecutor(0, ADMISSION_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> PoolManagerComponent.daemon(task, "fastpool-pool-admission-" + admitters.incrementAndGet()),
                new ThreadPoolExecutor.AbortPolicy());
    }

    ExecutorService responder() {
        return responder;
    }

    ExecutorService lifecycle() {
        return lifecycle;
    }

    /** Throws {@code RejectedExecutionException} when every thread is busy: the caller then does the work itself. */
    ExecutorService admission() {
        return admission;
    }

    /** Tasks refused because every thread (and the lifecycle queue) was busy. */
    long refused() {
        return refused.get();
    }

    void shutdown() {
        responder.shutdownNow();
        lifecycle.shutdownNow();
        admission.shutdownNow();
    }

    private RejectedExecutionHandler refusing(String which) {
        return (task, executor) -> {
            long count = refused.incrementAndGet();
            long now = System.nanoTime();
            long last = lastLogNanos.get();
            if (!executor.isShutdown() && now - last >= LOG_EVERY_NANOS && lastLogNanos.compareAndSet(last, now)) {
                LOG.log(Level.WARNING, () -> "the pools' " + which + " executor is saturated (" + executor.getActiveCount()
                        + " busy, " + executor.getQueue().size() + " queued): a task was refused (" + count + " in all)");
            }
        };
    }
}
