package io.fastpool.testkit;

import io.fastpool.api.Detached;
import io.fastpool.api.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A detached request as a pool would keep it, for tests of what sits on {@link Detached} (the servlet
 * adapter's async): tasks run on one thread of its own, named {@value #TASK_THREAD}; the test fires
 * the time-out ({@link #timeOut}) and the abort ({@link #abort}) instead of waiting for a clock or a
 * client, and waits for {@link #completed}. A time-out its actions neither ended nor handed to a
 * task is answered 504, as a pool does; {@link #completions} counts the calls of {@link #complete}.
 */
public final class FakeDetached implements Detached {

    /** The name of the thread tasks and actions run on. */
    public static final String TASK_THREAD = "fake-pool-worker";

    /** Counted down by the first {@link #complete}. */
    public final CountDownLatch completed = new CountDownLatch(1);
    public final AtomicInteger completions = new AtomicInteger();
    private final Response response;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(task -> new Thread(task, TASK_THREAD));
    private final List<Runnable> timeoutActions = new ArrayList<>();
    private final List<Runnable> abortActions = new ArrayList<>();
    private volatile long timeoutMillis = DEFAULT_TIMEOUT_MILLIS;
    private volatile boolean aborted;
    private final AtomicInteger tasksWaiting = new AtomicInteger();

    /** For the request whose response is {@code response} (the 504 of an unanswered time-out goes there). */
    public FakeDetached(Response response) {
        this.response = response;
    }

    @Override
    public void complete() {
        completions.incrementAndGet();
        completed.countDown();
    }

    @Override
    public boolean isDone() {
        return completed.getCount() == 0;
    }

    @Override
    public boolean isAborted() {
        return aborted;
    }

    @Override
    public void setTimeout(long millis) {
        timeoutMillis = millis;
    }

    /** The time-out last set. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    @Override
    public synchronized void onTimeout(Runnable action) {
        timeoutActions.add(action);
    }

    @Override
    public synchronized void onAbort(Runnable action) {
        abortActions.add(action);
    }

    @Override
    public void run(Runnable task) {
        if (isDone()) {
            throw new IllegalStateException("the request has ended");
        }
        tasksWaiting.incrementAndGet();
        worker.execute(() -> {
            tasksWaiting.decrementAndGet();
            task.run();
        });
    }

    /** The time-out passes: its actions run on the task thread; then, if still not done, a 504 and the end. */
    public synchronized void timeOut() {
        List<Runnable> actions = List.copyOf(timeoutActions);
        worker.execute(() -> {
            actions.forEach(Runnable::run);
            if (!isDone() && tasksWaiting.get() == 0) { // neither completed nor handed to a task
                try {
                    response.sendError(504, null);
                } catch (java.io.IOException | IllegalStateException e) {
                    // committed: the end alone
                }
                complete();
            }
        });
    }

    /** The client goes away: the abort actions run on the task thread, then the request ends. */
    public synchronized void abort() {
        aborted = true;
        List<Runnable> actions = List.copyOf(abortActions);
        worker.execute(() -> {
            actions.forEach(Runnable::run);
            complete();
        });
    }

    /** Waits up to 10 s for the request to end. */
    public boolean awaitCompletion() throws InterruptedException {
        return completed.await(10, TimeUnit.SECONDS);
    }

    /** Waits for what was handed to the task thread so far to have run, then stops it. */
    public void shutdown() throws InterruptedException {
        worker.shutdown();
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }
}
