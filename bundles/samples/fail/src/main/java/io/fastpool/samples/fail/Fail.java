package io.fastpool.samples.fail;

import io.fastpool.api.Mount;
import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.osgi.service.component.annotations.Component;

/**
 * Fails on demand at /fail, to see how a pool answers an app's faults:
 *
 * <pre>
 * ?mode=exception         throws a RuntimeException: the pool answers 500 and logs it with the app's name
 * ?mode=error             throws an Error: 500 as well, and it counts toward rapid-fail protection
 * ?mode=hang&amp;ms=N         runs N ms (default 10 minutes) deaf to interrupts: past requestTimeout the
 *                         pool answers 504, orphans the thread, counts it and recycles the pool
 * ?mode=status&amp;code=N     answers status N with Response.sendError
 * (no mode)               lists these modes
 * </pre>
 *
 * <p>Never mount this where it can be reached from outside: any client can disable its pool.
 */
@Component(service = WebApp.class)
@Mount(path = "/fail")
public class Fail implements WebApp {

    static final long DEFAULT_HANG_MILLIS = TimeUnit.MINUTES.toMillis(10);
    /** Even a hang ends: an orphaned thread is let go after an hour at most. */
    static final long MAX_HANG_MILLIS = TimeUnit.HOURS.toMillis(1);

    static final String USAGE = """
            /fail?mode=exception        throw a RuntimeException (500)
            /fail?mode=error            throw an Error (500; counts toward rapid-fail protection)
            /fail?mode=hang&ms=N        run N ms ignoring interrupts (default 600000, at most 3600000)
            /fail?mode=status&code=N    answer status N (100 to 999) with sendError
            """;

    @Override
    public void handle(Request request, Response response) throws IOException {
        String mode = request.queryParameter("mode");
        if (mode == null) {
            answer(response, USAGE);
            return;
        }
        switch (mode) {
            case "exception" -> throw new RuntimeException("/fail?mode=exception: failing with a RuntimeException, as asked");
            case "error" -> throw new Error("/fail?mode=error: failing with an Error, as asked");
            case "hang" -> {
                Long millis = number(request, response, "ms", DEFAULT_HANG_MILLIS, 0, MAX_HANG_MILLIS);
                if (millis != null) {
                    hang(millis);
                    answer(response, "hung " + millis + " ms");
                }
            }
            case "status" -> {
                Long code = number(request, response, "code", null, 100, 999);
                if (code != null) {
                    response.sendError(code.intValue(), "/fail?mode=status answers " + code + ", as asked");
                }
            }
            default -> response.sendError(400, "unknown mode \"" + mode + "\"; the modes are:\n" + USAGE);
        }
    }

    /**
     * Runs for {@code millis} whatever happens: the behaviour of an app stuck in a loop. Interrupts
     * are swallowed (the flag is set again only at the end) and the deadline is kept with
     * {@link System#nanoTime()}; it parks rather than spins so that the demonstration burns no CPU.
     */
    private static void hang(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        boolean interrupted = false;
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Query parameter {@code name} as a whole number from {@code min} to {@code max}, or
     * {@code fallback} when absent; answers 400 and returns {@code null} when it is anything else.
     */
    private static Long number(Request request, Response response, String name, Long fallback, long min, long max)
            throws IOException {
        String text = request.queryParameter(name);
        Long value;
        if (text == null) {
            value = fallback;
        } else {
            try {
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                value = null;
            }
        }
        if (value == null || value < min || value > max) {
            response.sendError(400, name + " must be a whole number from " + min + " to " + max + ", was "
                    + (text == null ? "missing" : "\"" + text + "\""));
            return null;
        }
        return value;
    }

    private static void answer(Response response, String text) throws IOException {
        response.setContentType("text/plain; charset=UTF-8");
        response.body().write(text.getBytes(StandardCharsets.UTF_8));
    }
}
