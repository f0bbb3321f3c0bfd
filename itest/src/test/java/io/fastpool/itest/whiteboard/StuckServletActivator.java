package io.fastpool.itest.whiteboard;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Hashtable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of a whiteboard bundle whose servlet, at {@code /stuck/*}, holds every request until
 * the test lets go: a hung app. The test lets go through the {@link Runnable} service it registers
 * ({@code whiteboard.test=release-stuck}); the test's class space does not share its classes. The
 * wait is bounded, so a test that fails before letting go leaves no thread behind for long.
 */
public final class StuckServletActivator implements BundleActivator {

    /** The longest a request waits for the test to let go. */
    private static final long MAX_WAIT_SECONDS = 120;

    private final CountDownLatch release = new CountDownLatch(1);

    /** Answers once released, or 500 when nobody released it in time. */
    final class StuckServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            try {
                if (!release.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    response.sendError(500, "never released");
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                response.sendError(500, "interrupted");
                return;
            }
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().print("released");
        }
    }

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> servlet = new Hashtable<>();
        servlet.put("osgi.http.whiteboard.servlet.pattern", "/stuck/*");
        context.registerService(Servlet.class, new StuckServlet(), servlet);
        Hashtable<String, Object> releaser = new Hashtable<>();
        releaser.put("whiteboard.test", "release-stuck");
        context.registerService(Runnable.class, release::countDown, releaser);
    }

    @Override
    public void stop(BundleContext context) {
        release.countDown(); // the framework unregisters the services; nothing may stay held
    }
}
