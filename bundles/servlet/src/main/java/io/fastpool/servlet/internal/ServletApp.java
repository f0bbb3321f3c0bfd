package io.fastpool.servlet.internal;

import io.fastpool.api.Mount;
import io.fastpool.api.WebApp;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.EventListener;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
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
 * <p>The bundle's filters apply to its servlets, its listeners hear of its app, and its error pages
 * ({@link ErrorPages}) answer its servlets' errors (not, so far, other bundles' in the same context).
 * Its resource registrations are served like servlets ({@link ResourceServlet}). A bundle whose
 * servlets are all error pages has no app: no request would reach it.
 *
 * <p>The service is a {@link ServiceFactory}: the pool's first {@code getService}, on the first
 * request, makes the {@link ActiveServlets} that get and {@code init} the servlets; its
 * {@code ungetService}, at the idle time-out or when the app goes, {@code destroy}s them. It expects
 * one consumer, the pool manager: another bundle getting the service would start the servlets again.
 *
 * <p>The app is mounted at the longest path all its patterns share ({@link ServletMapping#commonPrefix()}),
 * not at the servlet context's path: every bundle of the default context would otherwise claim the
 * root and only the first would be routed. The properties {@code component.name} (constant,
 * {@value #APP_NAME}) keep the pool's name for the app, {@code SYMBOLIC-NAME/servlet-whiteboard},
 * the same across re-registrations, so requests wait in its queue while the bundle swaps.
 *
 * <p>Changes ({@link #put}, {@link #remove}) hold this object's monitor; the factory's methods do
 * not take it (the pool calls them holding its own locks, and a change may call into the pool).
 */
final class ServletApp implements ServiceFactory<WebApp> {

    /** The {@code component.name} of every whiteboard app: the pool names the app after it. */
    static final String APP_NAME = "servlet-whiteboard";

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    /**
     * A servlet service and what its properties say; or a resource registration, served by a
     * {@link ResourceServlet} with {@code resourcePrefix} (null for a servlet).
     */
    record Registered(ServiceReference<?> reference, WhiteboardServlet description, String resourcePrefix) {
    }

    /** A filter service and what its properties say. */
    record RegisteredFilter(ServiceReference<Filter> reference, WhiteboardFilter description) {
    }

    /** A listener service and what its properties say. */
    record RegisteredListener(ServiceReference<? extends EventListener> reference, WhiteboardListener description) {
    }

    private final Bundle bundle;
    private final BundleContext whiteboard;
    private final ServletInvoker invoker;
    private final Map<ServiceReference<Servlet>, WhiteboardServlet> servlets = new HashMap<>();
    private final Map<ServiceReference<?>, WhiteboardResource> resources = new HashMap<>();
    private final Map<ServiceReference<Filter>, WhiteboardFilter> filters = new HashMap<>();
    private volatile ServletMapping<Registered> mapping = ServletMapping.<Registered>builder().build();
    private volatile ErrorPages<Registered> errorPages = ErrorPages.<Registered>builder().build();
    /** In the order they run: highest ranking, then oldest, first. */
    private volatile List<RegisteredFilter> filterOrder = List.of();
    private final Map<ServiceReference<? extends EventListener>, WhiteboardListener> listeners = new HashMap<>();
    /** In the order they are told that the app starts: highest ranking, then oldest, first. */
    private volatile List<RegisteredListener> listenerOrder = List.of();
    private volatile ActiveServlets active;
    private ServiceRegistration<WebApp> registration;
    private String mountPath;

    /** {@code whiteboard} is the extender's context, which gets the servlets. */
    ServletApp(Bundle bundle, BundleContext whiteboard, ServletInvoker invoker) {
        this.bundle = bundle;
        this.whiteboard = whiteboard;
        this.invoker = invoker;
    }

    /** A servlet came or its properties changed: the mapping follows, and the app is registered or its mount moved. */
    synchronized void put(ServiceReference<Servlet> reference, WhiteboardServlet description) {
        WhiteboardServlet before = servlets.put(reference, description);
        ActiveServlets current = active;
        if (before != null && !before.equals(description) && current != null) {
            current.discard(reference); // initialised again, with its new parameters, on its next request
        }
        refresh();
    }

    /** A resource registration came or changed: served from the next request. */
    synchronized void putResource(ServiceReference<?> reference, WhiteboardResource description) {
        WhiteboardResource before = resources.put(reference, description);
        ActiveServlets current = active;
        if (before != null && !before.equals(description) && current != null) {
            current.discard(reference);
        }
        refresh();
    }

    /** A filter came or its properties changed: it applies to this bundle's servlets from the next request. */
    synchronized void putFilter(ServiceReference<Filter> reference, WhiteboardFilter description) {
        WhiteboardFilter before = filters.put(reference, description);
        ActiveServlets current = active;
        if (before != null && !before.equals(description) && current != null) {
            current.discard(reference);
        }
        filterOrder = filterOrderOf(filters);
    }

    /** A listener came: it is told from the next request on (or when the app starts). */
    synchronized void putListener(ServiceReference<? extends EventListener> reference, WhiteboardListener description) {
        listeners.put(reference, description);
        listenerOrder = ordered(listeners, RegisteredListener::new, (a, b) -> a.description().outranks(b.description()));
    }

    /**
     * A servlet, filter or listener went; returns whether nothing is left of this bundle (the app
     * is unregistered with its last servlet).
     */
    synchronized boolean remove(ServiceReference<?> reference) {
        boolean servlet = servlets.remove(reference) != null | resources.remove(reference) != null;
        boolean filter = filters.remove(reference) != null;
        boolean listener = listeners.remove(reference) != null;
        if (servlet || filter || listener) {
            ActiveServlets current = active;
            if (current != null) {
                current.discard(reference);
            }
            filterOrder = filterOrderOf(filters);
            listenerOrder = ordered(listeners, RegisteredListener::new, (a, b) -> a.description().outranks(b.description()));
        }
        if (servlet) {
            refresh();
        }
        return servlets.isEmpty() && resources.isEmpty() && filters.isEmpty() && listeners.isEmpty();
    }

    /** The whiteboard is going away. */
    synchronized void close() {
        servlets.clear();
        resources.clear();
        filters.clear();
        filterOrder = List.of();
        listeners.clear();
        listenerOrder = List.of();
        refresh();
    }

    /** The filters, in the order they run. */
    List<RegisteredFilter> filters() {
        return filterOrder;
    }

    /** The listeners, in the order they are told that the app starts. */
    List<RegisteredListener> listeners() {
        return listenerOrder;
    }

    ServletMapping<Registered> mapping() {
        return mapping;
    }

    /** The app's error pages: its servlets' {@code osgi.http.whiteboard.servlet.errorPage}s. */
    ErrorPages<Registered> errorPages() {
        return errorPages;
    }

    synchronized String mountPath() {
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
    public WebApp getService(Bundle pool, ServiceRegistration<WebApp> registration) {
        ActiveServlets servlets = new ActiveServlets(this);
        active = servlets;
        servlets.initialiseAll();
        return servlets;
    }

    @Override
    public void ungetService(Bundle pool, ServiceRegistration<WebApp> registration, WebApp service) {
        if (active == service) {
            active = null;
        }
        ((ActiveServlets) service).destroyAll();
    }

    private void refresh() {
        List<Registered> byRank = byRank(servlets, resources);
        errorPages = errorPagesOf(byRank);
        mapping = mappingOf(byRank);
        if (mapping.isEmpty()) {
            unregister();
            return;
        }
        String prefix = mapping.commonPrefix();
        String path = prefix.isEmpty() ? "/" : prefix;
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

    private static List<RegisteredFilter> filterOrderOf(Map<ServiceReference<Filter>, WhiteboardFilter> filters) {
        return ordered(filters, RegisteredFilter::new, (a, b) -> a.description().outranks(b.description()));
    }

    /** The entries of {@code services} made into {@code R}s, those that {@code outranks} others first. */
    private static <K, D, R> List<R> ordered(Map<K, D> services, BiFunction<K, D, R> make, BiPredicate<R, R> outranks) {
        List<R> order = new ArrayList<>();
        services.forEach((reference, description) -> order.add(make.apply(reference, description)));
        order.sort((a, b) -> outranks.test(a, b) ? -1 : outranks.test(b, a) ? 1 : 0);
        return List.copyOf(order);
    }

    /** Servlets and resources, the highest ranking, then the oldest, first. */
    static List<Registered> byRank(Map<ServiceReference<Servlet>, WhiteboardServlet> servlets,
            Map<ServiceReference<?>, WhiteboardResource> resources) {
        List<Registered> byRank = new ArrayList<>();
        servlets.forEach((reference, description) -> byRank.add(new Registered(reference, description, null)));
        resources.forEach((reference, resource) -> byRank.add(new Registered(reference, resource.servlet(), resource.prefix())));
        byRank.sort((a, b) -> a.description().outranks(b.description()) ? -1 : b.description().outranks(a.description()) ? 1 : 0);
        return byRank;
    }

    /**
     * The mapping of these servlets (by rank): each pattern to the highest-ranked servlet that
     * claims it. A pattern the specification does not allow is logged and left out.
     */
    static ServletMapping<Registered> mappingOf(List<Registered> byRank) {
        ServletMapping.Builder<Registered> builder = ServletMapping.builder();
        for (Registered servlet : byRank) {
            for (String pattern : servlet.description().patterns()) {
                if (!ServletMapping.isValidPattern(pattern)) {
                    LOG.log(Level.WARNING, "servlet service " + servlet.description().serviceId() + " has the pattern '" + pattern
                            + "', which the Servlet specification does not allow (exact /path, /prefix/*, *.ext, / or \"\"): left out");
                } else if (!builder.add(pattern, servlet)) {
                    LOG.log(Level.DEBUG, () -> "pattern " + pattern + " of servlet service " + servlet.description().serviceId()
                            + " is shadowed by a higher-ranked servlet");
                }
            }
        }
        return builder.build();
    }

    /** Each status code, class of codes and exception class to the highest-ranked servlet that is its error page. */
    static ErrorPages<Registered> errorPagesOf(List<Registered> byRank) {
        ErrorPages.Builder<Registered> builder = ErrorPages.builder();
        for (Registered servlet : byRank) {
            for (String error : servlet.description().errorPages()) {
                if (!ErrorPages.isValid(error.trim())) {
                    LOG.log(Level.WARNING, "servlet service " + servlet.description().serviceId() + " is the error page for '" + error
                            + "', which is neither a status from 400 to 599, 4xx, 5xx nor an exception class name: left out");
                } else if (!builder.add(error, servlet)) {
                    LOG.log(Level.DEBUG, () -> "error page " + error + " of servlet service " + servlet.description().serviceId()
                            + " is shadowed by a higher-ranked servlet");
                }
            }
        }
        return builder.build();
    }
}
