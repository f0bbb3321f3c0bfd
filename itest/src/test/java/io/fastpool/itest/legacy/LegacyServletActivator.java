package io.fastpool.itest.legacy;

import java.io.IOException;
import java.util.Hashtable;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.Servlet;
import javax.servlet.ServletConfig;
import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of a plain javax HTTP Whiteboard (R7) bundle, as bundles written for Apache Felix's
 * or Equinox's javax whiteboard are: it registers a {@code javax.servlet.http.HttpServlet} at
 * {@code /legacy/*}, a filter for the same pattern and a servlet context listener, and knows
 * nothing of Fastpool or Jakarta. It counts its servlet's {@code init} and {@code destroy} and its
 * context's starts in system properties (the test's class space does not share its classes).
 */
public final class LegacyServletActivator implements BundleActivator {

    public static final String INITS = "legacy.inits";
    public static final String DESTROYS = "legacy.destroys";
    public static final String CONTEXTS = "legacy.contexts";

    /** Answers with what the javax Servlet API tells it about the request and where it runs. */
    public static final class LegacyServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;

        @Override
        public void init(ServletConfig config) throws ServletException {
            super.init(config);
            log("starting"); // through the (javax) servlet context, as GenericServlet does
            count(INITS);
        }

        @Override
        public void destroy() {
            count(DESTROYS);
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().print("servletPath=" + request.getServletPath() + " pathInfo=" + request.getPathInfo()
                    + " name=" + request.getParameter("name") + " servlet=" + getServletName()
                    + " greeting=" + getInitParameter("greeting") + " contextStarted=" + getServletContext().getAttribute("legacy.started")
                    + " inits=" + System.getProperty(INITS) + " thread=" + Thread.currentThread().getName()
                    + " loader=" + (Thread.currentThread().getContextClassLoader() == LegacyServlet.class.getClassLoader()));
        }

        static synchronized void count(String property) {
            System.setProperty(property, Integer.toString(Integer.getInteger(property, 0) + 1));
        }
    }

    /** Marks the requests it sees with a response header. */
    public static final class MarkingFilter implements Filter {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
            ((HttpServletResponse) response).setHeader("X-Legacy-Filtered", "yes");
            chain.doFilter(request, response);
        }
    }

    /** Counts the times its servlet context starts, and leaves a mark in it for the servlet. */
    public static final class StartListener implements ServletContextListener {

        @Override
        public void contextInitialized(ServletContextEvent event) {
            event.getServletContext().setAttribute("legacy.started", "yes");
            LegacyServlet.count(CONTEXTS);
        }
    }

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> servlet = new Hashtable<>();
        servlet.put("osgi.http.whiteboard.servlet.pattern", "/legacy/*");
        servlet.put("osgi.http.whiteboard.servlet.name", "legacy");
        servlet.put("servlet.init.greeting", "Hello");
        context.registerService(Servlet.class, new LegacyServlet(), servlet);
        Hashtable<String, Object> filter = new Hashtable<>();
        filter.put("osgi.http.whiteboard.filter.pattern", "/legacy/*");
        context.registerService(Filter.class, new MarkingFilter(), filter);
        Hashtable<String, Object> listener = new Hashtable<>();
        listener.put("osgi.http.whiteboard.listener", "true");
        context.registerService(ServletContextListener.class, new StartListener(), listener);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}
