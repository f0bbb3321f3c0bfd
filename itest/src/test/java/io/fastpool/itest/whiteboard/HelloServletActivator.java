package io.fastpool.itest.whiteboard;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The activator of a plain Servlet Whiteboard bundle, as an app written for any whiteboard would
 * be: it registers an {@link HttpServlet} at {@code /hello/*}, a filter for the same pattern and a
 * servlet context listener, and knows nothing of Fastpool. It
 * counts its servlet's {@code init} and {@code destroy} calls in system properties (the test's
 * class space does not share its classes), and registers a {@link Runnable} that unregisters the
 * servlet, so the test can take the servlet away while the bundle stays.
 */
public final class HelloServletActivator implements BundleActivator {

    static final String INITS = "whiteboard.hello.inits";
    static final String DESTROYS = "whiteboard.hello.destroys";
    static final String CONTEXTS = "whiteboard.hello.contexts";

    /** Answers with what the Servlet API tells it about the request. */
    public static final class HelloServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;

        @Override
        public void init(ServletConfig config) throws ServletException {
            super.init(config);
            log("starting"); // through the servlet context, as GenericServlet does
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
                    + " greeting=" + getInitParameter("greeting") + " inits=" + System.getProperty(INITS)
                    + " loader=" + (Thread.currentThread().getContextClassLoader() == HelloServlet.class.getClassLoader()));
        }

        static synchronized void count(String property) {
            System.setProperty(property, Integer.toString(Integer.getInteger(property, 0) + 1));
        }
    }

    /** Marks the requests it sees with a response header. */
    public static final class MarkingFilter implements Filter {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
            ((HttpServletResponse) response).setHeader("X-Filtered", "yes");
            chain.doFilter(request, response);
        }
    }

    /** Counts the times its servlet context starts. */
    public static final class StartListener implements ServletContextListener {

        @Override
        public void contextInitialized(ServletContextEvent event) {
            HelloServlet.count(CONTEXTS);
        }
    }

    private ServiceRegistration<Servlet> servlet;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("osgi.http.whiteboard.servlet.pattern", "/hello/*");
        properties.put("osgi.http.whiteboard.servlet.name", "hello");
        properties.put("servlet.init.greeting", "Hi");
        servlet = context.registerService(Servlet.class, new HelloServlet(), properties);
        Hashtable<String, Object> filter = new Hashtable<>();
        filter.put("osgi.http.whiteboard.filter.pattern", "/hello/*");
        context.registerService(Filter.class, new MarkingFilter(), filter);
        Hashtable<String, Object> listener = new Hashtable<>();
        listener.put("osgi.http.whiteboard.listener", "true");
        context.registerService(ServletContextListener.class, new StartListener(), listener);
        Hashtable<String, Object> remover = new Hashtable<>();
        remover.put("whiteboard.test", "unregister-servlet");
        context.registerService(Runnable.class, this::unregisterServlet, remover);
    }

    private synchronized void unregisterServlet() {
        if (servlet != null) {
            servlet.unregister();
            servlet = null;
        }
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}
