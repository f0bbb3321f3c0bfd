package io.fastpool.servlet.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.Session;
import io.fastpool.api.SessionEndListener;
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
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;

/**
 * A whiteboard app while its pool holds it (from its first request to its idle time-out): the
 * {@link WebApp} the pool calls, which matches each request's path against the bundle's current
 * {@link AppRoutes}, and runs, in the servlet context it fell in, the context helper's security,
 * the bundle's filters that apply, then the matched servlet (or resource), through the
 * {@link ServletInvoker}. When the servlet and every filter that applies support async
 * ({@code .asyncSupported=true}), the request may start async; its async dispatches come back here
 * ({@link #dispatchAsync}) and run the servlet their path maps to in the same context, with the
 * filters registered for {@code ASYNC}. Errors go to the error pages of the context the request is
 * in ({@link AppErrorPages}), and each context's {@code ServletContext} hands out request
 * dispatchers to the app's own servlets in that context ({@link AppDispatchers}).
 *
 * <p>Each context the app uses is opened ({@link ActiveContext}: its helper got, its
 * {@code ServletContext} made) when something in it first starts, and closed when the app stops or
 * the context goes. A servlet, filter or listener in several contexts runs once in each.
 *
 * <p>When the pool activates the app (on its pool's thread, with the app bundle's class loader), the
 * listeners hear that the servlet context is initialised, then the filters and servlets are got
 * from the registry and {@code init}ed; one registered while the app is active, on its first
 * request. Request listeners hear of each request around its filters and servlet. Each is
 * {@code destroy}ed and released when the app is released, or at once when its service goes or
 * changes. One whose {@code init} failed answers {@link UnavailableException} (500) until it is
 * registered again or the app restarts.
 *
 * <p>Sessions the pool's store ends by itself while the app is active reach the session listeners
 * of its contexts ({@link SessionEnds}).
 *
 * <p>Nearly 500 lines: the instances' life (get, init, destroy, release) is kept here, with
 * the app whose lifetime bounds it; chains, configs, contexts, error pages and dispatchers live in
 * their own classes.
 */
final class ActiveServlets implements WebApp, SessionEndListener {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    private final ServletApp app;
    /**
     * By context, made when first needed: a new one each time the app starts, as for a web app that
     * is restarted, so its attributes begin empty.
     */
    private final Map<WhiteboardContext, ActiveContext> contexts = new ConcurrentHashMap<>();
    /** By entry: a service in one context. */
    private final Map<ServletApp.Entry, Instance<?>> instances = new ConcurrentHashMap<>();
    private final SessionEnds sessionEnds = new SessionEnds();

    ActiveServlets(ServletApp app) {
        this.app = app;
    }

    @Override
    public boolean listensForSessionEnds() {
        return sessionEnds.listening();
    }

    @Override
    public void sessionEnded(Session session) {
        sessionEnds.ended(session, contexts.values());
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        ServletMapping.Match<ServletApp.Registered> routed = app.routes().match(request.path());
        if (routed == null) {
            AppErrorPages.notFound(this, request, response);
            return;
        }
        ServletApp.Registered registered = routed.target();
        WhiteboardContext inContext = registered.context();
        ActiveContext context = contextOf(inContext);
        ServletInstance servlet = servletOf(registered);
        Servlet started = servlet.get();
        String path = routed.pathInContext();
        List<Filter> filters = filtersFor(DispatcherType.REQUEST, path, servlet.name(), inContext);
        List<ServletRequestListener> listeners = requestListeners(inContext);
        ServletContext servletContext = context.servletContext();
        boolean async = registered.description().asyncSupported() && filtersSupportAsync(path, servlet.name(), inContext);
        ErrorDispatch errors = app.errorPages(inContext).isEmpty() ? null : new AppErrorPages(this, inContext, servlet.name());
        if (filters.isEmpty() && listeners.isEmpty() && !context.checksSecurity() && !async && errors == null) {
            app.invoker().service(started, request, response, routed.route(), servletContext, registered.description().multipart());
            return;
        }
        FilterChain chain = context.secured(new FilterChains.Filtered(filters, 0, started));
        if (!listeners.isEmpty()) {
            chain = new FilterChains.Listened(listeners, servletContext, chain);
        }
        ServletAsync.Dispatcher dispatcher = async ? (target, adapter, answer) -> dispatchAsync(inContext, target, adapter, answer) : null;
        app.invoker().service(chain, dispatcher, request, response, routed.route(), servletContext, registered.description().multipart(),
                errors);
    }

    /**
     * Runs a dispatch ({@code type} FORWARD, INCLUDE or ERROR) to {@code target}, in its context: the
     * filters of that context for the type and {@code path} ({@code null} for a named dispatch: by
     * servlet name only), then the servlet, on this thread.
     */
    void dispatch(ServletApp.Registered target, DispatcherType type, String path, HttpServletRequest request,
            HttpServletResponse response) throws IOException, ServletException {
        ServletInstance servlet = servletOf(target);
        Servlet started = servlet.get();
        new FilterChains.Filtered(filtersFor(type, path, servlet.name(), target.context()), 0, started).doFilter(request, response);
    }

    ServletApp app() {
        return app;
    }

    /** A servlet's name: as configured, else its class name once it has started ({@code null} until then). */
    String servletName(ServletApp.Registered servlet) {
        return servletOf(servlet).name();
    }

    /** {@code context} as this app sees it, opened (its helper got) when first asked. */
    ActiveContext contextOf(WhiteboardContext context) {
        ActiveContext open = contexts.get(context); // the usual case, without a lambda made per request
        return open != null ? open : contexts.computeIfAbsent(context, c -> ActiveContext.open(app.bundle(), c, new AppDispatchers(this, c)));
    }

    /**
     * An async dispatch ({@code AsyncContext.dispatch}), on a worker of the app's pool: the servlet
     * {@code path} maps to in the request's context (null: the request's own path), through the
     * filters registered for {@code ASYNC}; a path nothing maps to is a 404. Only paths of this app's
     * context: dispatches to another context are refused by {@link ServletAsync}.
     */
    private void dispatchAsync(WhiteboardContext inContext, String path, ServletRequestAdapter request,
            ServletResponseAdapter response) throws IOException, ServletException {
        String target = path != null ? path : request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        ServletMapping.Match<ServletApp.Registered> routed = app.routes().match(inContext.contextPath() + target);
        if (routed == null || !routed.target().context().equals(inContext)) {
            response.sendError(404);
            return;
        }
        ServletInstance servlet = servletOf(routed.target());
        Servlet started = servlet.get();
        List<Filter> filters = filtersFor(DispatcherType.ASYNC, target, servlet.name(), inContext);
        HttpServletRequest dispatched = path == null ? request : new AsyncDispatchRequest(request, routed.route(), target);
        new FilterChains.Filtered(filters, 0, started).doFilter(dispatched, response);
    }

    /** Whether every filter of {@code context} that applies to a request for {@code path} supports async. */
    private boolean filtersSupportAsync(String path, String servletName, WhiteboardContext context) {
        for (ServletApp.RegisteredFilter filter : app.filters()) {
            if (filter.context().equals(context) && filter.description().appliesTo(path, servletName)
                    && !filter.description().asyncSupported()) {
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
        for (ServletApp.Registered servlet : app.routes().targets()) {
            startQuietly(servletOf(servlet));
        }
        for (WhiteboardContext context : app.errorPageContexts()) {
            app.errorPages(context).targets().forEach(page -> startQuietly(servletOf(page)));
        }
        for (ServletApp.RegisteredFilter filter : app.filters()) {
            startQuietly(filterOf(filter));
        }
    }

    /** A servlet's, filter's or listener's service went or changed: it is destroyed now (in every context), and initialised again if asked again. */
    void discard(ServiceReference<?> reference) {
        for (ServletApp.Entry entry : instances.keySet()) {
            if (entry.reference().equals(reference)) {
                discard(entry);
            }
        }
    }

    /** What runs in a context not in {@code inUse} is destroyed, and those contexts' helpers released. */
    void retainContexts(Set<WhiteboardContext> inUse) {
        for (ServletApp.Entry entry : instances.keySet()) {
            if (!inUse.contains(entry.context())) {
                discard(entry);
            }
        }
        for (WhiteboardContext context : contexts.keySet()) {
            if (!inUse.contains(context)) {
                closeContext(context);
            }
        }
    }

    /**
     * Destroys the servlets and filters, then tells the listeners that the app stops, in the reverse
     * of their order; then releases the contexts' helpers.
     */
    void destroyAll() {
        List<ServletApp.RegisteredListener> listeners = new ArrayList<>(app.listeners());
        for (ServletApp.Entry entry : instances.keySet()) {
            if (!(instances.get(entry) instanceof ListenerInstance)) {
                discard(entry);
            }
        }
        Collections.reverse(listeners);
        listeners.forEach(this::discard);
        instances.keySet().forEach(this::discard); // listeners that went from the app's list meanwhile
        contexts.keySet().forEach(this::closeContext);
    }

    private void discard(ServletApp.Entry entry) {
        Instance<?> gone = instances.remove(entry);
        if (gone != null) {
            gone.destroy();
        }
    }

    private void closeContext(WhiteboardContext context) {
        ActiveContext gone = contexts.remove(context);
        if (gone != null) {
            gone.close();
        }
    }

    /** The request listeners of {@code context}, started (told that the app started) if they were not yet. */
    private List<ServletRequestListener> requestListeners(WhiteboardContext context) throws ServletException {
        List<ServletApp.RegisteredListener> all = app.listeners();
        if (all.isEmpty()) {
            return List.of();
        }
        List<ServletRequestListener> listening = new ArrayList<>();
        for (ServletApp.RegisteredListener listener : all) {
            if (!listener.context().equals(context)) {
                continue;
            }
            EventListener started = listenerOf(listener).get();
            if (listener.description().requestEvents() && started instanceof ServletRequestListener requestListener) {
                listening.add(requestListener);
            }
        }
        return listening;
    }

    private List<Filter> filtersFor(DispatcherType type, String path, String servletName, WhiteboardContext context) throws ServletException {
        List<ServletApp.RegisteredFilter> all = app.filters();
        if (all.isEmpty()) {
            return List.of();
        }
        List<Filter> applying = new ArrayList<>();
        for (ServletApp.RegisteredFilter filter : all) {
            if (filter.context().equals(context) && filter.description().appliesTo(type, path, servletName)) {
                applying.add(filterOf(filter).get());
            }
        }
        return applying;
    }

    /** Each looks first without a lambda: one capturing its argument would be made for every request. */
    private ServletInstance servletOf(ServletApp.Registered servlet) {
        Instance<?> made = instances.get(servlet);
        return (ServletInstance) (made != null ? made : instances.computeIfAbsent(servlet,
                entry -> servlet.resourcePrefix() != null ? new ResourceInstance(servlet) : new ServletInstance(servlet)));
    }

    private FilterInstance filterOf(ServletApp.RegisteredFilter filter) {
        Instance<?> made = instances.get(filter);
        return (FilterInstance) (made != null ? made : instances.computeIfAbsent(filter, entry -> new FilterInstance(filter)));
    }

    private ListenerInstance listenerOf(ServletApp.RegisteredListener listener) {
        Instance<?> made = instances.get(listener);
        return (ListenerInstance) (made != null ? made : instances.computeIfAbsent(listener, entry -> new ListenerInstance(listener)));
    }

    private static void startQuietly(Instance<?> instance) {
        try {
            instance.get();
        } catch (ServletException e) {
            // logged by the instance
        }
    }

    /** One servlet, filter or listener in one context, got from the registry: started once, stopped once. */
    private abstract class Instance<S> {

        private final ServiceReference<S> reference;
        private final WhiteboardContext whiteboardContext;
        private final String configuredName;
        private final String kind;
        private ServiceObjects<S> objects;
        private S service;
        private String name;
        private ServletException failure;
        private boolean destroyed;

        Instance(ServletApp.Entry entry, String configuredName, long serviceId, String kind) {
            this.reference = cast(entry.reference());
            this.whiteboardContext = entry.context();
            this.configuredName = configuredName;
            this.kind = kind + " " + (configuredName != null ? configuredName : "service " + serviceId);
        }

        @SuppressWarnings("unchecked")
        private static <S> ServiceReference<S> cast(ServiceReference<?> reference) {
            return (ServiceReference<S>) reference;
        }

        abstract void start(S got, String name) throws ServletException;

        abstract void stop(S started);

        /** The servlet context it runs in, opened if it was not yet. */
        ServletContext context() {
            return contextOf(whiteboardContext).servletContext();
        }

        /** The service from the registry, or {@code null} when it is gone. */
        S obtain() {
            objects = app.whiteboard().getServiceObjects(reference);
            return objects == null ? null : objects.getService();
        }

        void release(S got) {
            objects.ungetService(got);
        }

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

    private class ServletInstance extends Instance<Servlet> {

        private final Map<String, String> initParams;

        ServletInstance(ServletApp.Registered servlet) {
            super(servlet, servlet.description().name(), servlet.description().serviceId(), "servlet");
            initParams = servlet.description().initParams();
        }

        @Override
        void start(Servlet got, String name) throws ServletException {
            got.init(new InstanceConfig(name, initParams, context()));
        }

        @Override
        void stop(Servlet started) {
            started.destroy();
        }
    }

    /** A resource registration: served by a {@link ResourceServlet} the whiteboard makes, nothing got from the registry. */
    private final class ResourceInstance extends ServletInstance {

        private final String prefix;

        ResourceInstance(ServletApp.Registered resource) {
            super(resource);
            prefix = resource.resourcePrefix();
        }

        @Override
        Servlet obtain() {
            return new ResourceServlet(prefix, app.bundle()::getLastModified);
        }

        @Override
        void release(Servlet got) {
            // made here, not got
        }
    }

    private final class FilterInstance extends Instance<Filter> {

        private final Map<String, String> initParams;

        FilterInstance(ServletApp.RegisteredFilter filter) {
            super(filter, filter.description().name(), filter.description().serviceId(), "filter");
            initParams = filter.description().initParams();
        }

        @Override
        void start(Filter got, String name) throws ServletException {
            got.init(new InstanceConfig(name, initParams, context()));
        }

        @Override
        void stop(Filter started) {
            started.destroy();
        }
    }

    /** A listener: told that the app started when got, that it stops when destroyed. */
    private final class ListenerInstance extends Instance<EventListener> {

        private final WhiteboardListener description;

        ListenerInstance(ServletApp.RegisteredListener listener) {
            super(listener, null, listener.description().serviceId(), "listener");
            description = listener.description();
        }

        @Override
        void start(EventListener got, String name) {
            if (description.contextEvents() && got instanceof ServletContextListener contextListener) {
                contextListener.contextInitialized(new ServletContextEvent(context()));
            }
            if (context() instanceof WhiteboardServletContext whiteboard) {
                whiteboard.listen(got, description);
                sessionEnds.started(got, description);
            }
        }

        @Override
        void stop(EventListener started) {
            if (context() instanceof WhiteboardServletContext whiteboard) {
                whiteboard.unlisten(started);
                sessionEnds.stopped(started, description);
            }
            if (description.contextEvents() && started instanceof ServletContextListener contextListener) {
                contextListener.contextDestroyed(new ServletContextEvent(context()));
            }
        }
    }
}
