package io.fastpool.servlet.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequestListener;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.EventListener;
import java.util.HashMap;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Servlet Whiteboard extender: tracks the {@code jakarta.servlet.Servlet} services that carry
 * {@code osgi.http.whiteboard.servlet.pattern}, without getting them, and groups them by the
 * bundle that registered them into one {@link ServletApp} each, which Fastpool's pool manager then
 * runs like any {@code WebApp} bundle: a pool per bundle, activated on its first request.
 *
 * <p>{@code Filter} services with {@code osgi.http.whiteboard.filter.pattern}, {@code .filter.regex}
 * or {@code .filter.servlet} join their bundle's app and filter its servlets' requests;
 * {@code ServletContextListener} and {@code ServletRequestListener} services with
 * {@code osgi.http.whiteboard.listener=true} hear of its start, stop and requests.
 *
 * <p>A servlet with {@code osgi.http.whiteboard.servlet.errorPage} is an error page of its bundle's
 * app (it may have no pattern). A service of any type with {@code osgi.http.whiteboard.resource.pattern}
 * and {@code .resource.prefix} is a resource registration of its bundle ({@link ResourceTracker}: DS
 * can only track services by their type).
 *
 * <p>Only the default servlet context is served so far; a servlet or filter selecting another
 * context ({@code osgi.http.whiteboard.context.select}) is logged and left out. Other listener
 * kinds and {@code HttpServiceRuntime} are not there yet ({@code docs/servlet.md}).
 */
@Component(immediate = true)
public final class ServletWhiteboard {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());
    private static final String LISTENER = "(osgi.http.whiteboard.listener=true)";

    private final BundleContext context;
    private final ServletInvoker invoker = new ServletInvoker(ServletLimits.DEFAULTS, ErrorPageHandler.PLAIN, Clock.systemUTC());
    /** By bundle id; guarded by this object. */
    private final Map<Long, ServletApp> apps = new HashMap<>();
    private final ResourceTracker resources;

    @Activate
    public ServletWhiteboard(BundleContext context) {
        this.context = context;
        this.resources = new ResourceTracker(context, this);
    }

    @Reference(service = Servlet.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(|(osgi.http.whiteboard.servlet.pattern=*)(osgi.http.whiteboard.servlet.errorPage=*))")
    synchronized void addServlet(ServiceReference<Servlet> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle == null) {
            return; // unregistered meanwhile
        }
        WhiteboardServlet servlet;
        try {
            servlet = WhiteboardServlet.of(propertiesOf(reference));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "servlet service " + reference.getProperty("service.id") + " of bundle " + bundle.getSymbolicName()
                    + " left out: " + e.getMessage());
            removeService(reference);
            return;
        }
        if (!servlet.servesDefaultContext()) {
            LOG.log(Level.WARNING, "servlet service " + servlet.serviceId() + " of bundle " + bundle.getSymbolicName()
                    + " selects the servlet context " + servlet.contextSelect() + "; only the default context is served yet: left out");
            removeService(reference);
            return;
        }
        apps.computeIfAbsent(bundle.getBundleId(), id -> new ServletApp(bundle, context, invoker)).put(reference, servlet);
    }

    synchronized void updatedServlet(ServiceReference<Servlet> reference) {
        addServlet(reference);
    }

    synchronized void removeServlet(ServiceReference<Servlet> reference) {
        removeService(reference);
    }

    @Reference(service = Filter.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(|(osgi.http.whiteboard.filter.pattern=*)(osgi.http.whiteboard.filter.regex=*)(osgi.http.whiteboard.filter.servlet=*))")
    synchronized void addFilter(ServiceReference<Filter> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle == null) {
            return;
        }
        WhiteboardFilter filter;
        try {
            filter = WhiteboardFilter.of(propertiesOf(reference));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "filter service " + reference.getProperty("service.id") + " of bundle " + bundle.getSymbolicName()
                    + " left out: " + e.getMessage());
            removeService(reference);
            return;
        }
        if (!filter.servesDefaultContext()) {
            LOG.log(Level.WARNING, "filter service " + filter.serviceId() + " of bundle " + bundle.getSymbolicName()
                    + " selects the servlet context " + filter.contextSelect() + "; only the default context is served yet: left out");
            removeService(reference);
            return;
        }
        apps.computeIfAbsent(bundle.getBundleId(), id -> new ServletApp(bundle, context, invoker)).putFilter(reference, filter);
    }

    synchronized void updatedFilter(ServiceReference<Filter> reference) {
        addFilter(reference);
    }

    synchronized void removeFilter(ServiceReference<Filter> reference) {
        removeService(reference);
    }

    @Reference(service = ServletContextListener.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = LISTENER)
    synchronized void addContextListener(ServiceReference<ServletContextListener> reference) {
        addListener(reference);
    }

    synchronized void removeContextListener(ServiceReference<ServletContextListener> reference) {
        removeService(reference);
    }

    @Reference(service = ServletRequestListener.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = LISTENER)
    synchronized void addRequestListener(ServiceReference<ServletRequestListener> reference) {
        addListener(reference);
    }

    synchronized void removeRequestListener(ServiceReference<ServletRequestListener> reference) {
        removeService(reference);
    }

    /** A listener service (a service may be several kinds of listener: it is kept once). */
    private void addListener(ServiceReference<? extends EventListener> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle == null) {
            return;
        }
        WhiteboardListener listener = WhiteboardListener.of(propertiesOf(reference));
        if (!listener.servesDefaultContext()) {
            LOG.log(Level.WARNING, "listener service " + listener.serviceId() + " of bundle " + bundle.getSymbolicName()
                    + " selects the servlet context " + listener.contextSelect() + "; only the default context is served yet: left out");
            return;
        }
        apps.computeIfAbsent(bundle.getBundleId(), id -> new ServletApp(bundle, context, invoker)).putListener(reference, listener);
    }

    /** A resource registration came or changed (from the {@link ResourceTracker}). */
    synchronized void addResource(ServiceReference<?> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle == null) {
            return;
        }
        WhiteboardResource resource = WhiteboardResource.of(propertiesOf(reference));
        if (resource == null || !resource.servlet().servesDefaultContext()) {
            LOG.log(Level.WARNING, "resource service " + reference.getProperty("service.id") + " of bundle " + bundle.getSymbolicName()
                    + (resource == null ? " has no resource prefix" : " selects the servlet context " + resource.servlet().contextSelect()
                    + "; only the default context is served yet") + ": left out");
            removeService(reference);
            return;
        }
        apps.computeIfAbsent(bundle.getBundleId(), id -> new ServletApp(bundle, context, invoker)).putResource(reference, resource);
    }

    synchronized void removeResource(ServiceReference<?> reference) {
        removeService(reference);
    }

    private void removeService(ServiceReference<?> reference) {
        apps.entrySet().removeIf(entry -> entry.getValue().remove(reference));
    }

    @Deactivate
    synchronized void close() {
        resources.close();
        apps.values().forEach(ServletApp::close);
        apps.clear();
    }

    private static Map<String, Object> propertiesOf(ServiceReference<?> reference) {
        Map<String, Object> properties = new HashMap<>();
        for (String key : reference.getPropertyKeys()) {
            properties.put(key, reference.getProperty(key));
        }
        return properties;
    }
}
