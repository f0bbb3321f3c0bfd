package io.fastpool.pool.internal;

import io.fastpool.api.Detached;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A request whose handler detached it ({@code Request.detach()}): it stays in its pool's in-flight
 * set ({@link Workers#addDetached}) without a worker until it completes, times out or is aborted,
 * and then ends as a request that ran to its end does ({@link RequestRunner#finish}: the counts,
 * latency from its start, the access log line, the exchange completed).
 *
 * <p>{@code runs} counts the app's code running for it on workers: the handler, then tasks
 * ({@link #run}, and the time-out's and abort's actions). A {@link #complete} asked while one runs
 * takes effect when the last returns, so the response is never ended under a servlet that still
 * writes to it.
 *
 * <p>Its monitor is a leaf lock: nothing is called while holding it; the pool lock may be held when
 * it is taken (the watchdog's {@link #timeoutDue}), never the other way round.
 */
final class DetachedRequest implements Detached {

    private static final System.Logger LOG = System.getLogger(Pool.class.getName());
    private static final String TOO_LONG = "The application did not complete the request within its time-out.";

    private final Work work;
    private final RequestRunner runner;
    private final LongSupplier clock;
    private int runs = 1;
    private boolean completing;
    private boolean finished;
    private boolean aborted;
    private boolean timeoutTaken;
    private long timeoutFromNanos;
    private long timeoutNanos;
    private final List<Runnable> timeoutActions = new ArrayList<>(1);
    private final List<Runnable> abortActions = new ArrayList<>(1);

    DetachedRequest(Work work, RequestRunner runner, LongSupplier clock) {
        this.work = work;
        this.runner = runner;
        this.clock = clock;
        this.timeoutFromNanos = clock.getAsLong();
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(DEFAULT_TIMEOUT_MILLIS);
    }

    @Override
    public void complete() {
        synchronized (this) {
            if (completing) {
                return;
            }
            completing = true;
            if (runs > 0) {
                return; // the last run to return finishes it
            }
        }
        finish();
    }

    @Override
    public synchronized boolean isDone() {
        return completing || finished;
    }

    @Override
    public synchronized boolean isAborted() {
        return aborted;
    }

    @Override
    public synchronized void setTimeout(long millis) {
        timeoutFromNanos = clock.getAsLong();
        timeoutNanos = millis > 0 ? TimeUnit.MILLISECONDS.toNanos(millis) : 0;
        timeoutTaken = false;
    }

    @Override
    public synchronized void onTimeout(Runnable action) {
        timeoutActions.add(action);
    }

    @Override
    public void onAbort(Runnable action) {
        synchronized (this) {
            if (!aborted) {
                abortActions.add(action);
                return;
            }
        }
        schedule(action);
    }

    @Override
    public void run(Runnable task) {
        synchronized (this) {
            if (completing || finished) {
                throw new IllegalStateException("the request has ended: " + work.exchange.describe());
            }
            runs++;
        }
        enqueue(task);
    }

    /** A run of the app's code for this request (the handler, a task) returned. */
    void exited() {
        synchronized (this) {
            runs--;
            if (runs > 0 || !completing) {
                return;
            }
        }
        finish();
    }

    /**
     * The watchdog's check, pool lock held: whether the time-out passed just now. It then hands the
     * request to {@link #timedOut} once the lock is let go.
     */
    synchronized boolean timeoutDue(long now) {
        if (completing || finished || timeoutTaken || timeoutNanos <= 0 || now - timeoutFromNanos < timeoutNanos) {
            return false;
        }
        timeoutTaken = true;
        return true;
    }

    /**
     * The time-out passed: its actions run on a worker, then a request they neither completed nor
     * handed to a task (an async dispatch) is answered 504.
     */
    void timedOut() {
        List<Runnable> actions;
        synchronized (this) {
            actions = List.copyOf(timeoutActions);
        }
        schedule(() -> {
            runAll(actions, "time-out");
            if (unanswered()) {
                RequestRunner.answer(work.exchange.response(), 504, TOO_LONG);
                complete();
            }
        });
    }

    /** Whether the time-out's actions (the one run now) neither completed the request nor handed it to a task. */
    private synchronized boolean unanswered() {
        return !completing && !finished && runs == 1;
    }

    /** The client or the web server gave up on it: its abort actions run on a worker, then it ends. */
    void abort(String why) {
        List<Runnable> actions;
        synchronized (this) {
            if (aborted || completing || finished) {
                return;
            }
            aborted = true;
            actions = List.copyOf(abortActions);
        }
        LOG.log(Level.DEBUG, () -> "detached " + work.exchange.describe() + " aborted: " + why);
        schedule(() -> {
            runAll(actions, "abort");
            complete();
        });
    }

    /**
     * A drain gave up waiting for it: its abort actions run here, on the draining thread with the
     * app's class loader (the app is released next), it is answered 503 if nothing went out, and it
     * ends even if a task of it is still stuck on a worker.
     */
    void abandon(String why) {
        List<Runnable> actions;
        synchronized (this) {
            if (finished) {
                return;
            }
            actions = aborted ? List.of() : List.copyOf(abortActions);
            aborted = true;
            completing = true;
        }
        LOG.log(Level.WARNING, "pool " + work.workers.poolName() + ": detached " + work.exchange.describe() + " aborted: " + why);
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        try {
            thread.setContextClassLoader(work.app.classLoader());
            runAll(actions, "abort");
        } finally {
            thread.setContextClassLoader(saved);
        }
        RequestRunner.answer(work.exchange.response(), 503, null);
        finish();
    }

    /** The request it belongs to (for the watchdog's and the snapshot's views). */
    Work work() {
        return work;
    }

    /** Runs {@code action} as a task of this request, unless it has ended. */
    private void schedule(Runnable action) {
        synchronized (this) {
            if (finished) {
                return;
            }
            runs++;
        }
        enqueue(action);
    }

    private void enqueue(Runnable task) {
        work.workers.enqueueTask(new Work(work.workers, work.app, work.exchange, clock.getAsLong(), task, this));
    }

    private void runAll(List<Runnable> actions, String what) {
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "app " + work.app.name() + ": an " + what + " action of " + work.exchange.describe() + " failed", e);
            }
        }
    }

    private void finish() {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            completing = true;
        }
        runner.finish(work);
        work.workers.removeDetached(work);
    }
}
