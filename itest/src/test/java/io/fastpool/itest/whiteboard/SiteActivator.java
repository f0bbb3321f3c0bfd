package io.fastpool.itest.whiteboard;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * A plain whiteboard bundle with the whiteboard's other kinds of registration: a servlet at
 * {@code /site/*} that fails on purpose and forwards, an error page for every 4xx and 5xx (a
 * servlet with no pattern), and a resource registration on a service of type {@code Object},
 * serving the bundle's {@code /files} folder at {@code /site/files/*}.
 */
public final class SiteActivator implements BundleActivator {

    /** {@code /missing}: 404; {@code /boom}: throws; {@code /forward}: forwards to {@code /target}. */
    public static final class SiteServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
            switch (request.getPathInfo()) {
                case "/missing" -> response.sendError(404, "nothing here");
                case "/boom" -> throw new IllegalStateException("boom");
                case "/forward" -> request.getRequestDispatcher("/site/target?x=1").forward(request, response);
                default -> response.getWriter().print("target " + request.getDispatcherType() + " x=" + request.getParameter("x"));
            }
        }
    }

    /** Says which error it was shown. */
    public static final class ErrorPage extends HttpServlet {

        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().print("error page " + request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) + " "
                    + request.getAttribute(RequestDispatcher.ERROR_EXCEPTION_TYPE));
        }
    }

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> site = new Hashtable<>();
        site.put("osgi.http.whiteboard.servlet.pattern", "/site/*");
        context.registerService(Servlet.class, new SiteServlet(), site);
        Hashtable<String, Object> errors = new Hashtable<>();
        errors.put("osgi.http.whiteboard.servlet.errorPage", new String[] {"4xx", "5xx"});
        context.registerService(Servlet.class, new ErrorPage(), errors);
        Hashtable<String, Object> files = new Hashtable<>();
        files.put("osgi.http.whiteboard.resource.pattern", "/site/files/*");
        files.put("osgi.http.whiteboard.resource.prefix", "/files");
        context.registerService(Object.class.getName(), new Object(), files);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}
