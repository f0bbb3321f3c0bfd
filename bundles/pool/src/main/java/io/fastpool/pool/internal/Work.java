package io.fastpool.pool.internal;

import io.fastpool.api.spi.Exchange;

/**
 * One request in a pool, from the queue to the end of its run. Run as the exchange's cancel action,
 * it interrupts the worker running it.
 *
 * <p>{@code thread}, {@code startedNanos}, {@code orphaned} and {@code slowLogged} are guarded by
 * the pool lock; {@code timedOut} and {@code finishingSinceNanos} are also read by the worker
 * without it.
 */
final class Work implements Runnable {

    final Workers workers;
    final App app;
    final Exchange exchange;
    final long enqueuedNanos;
    Thread thread;
    long startedNanos;
    /** Set by the watchdog past {@code requestTimeout}: the worker answers 504 if nothing went out. */
    volatile boolean timedOut;
    /** When the worker began sending the end of the answer (0: not yet): it is about to come back for more. */
    volatile long finishingSinceNanos;
    boolean orphaned;
    boolean slowLogged;

    Work(Workers workers, App app, Exchange exchange, long enqueuedNanos) {
        this.workers = workers;
        this.app = app;
        this.exchange = exchange;
        this.enqueuedNanos = enqueuedNanos;
    }

    @Override
    public void run() {
        workers.interruptIfRunning(this);
    }
}
