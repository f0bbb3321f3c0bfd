package io.fastpool.itest.whiteboard;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Hashtable;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of a plain whiteboard bundle with an async servlet, as a long-polling app would be
 * written for any Servlet 6 container: {@code /poll/wait} starts async and waits for news,
 * {@code /poll/release} hands every waiting request its news and completes it, {@code /poll/sync}
 * answers at once, {@code /poll/late} waits with a short time-out that nobody answers. It counts in
 * system properties (the test does not share its classes) the long polls whose client went away.
 */
public final class LongPollActivator implements BundleActivator {

    static final String ERRORS = "longpoll.errors";

    /** The servlet, registered with {@code osgi.http.whiteboard.servlet.asyncSupported=true}. */
    public static final class LongPollServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;
        private final transient Queue<AsyncContext> waiting = new ConcurrentLinkedQueue<>();

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=UTF-8");
            switch (String.valueOf(request.getPathInfo())) {
                case "/wait" -> {
                    AsyncContext context = request.startAsync();
                    context.setTimeout(60_000);
                    context.addListener(new Forget(waiting));
                    waiting.add(context);
                }
                case "/late" -> request.startAsync().setTimeout(300);
                case "/release" -> {
                    int released = 0;
                    for (AsyncContext context; (context = waiting.poll()) != null; released++) {
                        context.getResponse().getWriter().print("news");
                        context.complete();
                    }
                    response.getWriter().print("released " + released);
                }
                default -> response.getWriter().print("sync on " + Thread.currentThread().getName());
            }
        }
    }

    /** Drops a long poll that ended from the waiting ones; counts those whose client went away. */
    public static final class Forget implements AsyncListener {

        private final Queue<AsyncContext> waiting;

        Forget(Queue<AsyncContext> waiting) {
            this.waiting = waiting;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            waiting.remove(event.getAsyncContext());
        }

        @Override
        public void onError(AsyncEvent event) {
            synchronized (LongPollActivator.class) {
                System.setProperty(ERRORS, Integer.toString(Integer.getInteger(ERRORS, 0) + 1));
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("osgi.http.whiteboard.servlet.pattern", "/poll/*");
        properties.put("osgi.http.whiteboard.servlet.asyncSupported", Boolean.TRUE);
        context.registerService(Servlet.class, new LongPollServlet(), properties);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the servlet
    }
}
