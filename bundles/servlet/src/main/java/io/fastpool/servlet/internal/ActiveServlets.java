package io.fastpool.servlet.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;

/**
 * A whiteboard app while its pool holds it (from its first request to its idle time-out): the
 * {@link WebApp} the pool calls, which matches each request's path against the bundle's current
 * {@link ServletMapping} and runs the matched servlet through the {@link ServletInvoker}.
 *
 * <p>Servlets are got from the registry and {@code init}ed when the pool activates the app (on its
 * pool's thread, with the app bundle's class loader), and a servlet registered while the app is
 * active on its first request. Each is {@code destroy}ed and released when the app is released,
 * or at once when its service goes or changes. A servlet whose {@code init} failed answers
 * {@link UnavailableException} (500) until it is registered again or the app restarts.
 */
final class ActiveServlets implements WebApp {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    private final ServletApp app;
    private final Map<ServiceReference<Servlet>, Instance> instances = new ConcurrentHashMap<>();

    ActiveServlets(ServletApp app) {
        this.app = app;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        ServletMapping.Match<ServletApp.Registered> match = app.mapping().match("", request.path());
        if (match == null) {
            response.sendError(404, null);
            return;
        }
        ServletApp.Registered servlet = match.target();
        app.invoker().service(instanceOf(servlet).servlet(), request, response, match.route(), null,
                servlet.description().multipart());
    }

    /** Gets and initialises every servlet of the current mapping; one that fails is logged and answers 500. */
    void initialiseAll() {
        app.mapping().targets().forEach(servlet -> {
            try {
                instanceOf(servlet).servlet();
            } catch (ServletException e) {
                // logged by the instance
            }
        });
    }

    /** A servlet's service went or changed: it is destroyed now, and initialised again if asked again. */
    void discard(ServiceReference<Servlet> reference) {
        Instance gone = instances.remove(reference);
        if (gone != null) {
            gone.destroy();
        }
    }

    void destroyAll() {
        instances.keySet().forEach(this::discard);
    }

    private Instance instanceOf(ServletApp.Registered servlet) {
        return instances.computeIfAbsent(servlet.reference(), reference -> new Instance(servlet));
    }

    /** One servlet got from the registry: initialised once, destroyed once. */
    private final class Instance {

        private final ServletApp.Registered registered;
        private ServiceObjects<Servlet> objects;
        private Servlet servlet;
        private ServletException failure;
        private boolean destroyed;

        Instance(ServletApp.Registered registered) {
            this.registered = registered;
        }

        synchronized Servlet servlet() throws ServletException {
            if (servlet != null) {
                return servlet;
            }
            if (failure != null || destroyed) {
                throw failure != null ? failure : new UnavailableException("servlet " + describe() + " is going away");
            }
            objects = app.whiteboard().getServiceObjects(registered.reference());
            Servlet got = objects == null ? null : objects.getService();
            if (got == null) {
                objects = null;
                throw new UnavailableException("servlet " + describe() + " is not registered any more");
            }
            try {
                got.init(new Config(nameOf(got), registered.description().initParams()));
            } catch (ServletException | RuntimeException e) {
                objects.ungetService(got);
                failure = new UnavailableException("servlet " + describe() + " failed in init: " + e);
                LOG.log(Level.ERROR, "servlet " + describe() + " of bundle " + app.bundleName()
                        + " failed in init, so its requests are answered 500 until it is registered again", e);
                throw failure;
            }
            servlet = got;
            return got;
        }

        synchronized void destroy() {
            destroyed = true;
            if (servlet == null) {
                return;
            }
            try {
                servlet.destroy();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "servlet " + describe() + " of bundle " + app.bundleName() + " failed in destroy", e);
            }
            try {
                objects.ungetService(servlet);
            } catch (RuntimeException alreadyGone) {
                // its bundle is stopping; the framework releases it anyway
            }
            servlet = null;
        }

        private String nameOf(Servlet got) {
            String name = registered.description().name();
            return name != null ? name : got.getClass().getName();
        }

        private String describe() {
            String name = registered.description().name();
            return name != null ? name : "service " + registered.description().serviceId();
        }
    }

    /** What a servlet's {@code init} is given: its name and init parameters; no servlet context yet. */
    private record Config(String name, Map<String, String> parameters) implements ServletConfig {

        @Override
        public String getServletName() {
            return name;
        }

        @Override
        public ServletContext getServletContext() {
            return null;
        }

        @Override
        public String getInitParameter(String parameter) {
            return parameters.get(parameter);
        }

        @Override
        public Enumeration<String> getInitParameterNames() {
            return Collections.enumeration(parameters.keySet());
        }
    }
}
