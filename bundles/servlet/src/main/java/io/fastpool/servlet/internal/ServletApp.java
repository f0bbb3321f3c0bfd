package io.fastpool.servlet.internal;

import io.fastpool.api.Mount;
import io.fastpool.api.WebApp;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.EventListener;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * One bundle's whiteboard servlets made one Fastpool app: a {@link WebApp} service registered in
 * that bundle's name (the extender pattern), so the pool manager, which puts each app bundle's
 * apps in a pool of its own, gives the bundle its pool, its settings ({@code Fastpool-Pool}
 * header) and its class loader, and keeps its route while the bundle is updated.
 *
 * <p>Each servlet, resource, filter and listener is in the servlet contexts it selects, among those
 * there are now ({@link ServletContexts}); one that selects none waits, and joins when its context
 * comes ({@link #contextsChanged}). The bundle's filters apply to its servlets of the same context,
 * its listeners hear of its app, and its error pages ({@link ErrorPages}) answer the errors of its
 * servlets in the same context (not, so far, of other bundles' servlets in the same context). Its
 * resource registrations are served like servlets ({@link ResourceServlet}). A bundle whose
 * servlets are all error pages has no app: no request would reach it.
 *
 * <p>The service is a {@link ServiceFactory}: the pool's first {@code getService}, on the first
 * request, makes the {@link ActiveServlets} that get and {@code init} the servlets; its
 * {@code ungetService}, at the idle time-out or when the app goes, {@code destroy}s them. Every
 * consumer bundle shares that one {@code ActiveServlets}, which is destroyed when the last lets go:
 * besides the pool manager, Fastpool's JAX-RS resource pools ({@code io.fastpool.jaxrs}) run the
 * Jakarta REST whiteboard's servlets for the bundles whose resources they serve.
 *
 * <p>The app is mounted at the longest path all its routes share ({@link AppRoutes#mountPath()}:
 * context path and where the patterns meet), not at the servlet context's path alone: every bundle
 * of the default context would otherwise claim the root and only the first would be routed. The
 * properties {@code component.name} (constant, {@value #APP_NAME}) keep the pool's name for the app,
 * {@code SYMBOLIC-NAME/servlet-whiteboard}, the same across re-registrations, so requests wait in
 * its queue while the bundle swaps.
 *
 * <p>Changes ({@link #put}, {@link #remove}, {@link #contextsChanged}) are made holding the
 * whiteboard's monitor, which also guards the {@link ServletContexts}; the factory's methods do not
 * take it (the pool calls them holding its own locks, and a change may call into the pool), but a
 * lock of their own over the consumers' count.
 */
final class ServletApp implements ServiceFactory<WebApp> {

    /** The {@code component.name} of every whiteboard app: the pool names the app after it. */
    static final String APP_NAME = "servlet-whiteboard";

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());
    private static final ErrorPages<Registered> NO_ERROR_PAGES = ErrorPages.<Registered>builder().build();

    /** A servlet, filter or listener service in one servlet context. */
    interface Entry {
        ServiceReference<?> reference();

        WhiteboardContext context();
    }

    /**
     * A servlet service in one context, or a resource registration ({@code resourcePrefix} not
     * {@code null}), which the whiteboard serves itself from the context's helper.
     */
    record Registered(ServiceReference<?> reference, WhiteboardServlet description, WhiteboardContext context, String resourcePrefix)
            implements Entry {
    }

    /** A filter service in one context. */
    record RegisteredFilter(ServiceReference<Filter> reference, WhiteboardFilter description, WhiteboardContext context) implements Entry {
    }

    /** A listener service in one context. */
    record RegisteredListener(ServiceReference<? extends EventListener> reference, WhiteboardListener description, WhiteboardContext context)
            implements Entry {
    }

    /** The bundle's services as registered, whatever became of them (the runtime's DTOs). */
    record Services(Map<ServiceReference<Servlet>, WhiteboardServlet> servlets, Map<ServiceReference<?>, WhiteboardResource> resources,
            Map<ServiceReference<Filter>, WhiteboardFilter> filters, Map<ServiceReference<? extends EventListener>, WhiteboardListener> listeners) {
    }

    private final Bundle bundle;
    private final BundleContext whiteboard;
    private final ServletInvoker invoker;
    private final ServletContexts contexts;
    private final Map<ServiceReference<Servlet>, WhiteboardServlet> servlets = new HashMap<>();
    private final Map<ServiceReference<?>, WhiteboardResource> resources = new HashMap<>();
    private final Map<ServiceReference<Filter>, WhiteboardFilter> filters = new HashMap<>();
    private final Map<ServiceReference<? extends EventListener>, WhiteboardListener> listeners = new HashMap<>();
    private volatile AppRoutes routes = AppRoutes.of(List.of());
    /** By context: each context's error pages among the bundle's servlets. */
    private volatile Map<WhiteboardContext, ErrorPages<Registered>> errorPages = Map.of();
    /** In the order they run: highest ranking, then oldest, first. */
    private volatile List<RegisteredFilter> filterOrder = List.of();
    /** In the order they are told that the app starts: highest ranking, then oldest, first. */
    private volatile List<RegisteredListener> listenerOrder = List.of();
    private volatile ActiveServlets active;
    /** Guards {@link #consumers} and the making and destroying of {@link #active}. */
    private final Object activation = new Object();
    /** How many bundles hold {@link #active}. */
    private int consumers;
    private ServiceRegistration<WebApp> registration;
    private volatile String mountPath;

    /** {@code whiteboard} is the extender's context, which gets the servlets; {@code contexts} the servlet contexts there are. */
    ServletApp(Bundle bundle, BundleContext whiteboard, ServletInvoker invoker, ServletContexts contexts) {
        this.bundle = bundle;
        this.whiteboard = whiteboard;
        this.invoker = invoker;
        this.contexts = contexts;
    }

    /** A servlet came or its properties changed: the routes and error pages follow, and the app is registered or its mount moved. */
    void put(ServiceReference<Servlet> reference, WhiteboardServlet description) {
        WhiteboardServlet before = servlets.put(reference, description);
        changed(reference, before != null && !before.equals(description));
    }

    /** A resource registration came or changed (on a service of any type, a servlet's too): served from the next request. */
    void putResource(ServiceReference<?> reference, WhiteboardResource description) {
        WhiteboardResource before = resources.put(reference, description);
        changed(reference, before != null && !before.equals(description));
    }

    /** A resource registration went; returns whether nothing is left of this bundle. */
    boolean removeResource(ServiceReference<?> reference) {
        if (resources.remove(reference) != null) {
            changed(reference, true);
        }
        return isEmpty();
    }

    /** A filter came or its properties changed: it applies to this bundle's servlets from the next request. */
    void putFilter(ServiceReference<Filter> reference, WhiteboardFilter description) {
        WhiteboardFilter before = filters.put(reference, description);
        changed(reference, before != null && !before.equals(description));
    }

    /** A listener came: it is told from the next request on (or when the app starts). */
    void putListener(ServiceReference<? extends EventListener> reference, WhiteboardListener description) {
        WhiteboardListener before = listeners.put(reference, description);
        changed(reference, before != null && !before.equals(description));
    }

    /**
     * A servlet, filter or listener went (a resource registration on the same service goes by
     * {@link #removeResource}); returns whether nothing is left of this bundle (the app is
     * unregistered with its last servlet or resource).
     */
    boolean remove(ServiceReference<?> reference) {
        if (isLastRoute(reference)) {
            // The last servlet or resource (its bundle stops or updates): the pool stops giving the app requests, and
            // queues them for its return, before the routes empty; a request let in meanwhile would be answered 404.
            unregister();
        }
        boolean servlet = servlets.remove(reference) != null;
        boolean filter = filters.remove(reference) != null;
        boolean listener = listeners.remove(reference) != null;
        if (servlet || filter || listener) {
            changed(reference, true);
        }
        return isEmpty();
    }

    private boolean isEmpty() {
        return servlets.isEmpty() && resources.isEmpty() && filters.isEmpty() && listeners.isEmpty();
    }

    private boolean isLastRoute(ServiceReference<?> reference) {
        return servlets.size() + resources.size() == 1 && (servlets.containsKey(reference) || resources.containsKey(reference));
    }

    /**
     * The servlet contexts in use changed (a helper came, went or was shadowed): every service
     * selects again, and what ran in a context that is gone or replaced is destroyed, with its helper released.
     */
    void contextsChanged() {
        refresh();
        ActiveServlets current = active;
        if (current != null) {
            Set<WhiteboardContext> inUse = new HashSet<>();
            routes.targets().forEach(entry -> inUse.add(entry.context()));
            filterOrder.forEach(entry -> inUse.add(entry.context()));
            listenerOrder.forEach(entry -> inUse.add(entry.context()));
            inUse.addAll(errorPages.keySet());
            current.retainContexts(inUse);
        }
    }

    /** The whiteboard is going away. */
    void close() {
        servlets.clear();
        resources.clear();
        filters.clear();
        listeners.clear();
        refresh();
    }

    /** The filters, in the order they run, once per context each selects. */
    List<RegisteredFilter> filters() {
        return filterOrder;
    }

    /** The listeners, in the order they are told that the app starts, once per context each selects. */
    List<RegisteredListener> listeners() {
        return listenerOrder;
    }

    AppRoutes routes() {
        return routes;
    }

    /** Copies of the services; called holding the whiteboard's monitor, as changes are. */
    Services services() {
        return new Services(Map.copyOf(servlets), Map.copyOf(resources), Map.copyOf(filters), Map.copyOf(listeners));
    }

    /** The error pages of {@code context}: the bundle's servlets there with {@code osgi.http.whiteboard.servlet.errorPage}. */
    ErrorPages<Registered> errorPages(WhiteboardContext context) {
        return errorPages.getOrDefault(context, NO_ERROR_PAGES);
    }

    /** The contexts in which the bundle has error pages. */
    Set<WhiteboardContext> errorPageContexts() {
        return errorPages.keySet();
    }

    String mountPath() {
        return mountPath;
    }

    Bundle bundle() {
        return bundle;
    }

    String bundleName() {
        return bundle.getSymbolicName();
    }

    BundleContext whiteboard() {
        return whiteboard;
    }

    ServletInvoker invoker() {
        return invoker;
    }

    @Override
    public WebApp getService(Bundle consumer, ServiceRegistration<WebApp> registration) {
        synchronized (activation) {
            if (consumers++ == 0) {
                ActiveServlets servlets = new ActiveServlets(this);
                active = servlets;
                servlets.initialiseAll();
            }
            return active;
        }
    }

    @Override
    public void ungetService(Bundle consumer, ServiceRegistration<WebApp> registration, WebApp service) {
        synchronized (activation) {
            if (--consumers > 0) {
                return;
            }
            if (active == service) {
                active = null;
            }
            ((ActiveServlets) service).destroyAll();
        }
    }

    /** After a change of {@code reference}'s service: what ran of it goes if it {@code changed}, then everything selects again. */
    private void changed(ServiceReference<?> reference, boolean changed) {
        ActiveServlets current = active;
        if (changed && current != null) {
            current.discard(reference); // initialised again, with its new properties, on its next request
        }
        refresh();
    }

    /** Routes, filters and listeners made again from the services and the contexts they select; the registration follows. */
    private void refresh() {
        List<Registered> entries = new ArrayList<>();
        servlets.forEach((reference, description) -> {
            for (WhiteboardContext context : contexts.selectedBy(description.contextSelect())) {
                entries.add(new Registered(reference, description, context, null));
            }
        });
        resources.forEach((reference, resource) -> {
            for (WhiteboardContext context : contexts.selectedBy(resource.servlet().contextSelect())) {
                entries.add(new Registered(reference, resource.servlet(), context, resource.prefix()));
            }
        });
        entries.sort(byRank((Registered a, Registered b) -> a.description().outranks(b.description())));
        routes = AppRoutes.of(entries);
        errorPages = errorPagesOf(entries);
        List<RegisteredFilter> filterEntries = new ArrayList<>();
        filters.forEach((reference, description) -> contexts.selectedBy(description.contextSelect())
                .forEach(context -> filterEntries.add(new RegisteredFilter(reference, description, context))));
        filterEntries.sort(byRank((RegisteredFilter a, RegisteredFilter b) -> a.description().outranks(b.description())));
        filterOrder = List.copyOf(filterEntries);
        List<RegisteredListener> listenerEntries = new ArrayList<>();
        listeners.forEach((reference, description) -> contexts.selectedBy(description.contextSelect())
                .forEach(context -> listenerEntries.add(new RegisteredListener(reference, description, context))));
        listenerEntries.sort(byRank((RegisteredListener a, RegisteredListener b) -> a.description().outranks(b.description())));
        listenerOrder = List.copyOf(listenerEntries);
        if (routes.isEmpty()) {
            unregister();
            return;
        }
        String path = routes.mountPath();
        if (registration == null) {
            register(path);
        } else if (!path.equals(mountPath)) {
            try {
                registration.setProperties(properties(path));
                mountPath = path;
            } catch (IllegalStateException unregistered) {
                registration = null; // its bundle stopped; the framework took it away
                register(path);
            }
        }
    }

    private void register(String path) {
        if (bundle.getState() == Bundle.STOPPING) {
            return; // its services are being taken away; one registered now could outlive the bundle's stop
        }
        BundleContext context = bundle.getBundleContext();
        if (context == null) {
            LOG.log(Level.WARNING, "servlets of bundle " + bundle.getSymbolicName() + " not served: the bundle is not active");
            return;
        }
        registration = context.registerService(WebApp.class, this, properties(path));
        mountPath = path;
    }

    private void unregister() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered with its bundle
            }
            registration = null;
            mountPath = null;
        }
    }

    private Dictionary<String, Object> properties(String path) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Mount.PATH, path);
        properties.put("component.name", APP_NAME);
        properties.put(Constants.SERVICE_DESCRIPTION, "the Servlet Whiteboard servlets of " + bundle.getSymbolicName());
        return properties;
    }

    /** Those that {@code outranks} others first. */
    private static <T> Comparator<T> byRank(BiPredicate<T, T> outranks) {
        return (a, b) -> outranks.test(a, b) ? -1 : outranks.test(b, a) ? 1 : 0;
    }

    /** By context, each status code, class of codes and exception class to the highest-ranked servlet that is its error page. */
    static Map<WhiteboardContext, ErrorPages<Registered>> errorPagesOf(List<Registered> byRank) {
        Map<WhiteboardContext, ErrorPages.Builder<Registered>> builders = new HashMap<>();
        for (Registered servlet : byRank) {
            for (String error : servlet.description().errorPages()) {
                ErrorPages.Builder<Registered> builder = builders.computeIfAbsent(servlet.context(), c -> ErrorPages.builder());
                if (!ErrorPages.isValid(error.trim())) {
                    LOG.log(Level.WARNING, "servlet service " + servlet.description().serviceId() + " is the error page for '" + error
                            + "', which is neither a status from 400 to 599, 4xx, 5xx nor an exception class name: left out");
                } else if (!builder.add(error, servlet)) {
                    LOG.log(Level.DEBUG, () -> "error page " + error + " of servlet service " + servlet.description().serviceId()
                            + " in context " + servlet.context().name() + " is shadowed by a higher-ranked servlet");
                }
            }
        }
        Map<WhiteboardContext, ErrorPages<Registered>> pages = new HashMap<>();
        builders.forEach((context, builder) -> {
            ErrorPages<Registered> built = builder.build();
            if (!built.isEmpty()) {
                pages.put(context, built);
            }
        });
        return Map.copyOf(pages);
    }
}
