package io.fastpool.itest.whiteboard;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of a whiteboard bundle whose servlet, at {@code /version/*}, answers with its
 * bundle's version: each build of the bundle answers differently, so a client sees when an update
 * took effect.
 */
public final class VersionServletActivator implements BundleActivator {

    /** Answers {@code version V}, V its bundle's version. */
    static final class VersionServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;
        private final String answer;

        VersionServlet(String answer) {
            this.answer = answer;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().print(answer);
        }
    }

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> servlet = new Hashtable<>();
        servlet.put("osgi.http.whiteboard.servlet.pattern", "/version/*");
        context.registerService(Servlet.class, new VersionServlet("version " + context.getBundle().getVersion()), servlet);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the servlet
    }
}
