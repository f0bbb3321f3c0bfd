package io.fastpool.samples.session;

import io.fastpool.api.Mount;
import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.Session;
import io.fastpool.api.WebApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * Counts a client's requests in its session at /session: each request answers {@code count N}, and
 * {@code ?reset=1} ends the session and answers {@code reset}.
 *
 * <p>Shows that a session exists only when an app asks for one: counting calls
 * {@code request.session(true)}, which creates the session (and its cookie) on a client's first
 * visit; resetting calls {@code request.session(false)}, so resetting a client that has no session
 * creates none. The counter is an {@link AtomicInteger}: two requests of one client running at once
 * both count. Being a JDK type, it also survives a hot swap: sessions outlive a new version of the
 * app, and an object of a class from the app's own bundle would not cast in the new class loader.
 */
@Component(service = WebApp.class)
@Mount(path = "/session")
public class SessionCounter implements WebApp {

    static final String COUNT_ATTRIBUTE = "count";

    @Override
    public void handle(Request request, Response response) throws IOException {
        String text;
        if ("1".equals(request.queryParameter("reset"))) {
            Session session = request.session(false);
            if (session != null) {
                session.invalidate();
            }
            text = "reset";
        } else {
            text = "count " + counter(request.session(true)).incrementAndGet();
        }
        response.setContentType("text/plain; charset=UTF-8");
        response.body().write(text.getBytes(StandardCharsets.UTF_8));
    }

    private static AtomicInteger counter(Session session) {
        AtomicInteger counter = (AtomicInteger) session.attribute(COUNT_ATTRIBUTE);
        if (counter == null) {
            // Only a session's first request gets here: its client has not had the cookie to send another.
            counter = new AtomicInteger();
            session.setAttribute(COUNT_ATTRIBUTE, counter);
        }
        return counter;
    }
}
