package io.fastpool.itest.whiteboard;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContextAttributeEvent;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletRequestAttributeEvent;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.io.IOException;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * A plain whiteboard bundle with a servlet at {@code /sessions/*} that starts a session for the
 * {@code user} parameter and sets a request and a context attribute, and one listener service
 * registered as {@link HttpSessionListener}, {@link ServletContextAttributeListener} and
 * {@link ServletRequestAttributeListener}. The listener writes what it hears to the system property
 * {@value #EVENTS} (the test's class space does not share its classes): for a session destroyed,
 * the user still in it, the thread's name, and whether the thread's context class loader is this
 * bundle's.
 */
public final class SessionsActivator implements BundleActivator {

    public static final String EVENTS = "whiteboard.sessions.events";

    /** Starts a session for the user; sets a request and a context attribute. */
    public static final class SessionServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            request.getSession().setAttribute("user", request.getParameter("user"));
            request.setAttribute("seen", request.getParameter("user"));
            getServletContext().setAttribute("last", request.getParameter("user"));
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().print("hello " + request.getParameter("user"));
        }
    }

    /** Records what it hears. */
    public static final class Recorder implements HttpSessionListener, ServletContextAttributeListener, ServletRequestAttributeListener {

        @Override
        public void sessionDestroyed(HttpSessionEvent event) {
            record("destroyed user=" + event.getSession().getAttribute("user") + " thread=" + Thread.currentThread().getName()
                    + " loader=" + (Thread.currentThread().getContextClassLoader() == Recorder.class.getClassLoader()));
        }

        @Override
        public void attributeAdded(ServletContextAttributeEvent event) {
            record("context added " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void attributeReplaced(ServletContextAttributeEvent event) {
            record("context replaced " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void attributeAdded(ServletRequestAttributeEvent event) {
            record("request added " + event.getName() + "=" + event.getValue());
        }

        private static synchronized void record(String event) {
            String before = System.getProperty(EVENTS);
            System.setProperty(EVENTS, before == null ? event : before + ";" + event);
        }
    }

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> servlet = new Hashtable<>();
        servlet.put("osgi.http.whiteboard.servlet.pattern", "/sessions/*");
        context.registerService(Servlet.class, new SessionServlet(), servlet);
        Hashtable<String, Object> listener = new Hashtable<>();
        listener.put("osgi.http.whiteboard.listener", "true");
        context.registerService(new String[] {HttpSessionListener.class.getName(), ServletContextAttributeListener.class.getName(),
            ServletRequestAttributeListener.class.getName()}, new Recorder(), listener);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}
