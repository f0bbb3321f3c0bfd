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
 * A plain whiteboard bundle with two servlets that name their whiteboard with
 * {@code osgi.http.whiteboard.target}: {@code /targeted/here/*} targets the runtime whose endpoint
 * is {@code /} (Fastpool's), {@code /targeted/elsewhere/*} one at another endpoint.
 */
public final class TargetedActivator implements BundleActivator {

    /** Answers with its own name. */
    public static final class NamedServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;
        private final String name;

        NamedServlet(String name) {
            this.name = name;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().print("served by " + name);
        }
    }

    @Override
    public void start(BundleContext context) {
        register(context, "here", "(osgi.http.endpoint=/)");
        register(context, "elsewhere", "(osgi.http.endpoint=http://elsewhere.invalid/)");
    }

    private static void register(BundleContext context, String name, String target) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("osgi.http.whiteboard.servlet.pattern", "/targeted/" + name + "/*");
        properties.put("osgi.http.whiteboard.target", target);
        context.registerService(Servlet.class, new NamedServlet(name), properties);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}
