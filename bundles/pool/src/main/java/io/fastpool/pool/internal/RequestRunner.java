package io.fastpool.pool.internal;

import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import io.fastpool.api.spi.Exchange;
import io.fastpool.pool.PoolSettings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs one request on a pool's worker: gets the app's instance (activating it if needed), sets the
 * app bundle's class loader as context class loader, turns what the handler throws into a 500,
 * measures latency (and, for the access log, CPU time and allocation), writes the access log line
 * and counts the request for {@code recycleAfterRequests}. A handler that detached its request
 * ({@link DetachedRequest}) leaves all that to the request's completion, on whichever thread ends it
 * ({@link #finish}); the tasks of detached requests run here too ({@link #runTask}).
 *
 * <p>It takes no lock of the pool's: a request runs with none held. Its own monitor guards only the
 * count of lines dropped by access logs the pool had before a settings change; nothing is called
 * while holding it.
 */
final class RequestRunner {

    /** Everything a pool says goes to one logger, named after {@link Pool}: an operator filters one name. */
    private static final System.Logger LOG = System.getLogger(Pool.class.getName());
    private static final String TOO_LONG = "The application took too long to answer.";

    /** What a run tells its pool. */
    interface Outcomes {
        /** A failure that counts for rapid-fail protection (an activation error, an {@code Error}). */
        void failed(String what, Throwable cause);

        /** {@code recycleAfterRequests} requests have run since the last such call. */
        void recycleDue(String why);
    }

    private final String poolName;
    private final PoolHost host;
    private final LongSupplier clock;
    private final Supplier<PoolSettings> settings;
    private final PoolStats stats;
    private final Outcomes outcomes;
    /** Requests this pool has run, numbered: recycleAfterRequests counts them exactly. */
    private final AtomicLong requestNumber = new AtomicLong();
    /** The access log, or null when the settings name none. */
    private volatile AccessLogWriter.Log accessLog;
    /** Lines dropped by access logs this pool had before a settings change. */
    private long earlierAccessLogDrops;

    RequestRunner(String poolName, PoolHost host, Supplier<PoolSettings> settings, PoolStats stats, Outcomes outcomes) {
        this.poolName = poolName;
        this.host = host;
        this.clock = host.clock();
        this.settings = settings;
        this.stats = stats;
        this.outcomes = outcomes;
        this.accessLog = accessLogFor(settings.get(), null);
    }

    /** Follows changed settings: the access log moves when its file or format changed. */
    void settingsChanged(PoolSettings newSettings) {
        AccessLogWriter.Log before = accessLog;
        AccessLogWriter.Log after = accessLogFor(newSettings, before);
        if (before != null && after != before) {
            synchronized (this) {
                earlierAccessLogDrops += before.dropped();
            }
        }
        this.accessLog = after;
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

    /** Access log lines dropped (the writer fell behind) since the pool was made. */
    synchronized long accessLogDrops() {
        AccessLogWriter.Log log = accessLog;
        return earlierAccessLogDrops + (log == null ? 0 : log.dropped());
    }

    /**
     * Runs {@code work} on the calling worker. Returns false, having done nothing, when the app's
     * service went away while it was being taken: the request waits for it again.
     */
    boolean run(Work work) {
        Exchange exchange = work.exchange;
        if (exchange.isCancelled()) {
            exchange.complete();
            return true;
        }
        WebApp instance;
        try {
            boolean wasActive = work.app.active();
            instance = work.app.lease();
            if (!wasActive) {
                stats.activations.increment();
            }
        } catch (App.UnavailableException e) {
            return false;
        } catch (App.ActivationException e) {
            outcomes.failed("app " + work.app.name() + " could not be activated: " + e.getMessage(), e);
            answer(exchange.response(), 503, "The application could not be started.");
            stats.rejected.increment();
            exchange.complete();
            return true;
        }
        try {
            handle(work, instance);
        } finally {
            work.app.handBack();
        }
        return true;
    }

    private void handle(Work work, WebApp instance) {
        Exchange exchange = work.exchange;
        Response response = exchange.response();
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        boolean measure = settings.get().statistics();
        boolean failed = false;
        // The pool's CPU and allocation figures come from its threads' totals (see PoolSnapshots); a
        // request's own are measured only for the access log, whose format may print them: two system calls saved.
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
            instance.handle(new PooledRequest(exchange.request(), response, work.app.sessions(), work), response);
        } catch (Exception e) {
            failed = true;
            if (!work.timedOut && !exchange.isCancelled()) {
                LOG.log(Level.ERROR, "app " + work.app.name() + " failed on " + exchange.describe(), e);
                answer(response, 500, null);
            }
        } catch (Error e) {
            failed = true;
            outcomes.failed("app " + work.app.name() + " threw " + e + " on " + exchange.describe(), e);
            answer(response, 500, null);
        } finally {
            thread.setContextClassLoader(saved);
            Thread.interrupted();
            if (work.timedOut) {
                // The watchdog's 504 may not have gone out yet: completing first would send an empty 200.
                answer(response, 504, TOO_LONG);
            }
            work.cpuNanos = measureRequest ? ThreadCost.cpuNanos() - cpu : 0;
            work.allocatedBytes = measureRequest ? ThreadCost.allocatedBytes() - allocated : 0;
            DetachedRequest detached = work.detached;
            if (detached == null) {
                // From here this worker is as good as idle (dispatch need not start another), unless
                // completing blocks: a response whose connection takes nothing more waits to be written.
                work.finishingSinceNanos = clock.getAsLong() | 1;
                finish(work);
            } else {
                if (failed || work.timedOut) {
                    detached.complete(); // with the 500 or 504 just answered
                }
                detached.exited();
            }
        }
    }

    /**
     * Ends a request: counts it, records its latency (from its start on a worker to now), makes the
     * access log line, completes the exchange and queues the line. On its worker when the handler
     * returns, or, for a detached request, on the thread that completes it.
     */
    void finish(Work work) {
        Exchange exchange = work.exchange;
        Response response = exchange.response();
        // Count before completing: whoever sees the response may read the figures next.
        if (response.status() >= 500) {
            stats.serverErrors.increment();
        }
        stats.served.increment();
        long duration = clock.getAsLong() - work.startedNanos;
        if (settings.get().statistics()) {
            stats.latency(duration);
        }
        // The line is made before completing: after that, the request's headers and variables are
        // gone (the front's next request on the connection takes their bytes).
        AccessLogWriter.Log log = accessLog;
        String line = log == null ? null : log.format(new AccessLogFormat.Entry(exchange.request(), response.status(), duration,
                work.cpuNanos, work.allocatedBytes, poolName, work.app.name(), System.currentTimeMillis()));
        exchange.complete();
        if (line != null) {
            log.queue(line);
        }
        countForRecycle();
    }

    /**
     * {@code Request.detach()}, on the handler's thread: the same detachment each time. It joins the
     * in-flight set before the handler has it, so no one can end it before: an abort meanwhile waits
     * for the handler's run to return ({@link DetachedRequest#exited}).
     */
    DetachedRequest detach(Work work) {
        DetachedRequest detached = work.detached;
        if (detached != null) {
            return detached;
        }
        if (work.finishingSinceNanos != 0) {
            throw new IllegalStateException("the request has ended: " + work.exchange.describe());
        }
        detached = new DetachedRequest(work, this, clock);
        work.detached = detached;
        work.workers.addDetached(work);
        if (work.exchange.isCancelled()) {
            detached.abort("the client or the web server aborted it before it was detached");
        }
        return detached;
    }

    /**
     * Runs a detached request's task on the calling worker, with the app's class loader. A task that
     * throws is logged and its request answered 500 and completed; one past {@code requestTimeout}
     * answered 504. Always returns true: a task never waits for its app again.
     */
    boolean runTask(Work task) {
        DetachedRequest detached = task.detached;
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        boolean failed = false;
        try {
            thread.setContextClassLoader(task.app.classLoader());
            task.task.run();
        } catch (RuntimeException | Error e) {
            failed = true;
            LOG.log(Level.ERROR, "app " + task.app.name() + " failed in a task of " + task.exchange.describe(), e);
            answer(task.exchange.response(), 500, null);
        } finally {
            thread.setContextClassLoader(saved);
            Thread.interrupted();
            if (task.timedOut) {
                answer(task.exchange.response(), 504, TOO_LONG);
            }
            if (failed || task.timedOut) {
                detached.complete();
            }
            detached.exited();
        }
        return true;
    }

    /**
     * Each request gets its own number, so exactly one sees each multiple of
     * {@code recycleAfterRequests} (a LongAdder's sum, read while others add, could step over it and
     * the recycle never come).
     */
    private void countForRecycle() {
        long limit = settings.get().recycleAfterRequests();
        long number = requestNumber.incrementAndGet();
        if (limit > 0 && number % limit == 0) {
            outcomes.recycleDue("after " + limit + " requests (recycleAfterRequests)");
        }
    }

    /** Answers a time-out 504 if nothing went out yet. */
    static void answerTimedOut(Response response) {
        answer(response, 504, TOO_LONG);
    }

    /** Sends an error page unless the response has begun; a client that is gone is no error here. */
    static void answer(Response response, int status, String message) {
        try {
            if (!response.isCommitted()) {
                response.sendError(status, message);
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone, or the response went out meanwhile: nothing more to say.
        }
    }
}
