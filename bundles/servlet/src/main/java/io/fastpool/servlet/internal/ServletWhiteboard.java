package io.fastpool.servlet.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.lang.System.Logger.Level;
import java.time.Clock;
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
 * or {@code .filter.servlet} join their bundle's app and filter its servlets' requests.
 *
 * <p>Only the default servlet context is served so far; a servlet or filter selecting another
 * context ({@code osgi.http.whiteboard.context.select}) is logged and left out. Listeners,
 * resources, error pages and {@code HttpServiceRuntime} are not there yet ({@code docs/servlet.md}).
 */
@Component(immediate = true)
public final class ServletWhiteboard {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    private final BundleContext context;
    private final ServletInvoker invoker = new ServletInvoker(ServletLimits.DEFAULTS, ErrorPageHandler.PLAIN, Clock.systemUTC());
    /** By bundle id; guarded by this object. */
    private final Map<Long, ServletApp> apps = new HashMap<>();

    @Activate
    public ServletWhiteboard(BundleContext context) {
        this.context = context;
    }

    @Reference(service = Servlet.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(osgi.http.whiteboard.servlet.pattern=*)")
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

    private void removeService(ServiceReference<?> reference) {
        apps.entrySet().removeIf(entry -> entry.getValue().remove(reference));
    }

    @Deactivate
    synchronized void close() {
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
