package io.fastpool.pool.internal;

import io.fastpool.api.Detached;
import io.fastpool.api.spi.Exchange;
import java.util.function.Supplier;

/**
 * One request in a pool, from the queue to the end of its run; or one task of a detached request
 * ({@link DetachedRequest#run}: {@link #task} set), which runs on a worker as a request does. Run as
 * the exchange's cancel action, it interrupts the worker running it and aborts the request if it was
 * detached. It is also the request's detacher ({@link PooledRequest#detach}), so a request costs
 * no lambda for it.
 *
 * <p>{@code thread}, {@code startedNanos}, {@code orphaned} and {@code slowLogged} are guarded by
 * the pool lock; {@code timedOut}, {@code finishingSinceNanos} and {@code detached} are also read by
 * the worker without it.
 */
final class Work implements Runnable, Supplier<Detached> {

    final Workers workers;
    final App app;
    final Exchange exchange;
    final long enqueuedNanos;
    /** A detached request's task, or null for the request itself. */
    final Runnable task;
    Thread thread;
    long startedNanos;
    /** Set by the watchdog past {@code requestTimeout}: the worker answers 504 if nothing went out. */
    volatile boolean timedOut;
    /** When the worker began sending the end of the answer (0: not yet): it is about to come back for more. */
    volatile long finishingSinceNanos;
    /** The request's detachment once its handler detached it (for a task: the request it belongs to). */
    volatile DetachedRequest detached;
    /** CPU time and bytes its handler used, measured for the access log only (else 0); written by its worker before it ends. */
    long cpuNanos;
    long allocatedBytes;
    boolean orphaned;
    boolean slowLogged;

    Work(Workers workers, App app, Exchange exchange, long enqueuedNanos) {
        this(workers, app, exchange, enqueuedNanos, null, null);
    }

    /** A task of {@code detached}. */
    Work(Workers workers, App app, Exchange exchange, long enqueuedNanos, Runnable task, DetachedRequest detached) {
        this.workers = workers;
        this.app = app;
        this.exchange = exchange;
        this.enqueuedNanos = enqueuedNanos;
        this.task = task;
        this.detached = detached;
    }

    /** Ends the request this work is part of: through its detachment when detached, else the exchange at once. */
    void complete() {
        DetachedRequest request = detached;
        if (request != null) {
            request.complete();
        } else {
            exchange.complete();
        }
    }

    @Override
    public void run() {
        workers.interruptIfRunning(this);
        DetachedRequest request = detached;
        if (request != null) {
            request.abort("the client or the web server aborted it");
        }
    }

    /** {@code Request.detach()} of this request, on its handler's thread. */
    @Override
    public Detached get() {
        return workers.detach(this);
    }
}
