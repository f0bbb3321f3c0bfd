package io.fastpool.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A request whose handler let go of its worker thread ({@link Request#detach()}): the response is
 * finished later, from any thread, by {@link #complete()}. Meanwhile the pool's worker serves other
 * requests, and the request still counts as in flight: a recycle, restart or undeploy waits for it
 * (up to {@code drainTimeLimit}), then aborts it.
 *
 * <p>Writes go through the same {@link Response} as before, from whichever thread holds the request
 * now; the response is thread-safe, but its writes are the app's to order (one writer at a time).
 *
 * <p>Three things end a detached request:
 * <ul>
 *   <li>{@link #complete()}: the response, committed if it was not yet, goes out whole;
 *   <li>its time-out ({@link #setTimeout}, {@value #DEFAULT_TIMEOUT_MILLIS} ms from the detach
 *       unless set): the {@link #onTimeout} actions run, and a request they neither completed nor
 *       handed to a task ({@link #run}) is answered 504, as the pool's {@code requestTimeout}
 *       answers a handler that runs too long;
 *   <li>an abort: the client or the web server gave up on it (FastCGI's ABORT_REQUEST, the
 *       connection closing), or a drain gave up waiting for it: the {@link #onAbort} actions run,
 *       writes fail with {@link RequestAbortedException}, and the request ends.
 * </ul>
 * The pool's {@code requestTimeout} does not apply to the wait: it bounds each stretch of the app's
 * code on a worker (the handler, each {@link #run} task), not the time detached.
 *
 * <p>Actions and tasks ({@link #onTimeout}, {@link #onAbort}, {@link #run}) run on a worker of the
 * app's pool, with the app bundle's class loader, as the handler did; the actions of an abort by a
 * drain run on the draining thread, before the app is released.
 */
@ProviderType
public interface Detached {

    /** The time-out a detached request starts with, as the Servlet specification's async default. */
    long DEFAULT_TIMEOUT_MILLIS = 30_000;

    /**
     * Ends the request: the response is committed if it was not yet, and what is buffered goes out
     * with its end. Any thread; idempotent. Called while the handler (or a {@link #run} task) still
     * runs, it takes effect when that returns.
     */
    void complete();

    /** Whether the request has ended or is ending: completed, timed out and answered, or aborted. */
    boolean isDone();

    /** Whether the client, the web server or a drain aborted it. */
    boolean isAborted();

    /**
     * The request times out {@code millis} from now; 0 or less: never (it then waits for
     * {@link #complete()}, an abort or a drain).
     */
    void setTimeout(long millis);

    /**
     * Runs {@code action} when the time-out passes, before the pool answers 504 if the actions neither
     * completed the request nor gave it a task to run.
     */
    void onTimeout(Runnable action);

    /** Runs {@code action} when the request is aborted (at once, as a task, if it already was). */
    void onAbort(Runnable action);

    /**
     * Runs {@code task} on a worker of the app's pool, with the app bundle's class loader, as part of
     * this request: the request does not end while it runs. It takes a worker like a request does, so
     * a task that waits holds one.
     *
     * @throws IllegalStateException if the request has ended
     */
    void run(Runnable task);
}
