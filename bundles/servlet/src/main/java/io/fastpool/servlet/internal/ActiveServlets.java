package io.fastpool.servlet.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;

/**
 * A whiteboard app while its pool holds it (from its first request to its idle time-out): the
 * {@link WebApp} the pool calls, which matches each request's path against the bundle's current
 * {@link ServletMapping}, and runs the bundle's filters that apply, then the matched servlet,
 * through the {@link ServletInvoker}. When the servlet and every filter that applies support async
 * ({@code .asyncSupported=true}), the request may start async; its async dispatches come back here
 * ({@link #dispatchAsync}) and run the servlet their path maps to, with the filters registered for
 * {@code ASYNC}.
 *
 * <p>When the pool activates the app (on its pool's thread, with the app bundle's class loader), the
 * listeners hear that the servlet context is initialised, then the filters and servlets are got
 * from the registry and {@code init}ed; one registered while the app is active, on its first
 * request. Request listeners hear of each request around its filters and servlet. Each is
 * {@code destroy}ed and released when the app is released, or at once when its service goes or
 * changes. One whose {@code init} failed answers {@link UnavailableException} (500) until it is
 * registered again or the app restarts.
 */
final class ActiveServlets implements WebApp {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    private final ServletApp app;
    /** A new one each time the app starts, as for a web app that is restarted: its attributes begin empty. */
    private final ServletContext context;
    private final Map<ServiceReference<?>, Instance<?>> instances = new ConcurrentHashMap<>();

    ActiveServlets(ServletApp app) {
        this.app = app;
        this.context = new WhiteboardServletContext(app.bundle());
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String path = request.path();
        ServletMapping.Match<ServletApp.Registered> match = app.mapping().match("", path);
        if (match == null) {
            response.sendError(404, null);
            return;
        }
        ServletApp.Registered registered = match.target();
        ServletInstance servlet = servletOf(registered);
        Servlet started = servlet.get();
        List<Filter> filters = filtersFor(DispatcherType.REQUEST, path, servlet.name());
        List<ServletRequestListener> listeners = requestListeners();
        boolean async = registered.description().asyncSupported() && filtersSupportAsync(path, servlet.name());
        if (filters.isEmpty() && listeners.isEmpty() && !async) {
            app.invoker().service(started, request, response, match.route(), context, registered.description().multipart());
            return;
        }
        FilterChain chain = new Chain(filters, 0, started);
        if (!listeners.isEmpty()) {
            chain = new Listened(listeners, context, chain);
        }
        if (async) {
            app.invoker().service(chain, this::dispatchAsync, request, response, match.route(), context,
                    registered.description().multipart());
        } else {
            app.invoker().service(chain, request, response, match.route(), context, registered.description().multipart());
        }
    }

    /**
     * An async dispatch ({@code AsyncContext.dispatch}), on a worker of the app's pool: the servlet
     * {@code path} maps to in this app (null: the request's own path), through the filters
     * registered for {@code ASYNC}; a path nothing maps to is a 404. Only paths of this app: the
     * whiteboard's request dispatchers across contexts are not used here.
     */
    private void dispatchAsync(String path, ServletRequestAdapter request, ServletResponseAdapter response)
            throws IOException, ServletException {
        String target = path != null ? path : request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        ServletMapping.Match<ServletApp.Registered> match = app.mapping().match("", target);
        if (match == null) {
            response.sendError(404);
            return;
        }
        ServletInstance servlet = servletOf(match.target());
        Servlet started = servlet.get();
        List<Filter> filters = filtersFor(DispatcherType.ASYNC, target, servlet.name());
        HttpServletRequest dispatched = path == null ? request : new AsyncDispatchRequest(request, match.route(), target);
        new Chain(filters, 0, started).doFilter(dispatched, response);
    }

    /** Whether every filter that applies to a request for {@code path} supports async. */
    private boolean filtersSupportAsync(String path, String servletName) {
        for (ServletApp.RegisteredFilter filter : app.filters()) {
            if (filter.description().appliesTo(path, servletName) && !filter.description().asyncSupported()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tells the listeners that the app starts, then gets and initialises every filter and servlet
     * there is now; one that fails is logged and answers 500.
     */
    void initialiseAll() {
        for (ServletApp.RegisteredListener listener : app.listeners()) {
            startQuietly(listenerOf(listener));
        }
        for (ServletApp.Registered servlet : app.mapping().targets()) {
            startQuietly(servletOf(servlet));
        }
        for (ServletApp.RegisteredFilter filter : app.filters()) {
            startQuietly(filterOf(filter));
        }
    }

    /** A servlet's or filter's service went or changed: it is destroyed now, and initialised again if asked again. */
    void discard(ServiceReference<?> reference) {
        Instance<?> gone = instances.remove(reference);
        if (gone != null) {
            gone.destroy();
        }
    }

    /** Destroys the servlets and filters, then tells the listeners that the app stops, in the reverse of their order. */
    void destroyAll() {
        List<ServletApp.RegisteredListener> listeners = new ArrayList<>(app.listeners());
        for (ServiceReference<?> reference : instances.keySet()) {
            if (!(instances.get(reference) instanceof ListenerInstance)) {
                discard(reference);
            }
        }
        Collections.reverse(listeners);
        listeners.forEach(listener -> discard(listener.reference()));
        instances.keySet().forEach(this::discard); // listeners that went from the app's list meanwhile
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
        return (ServletInstance) instances.computeIfAbsent(servlet.reference(), reference -> new ServletInstance(servlet));
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

    /** The filters that apply, in order, then the servlet. */
    private record Chain(List<Filter> filters, int position, Servlet servlet) implements FilterChain {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response) throws IOException, ServletException {
            if (position < filters.size()) {
                filters.get(position).doFilter(request, response, new Chain(filters, position + 1, servlet));
            } else {
                servlet.service(request, response);
            }
        }
    }

    /** Tells the request listeners of a request around the rest of its chain; each that heard of its start hears of its end. */
    private record Listened(List<ServletRequestListener> listeners, ServletContext context, FilterChain next) implements FilterChain {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response) throws IOException, ServletException {
            ServletRequestEvent event = new ServletRequestEvent(context, request);
            int told = 0;
            try {
                for (ServletRequestListener listener : listeners) {
                    listener.requestInitialized(event);
                    told++;
                }
                next.doFilter(request, response);
            } finally {
                for (int i = told - 1; i >= 0; i--) {
                    listeners.get(i).requestDestroyed(event);
                }
            }
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
            objects = app.whiteboard().getServiceObjects(reference);
            S got = objects == null ? null : objects.getService();
            if (got == null) {
                objects = null;
                throw new UnavailableException(kind + " is not registered any more");
            }
            String chosen = configuredName != null ? configuredName : got.getClass().getName();
            try {
                start(got, chosen);
            } catch (ServletException | RuntimeException e) {
                objects.ungetService(got);
                failure = new UnavailableException(kind + " failed in init: " + e);
                LOG.log(Level.ERROR, kind + " of bundle " + app.bundleName()
                        + " failed in init, so its requests are answered 500 until it is registered again", e);
                throw failure;
            }
            name = chosen;
            service = got;
            return got;
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
                objects.ungetService(service);
            } catch (RuntimeException alreadyGone) {
                // its bundle is stopping; the framework releases it anyway
            }
            service = null;
        }
    }

    private final class ServletInstance extends Instance<Servlet> {

        private final Map<String, String> initParams;

        ServletInstance(ServletApp.Registered servlet) {
            super(servlet.reference(), servlet.description().name(), servlet.description().serviceId(), "servlet");
            initParams = servlet.description().initParams();
        }

        @Override
        void start(Servlet got, String name) throws ServletException {
            got.init(new Config(name, initParams, context));
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
            got.init(new Config(name, initParams, context));
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

    /** What {@code init} is given: a name, init parameters and the servlet context. */
    private record Config(String name, Map<String, String> parameters, ServletContext context) implements ServletConfig, FilterConfig {

        @Override
        public String getServletName() {
            return name;
        }

        @Override
        public String getFilterName() {
            return name;
        }

        @Override
        public ServletContext getServletContext() {
            return context;
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
