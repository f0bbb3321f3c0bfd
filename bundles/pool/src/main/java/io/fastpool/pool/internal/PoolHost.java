package io.fastpool.pool.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * What a {@link Pool} asks of whoever runs it (the pool manager in OSGi; tests and benchmarks
 * without): bundle updates, executors for answers and for what blocks, the access log writer, the
 * clock and where files are.
 */
interface PoolHost {
    /** Updates the bundles of these apps from their locations (a fresh class loader); blocking. */
    void updateBundles(List<App> apps) throws Exception;

    /** Runs short answering tasks (503, 504) off the transport's and the pool's threads. */
    Executor responder();

    /**
     * Admits requests a transport thread handed over because the pool lock was taken: a task that
     * waits for the lock, at most one per pool at a time. It throws {@code RejectedExecutionException}
     * when it has no thread to spare, and the transport thread then waits for the lock itself.
     * Hosts that run everything at once (tests, benchmarks) may share the responder.
     */
    default Executor admission() {
        return responder();
    }

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

    /** {@code pool} woke up (see {@link AwakePools}): the watchdog's rounds must visit it again. */
    default void woke(Pool pool) {
    }

    /** A file named in the settings, such as {@code accessLog}: relative paths resolve against the server's folder. */
    default Path resolve(String file) {
        return Path.of(file);
    }
}
