package io.fastpool.servlet.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EventListener;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;

/**
 * A whiteboard app while its pool holds it (from its first request to its idle time-out): the
 * {@link WebApp} the pool calls, which matches each request's path against the bundle's current
 * {@link ServletMapping}, and runs the bundle's filters that apply, then the matched servlet,
 * through the {@link ServletInvoker}. Errors go to the app's error pages ({@link AppErrorPages}),
 * and its {@code ServletContext}'s request dispatchers run its own servlets ({@link AppDispatchers}).
 *
 * <p>When the pool activates the app (on its pool's thread, with the app bundle's class loader), the
 * listeners hear that the servlet context is initialised, then the filters and servlets are got
 * from the registry and {@code init}ed; one registered while the app is active, on its first
 * request. Request listeners hear of each request around its filters and servlet. Each is
 * {@code destroy}ed and released when the app is released, or at once when its service goes or
 * changes. One whose {@code init} failed answers {@link UnavailableException} (500) until it is
 * registered again or the app restarts.
 *
 * <p>A little over 400 lines: the instances' life (get, init, destroy, release) is kept here, with
 * the app whose lifetime bounds it; chains, configs, error pages and dispatchers live in their own classes.
 */
final class ActiveServlets implements WebApp {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    private final ServletApp app;
    /** A new one each time the app starts, as for a web app that is restarted: its attributes begin empty. */
    private final ServletContext context;
    /** By service reference; a resource registration by its {@link ResourceKey} (a servlet service may carry one too). */
    private final Map<Object, Instance<?>> instances = new ConcurrentHashMap<>();

    private record ResourceKey(ServiceReference<?> reference) {
    }

    ActiveServlets(ServletApp app) {
        this.app = app;
        this.context = new WhiteboardServletContext(app.bundle(), new AppDispatchers(this));
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String path = request.path();
        ServletMapping.Match<ServletApp.Registered> match = app.mapping().match("", path);
        boolean errorPages = !app.errorPages().isEmpty();
        if (match == null) {
            if (!errorPages) {
                response.sendError(404, null);
                return;
            }
            ServletRoute nowhere = new ServletRoute("", path.isEmpty() ? "/" : path, null, MappingMatch.DEFAULT, "/");
            app.invoker().service(NOT_FOUND, request, response, nowhere, context, null, new AppErrorPages(this, null));
            return;
        }
        ServletApp.Registered registered = match.target();
        ServletInstance servlet = servletOf(registered);
        Servlet started = servlet.get();
        List<Filter> filters = filtersFor(DispatcherType.REQUEST, path, servlet.name());
        List<ServletRequestListener> listeners = requestListeners();
        ErrorDispatch errors = errorPages ? new AppErrorPages(this, servlet.name()) : null;
        if (filters.isEmpty() && listeners.isEmpty() && errors == null) {
            app.invoker().service(started, request, response, match.route(), context, registered.description().multipart());
            return;
        }
        FilterChain chain = new FilterChains.Filtered(filters, 0, started);
        if (!listeners.isEmpty()) {
            chain = new FilterChains.Listened(listeners, context, chain);
        }
        app.invoker().service(chain, request, response, match.route(), context, registered.description().multipart(), errors);
    }

    /** What a path no servlet matches meets when the app has error pages: a 404 for them to answer. */
    private static final FilterChain NOT_FOUND = (request, response) -> ((HttpServletResponse) response).sendError(404);

    /**
     * Runs a dispatch ({@code type} FORWARD, INCLUDE or ERROR) to {@code target}: the app's filters
     * for that type and {@code path} ({@code null} for a named dispatch: by servlet name only), then
     * the servlet, on this thread.
     */
    void dispatch(ServletApp.Registered target, DispatcherType type, String path, HttpServletRequest request,
            HttpServletResponse response) throws IOException, ServletException {
        ServletInstance servlet = servletOf(target);
        Servlet started = servlet.get();
        new FilterChains.Filtered(filtersFor(type, path, servlet.name()), 0, started).doFilter(request, response);
    }

    ServletMapping<ServletApp.Registered> mapping() {
        return app.mapping();
    }

    ErrorPages<ServletApp.Registered> errorPages() {
        return app.errorPages();
    }

    String bundleName() {
        return app.bundleName();
    }

    /** The app's servlets and resources: those with patterns, and error pages. */
    Set<ServletApp.Registered> servlets() {
        Set<ServletApp.Registered> all = new LinkedHashSet<>(app.mapping().targets());
        all.addAll(app.errorPages().targets());
        return all;
    }

    /** A servlet's name: as configured, else its class name once it has started ({@code null} until then). */
    String servletName(ServletApp.Registered servlet) {
        return servletOf(servlet).name();
    }

    /**
     * Tells the listeners that the app starts, then gets and initialises every filter and servlet
     * there is now; one that fails is logged and answers 500.
     */
    void initialiseAll() {
        for (ServletApp.RegisteredListener listener : app.listeners()) {
            startQuietly(listenerOf(listener));
        }
        for (ServletApp.Registered servlet : servlets()) {
            startQuietly(servletOf(servlet));
        }
        for (ServletApp.RegisteredFilter filter : app.filters()) {
            startQuietly(filterOf(filter));
        }
    }

    /** A servlet's or filter's service went or changed: it is destroyed now, and initialised again if asked again. */
    void discard(ServiceReference<?> reference) {
        discardKey(reference);
        discardKey(new ResourceKey(reference));
    }

    private void discardKey(Object key) {
        Instance<?> gone = instances.remove(key);
        if (gone != null) {
            gone.destroy();
        }
    }

    /** Destroys the servlets and filters, then tells the listeners that the app stops, in the reverse of their order. */
    void destroyAll() {
        List<ServletApp.RegisteredListener> listeners = new ArrayList<>(app.listeners());
        for (Object key : instances.keySet()) {
            if (!(instances.get(key) instanceof ListenerInstance)) {
                discardKey(key);
            }
        }
        Collections.reverse(listeners);
        listeners.forEach(listener -> discard(listener.reference()));
        instances.keySet().forEach(this::discardKey); // listeners that went from the app's list meanwhile
    }

    /** The request listeners, started (told that the app started) if they were not yet. */
    private List<ServletRequestListener> requestListeners() throws ServletException {
        List<ServletApp.RegisteredListener> all = app.listeners();
        if (all.isEmpty()) {
            return List.of();
        }
        List<ServletRequestListener> listening = new ArrayList<>();
        for (ServletApp.RegisteredListener listener : all) {
            EventListener started = listenerOf(listener).get();
            if (listener.description().requestEvents() && started instanceof ServletRequestListener requestListener) {
                listening.add(requestListener);
            }
        }
        return listening;
    }

    private List<Filter> filtersFor(DispatcherType type, String path, String servletName) throws ServletException {
        List<ServletApp.RegisteredFilter> all = app.filters();
        if (all.isEmpty()) {
            return List.of();
        }
        List<Filter> applying = new ArrayList<>();
        for (ServletApp.RegisteredFilter filter : all) {
            if (filter.description().appliesTo(type, path, servletName)) {
                applying.add(filterOf(filter).get());
            }
        }
        return applying;
    }

    private ServletInstance servletOf(ServletApp.Registered servlet) {
        Object key = servlet.resourcePrefix() == null ? servlet.reference() : new ResourceKey(servlet.reference());
        return (ServletInstance) instances.computeIfAbsent(key, reference -> new ServletInstance(servlet));
    }

    private FilterInstance filterOf(ServletApp.RegisteredFilter filter) {
        return (FilterInstance) instances.computeIfAbsent(filter.reference(), reference -> new FilterInstance(filter));
    }

    private ListenerInstance listenerOf(ServletApp.RegisteredListener listener) {
        return (ListenerInstance) instances.computeIfAbsent(listener.reference(), reference -> new ListenerInstance(listener));
    }

    private static void startQuietly(Instance<?> instance) {
        try {
            instance.get();
        } catch (ServletException e) {
            // logged by the instance
        }
    }

    /** One servlet, filter or listener got from the registry: started once, stopped once. */
    private abstract class Instance<S> {

        private final ServiceReference<S> reference;
        private final String configuredName;
        private final String kind;
        private ServiceObjects<S> objects;
        private S service;
        private String name;
        private ServletException failure;
        private boolean destroyed;

        Instance(ServiceReference<S> reference, String configuredName, long serviceId, String kind) {
            this.reference = reference;
            this.configuredName = configuredName;
            this.kind = kind + " " + (configuredName != null ? configuredName : "service " + serviceId);
        }

        abstract void start(S got, String name) throws ServletException;

        abstract void stop(S started);

        /** Its name: as configured, else its class's (known once got). */
        synchronized String name() {
            return name != null ? name : configuredName;
        }

        synchronized S get() throws ServletException {
            if (service != null) {
                return service;
            }
            if (failure != null || destroyed) {
                throw failure != null ? failure : new UnavailableException(kind + " is going away");
            }
            S got = obtain();
            if (got == null) {
                throw new UnavailableException(kind + " is not registered any more");
            }
            String chosen = configuredName != null ? configuredName : got.getClass().getName();
            try {
                start(got, chosen);
            } catch (ServletException | RuntimeException e) {
                release(got);
                failure = new UnavailableException(kind + " failed in init: " + e);
                LOG.log(Level.ERROR, kind + " of bundle " + app.bundleName()
                        + " failed in init, so its requests are answered 500 until it is registered again", e);
                throw failure;
            }
            name = chosen;
            service = got;
            return got;
        }

        /** Gets the service from the registry; {@code null} when it is gone. */
        S obtain() {
            objects = app.whiteboard().getServiceObjects(reference);
            S got = objects == null ? null : objects.getService();
            if (got == null) {
                objects = null;
            }
            return got;
        }

        void release(S got) {
            objects.ungetService(got);
        }

        synchronized void destroy() {
            destroyed = true;
            if (service == null) {
                return;
            }
            try {
                stop(service);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, kind + " of bundle " + app.bundleName() + " failed in destroy", e);
            }
            try {
                release(service);
            } catch (RuntimeException alreadyGone) {
                // its bundle is stopping; the framework releases it anyway
            }
            service = null;
        }
    }

    private final class ServletInstance extends Instance<Servlet> {

        private final Map<String, String> initParams;
        /** For a resource registration: what replaces the matched path; {@code null} for a servlet service. */
        private final String resourcePrefix;

        @SuppressWarnings("unchecked")
        ServletInstance(ServletApp.Registered servlet) {
            super((ServiceReference<Servlet>) servlet.reference(), servlet.description().name(), servlet.description().serviceId(),
                    servlet.resourcePrefix() == null ? "servlet" : "resource");
            initParams = servlet.description().initParams();
            resourcePrefix = servlet.resourcePrefix();
        }

        /** A resource registration's servlet is the whiteboard's own; the service itself is never got. */
        @Override
        Servlet obtain() {
            return resourcePrefix == null ? super.obtain() : new ResourceServlet(resourcePrefix, app.bundle()::getLastModified);
        }

        @Override
        void release(Servlet got) {
            if (resourcePrefix == null) {
                super.release(got);
            }
        }

        @Override
        void start(Servlet got, String name) throws ServletException {
            got.init(new InstanceConfig(name, initParams, context));
        }

        @Override
        void stop(Servlet started) {
            started.destroy();
        }
    }

    private final class FilterInstance extends Instance<Filter> {

        private final Map<String, String> initParams;

        FilterInstance(ServletApp.RegisteredFilter filter) {
            super(filter.reference(), filter.description().name(), filter.description().serviceId(), "filter");
            initParams = filter.description().initParams();
        }

        @Override
        void start(Filter got, String name) throws ServletException {
            got.init(new InstanceConfig(name, initParams, context));
        }

        @Override
        void stop(Filter started) {
            started.destroy();
        }
    }

    /** A listener: told that the app started when got, that it stops when destroyed. */
    private final class ListenerInstance extends Instance<EventListener> {

        private final boolean contextEvents;

        ListenerInstance(ServletApp.RegisteredListener listener) {
            super(cast(listener.reference()), null, listener.description().serviceId(), "listener");
            contextEvents = listener.description().contextEvents();
        }

        @SuppressWarnings("unchecked")
        private static ServiceReference<EventListener> cast(ServiceReference<? extends EventListener> reference) {
            return (ServiceReference<EventListener>) reference;
        }

        @Override
        void start(EventListener got, String name) {
            if (contextEvents && got instanceof ServletContextListener contextListener) {
                contextListener.contextInitialized(new ServletContextEvent(context));
            }
        }

        @Override
        void stop(EventListener started) {
            if (contextEvents && started instanceof ServletContextListener contextListener) {
                contextListener.contextDestroyed(new ServletContextEvent(context));
            }
        }
    }
}
