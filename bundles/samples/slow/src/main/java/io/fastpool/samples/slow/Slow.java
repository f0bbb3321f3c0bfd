package io.fastpool.samples.slow;

import io.fastpool.api.Mount;
import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Component;

/**
 * Answers {@code slept N ms} at /slow after waiting {@code ?ms=N} milliseconds (default 1000, at
 * most 600000; anything else is 400): a request that holds a worker thread, to see queueing,
 * {@code requestTimeout} and aborts at work. With {@code ?cpu=N} instead it keeps its thread busy
 * computing for N milliseconds of CPU time and answers {@code computed N ms}: a CPU-bound request,
 * for which more threads than cores do not help (the advice tells these two cases apart).
 *
 * <p>Shows how an app cooperates with the pool: when a request runs past {@code requestTimeout}, or
 * its client gives up, the pool interrupts the worker thread. Waiting interruptibly and giving up at
 * once (keeping the interrupt flag set) frees the thread; the pool answers 504 itself, or nobody
 * when the client is gone. Compare {@code /fail?mode=hang}, which ignores the interrupt.
 */
@Component(service = WebApp.class)
@Mount(path = "/slow")
public class Slow implements WebApp {

    static final long DEFAULT_MILLIS = 1000;
    static final long MAX_MILLIS = 600_000;
    /** Longest CPU time one request may ask for: one minute. */
    static final long MAX_CPU_MILLIS = 60_000;

    @Override
    public void handle(Request request, Response response) throws IOException {
        if (request.queryParameter("cpu") != null) {
            compute(request.queryParameter("cpu"), response);
            return;
        }
        String ms = request.queryParameter("ms");
        long millis;
        try {
            millis = ms == null ? DEFAULT_MILLIS : Long.parseLong(ms);
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 0 || millis > MAX_MILLIS) {
            response.sendError(400, "ms must be a whole number of milliseconds from 0 to " + MAX_MILLIS + ", was \"" + ms + "\"");
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        response.setContentType("text/plain; charset=UTF-8");
        response.body().write(("slept " + millis + " ms").getBytes(StandardCharsets.UTF_8));
    }

    /** Spins until this thread has used {@code cpu} milliseconds of CPU time; an interrupt ends it early. */
    private static void compute(String cpu, Response response) throws IOException {
        long millis = parse(cpu, MAX_CPU_MILLIS);
        if (millis < 0) {
            response.sendError(400, "cpu must be a whole number of milliseconds from 0 to " + MAX_CPU_MILLIS + ", was \"" + cpu + "\"");
            return;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (threads.getCurrentThreadCpuTime() < until) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
        response.setContentType("text/plain; charset=UTF-8");
        response.body().write(("computed " + millis + " ms").getBytes(StandardCharsets.UTF_8));
    }

    /** {@code text} as a whole number from 0 to {@code max}, or -1. */
    private static long parse(String text, long max) {
        try {
            long value = Long.parseLong(text);
            return value <= max ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
