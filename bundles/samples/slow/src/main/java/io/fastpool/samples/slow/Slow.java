package io.fastpool.samples.slow;

import io.fastpool.api.Mount;
import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;

/**
 * Answers {@code slept N ms} at /slow after waiting {@code ?ms=N} milliseconds (default 1000, at
 * most 600000; anything else is 400): a request that holds a worker thread, to see queueing,
 * {@code requestTimeout} and aborts at work.
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

    @Override
    public void handle(Request request, Response response) throws IOException {
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
}
