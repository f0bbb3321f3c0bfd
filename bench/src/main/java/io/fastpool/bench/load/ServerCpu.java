package io.fastpool.bench.load;

import java.time.Duration;
import java.util.Optional;

/**
 * The CPU time (user + system) a server's process and its children have used so far, read through
 * {@link ProcessHandle} (on Linux, {@code /proc/PID/stat}). A PHP-FPM master counts with its
 * children; a JVM or a one-process server is its own only process. Taken at the start and at the
 * end of the measured span, the difference divided by the requests answered is the server's CPU
 * per request: the figure that says how close a server is to the cheapest possible one, which
 * requests per second cannot say on a machine the load generator shares.
 *
 * <p>A child that ends within the span takes its CPU time with it; with PHP-FPM's {@code pm =
 * static} none does.
 */
final class ServerCpu {

    private final long pid;

    ServerCpu(long pid) {
        this.pid = pid;
    }

    /** The process and its children's CPU time until now, or empty if the process is gone or its time unknown. */
    Optional<Duration> used() {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return Optional.empty();
        }
        Optional<Duration> own = process.get().info().totalCpuDuration();
        if (own.isEmpty()) {
            return Optional.empty();
        }
        Duration total = own.get();
        for (ProcessHandle child : (Iterable<ProcessHandle>) process.get().children()::iterator) {
            total = total.plus(child.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return Optional.of(total);
    }

    long pid() {
        return pid;
    }
}
