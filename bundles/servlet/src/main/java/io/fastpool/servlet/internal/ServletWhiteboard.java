package io.fastpool.servlet.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
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
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.runtime.dto.RequestInfoDTO;
import org.osgi.service.servlet.runtime.dto.RuntimeDTO;

/**
 * The Servlet Whiteboard extender: tracks the {@code jakarta.servlet.Servlet} services that carry
 * {@code osgi.http.whiteboard.servlet.pattern}, without getting them, and groups them by the
 * bundle that registered them into one {@link ServletApp} each, which Fastpool's pool manager then
 * runs like any {@code WebApp} bundle: a pool per bundle, activated on its first request.
 *
 * <p>{@code Filter} services with {@code osgi.http.whiteboard.filter.pattern}, {@code .filter.regex}
 * or {@code .filter.servlet} join their bundle's app and filter its servlets' requests;
 * listener services with {@code osgi.http.whiteboard.listener=true} ({@code ServletContextListener},
 * {@code ServletRequestListener}, the session listeners, and the attribute listeners of the context
 * and its requests) hear of its start, stop, requests, sessions and attributes.
 *
 * <p>{@code ServletContextHelper} services with {@code osgi.http.whiteboard.context.name} and
 * {@code .context.path} are servlet contexts ({@link ServletContexts}, with the built-in default);
 * each servlet, filter, listener and resource is in the contexts its {@code .context.select} selects.
 * A servlet with {@code osgi.http.whiteboard.servlet.errorPage} is an error page of its bundle's
 * app in those contexts (it may have no pattern). A service of any type with
 * {@code osgi.http.whiteboard.resource.pattern} and {@code .resource.prefix} is a resource
 * registration of its bundle, served from its context's helper ({@link ResourceTracker}: DS can
 * only track services by their type; a servlet service carrying one, as the Felix Web Console's
 * does, is found there too, so it is tracked once). A service whose {@code osgi.http.whiteboard.target}
 * does not match Fastpool's {@link WhiteboardRuntime} is for another whiteboard and ignored
 * ({@link RuntimeTarget}). It registers Fastpool's {@code HttpServiceRuntime} ({@link WhiteboardRuntime})
 * and answers for its DTOs ({@link RuntimeDTOs}).
 */
@Component(immediate = true)
public final class ServletWhiteboard implements WhiteboardRuntime.Content {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());
    private static final String LISTENER = "(osgi.http.whiteboard.listener=true)";

    private final BundleContext context;
    private final ServletInvoker invoker = new ServletInvoker(ServletLimits.DEFAULTS, ErrorPageHandler.PLAIN, Clock.systemUTC());
    /** By bundle id; guarded by this object. */
    private final Map<Long, ServletApp> apps = new HashMap<>();
    /** Guarded by this object. */
    private final ServletContexts contexts = new ServletContexts();
    private final ResourceTracker resources;
    private final RuntimeTarget target = new RuntimeTarget();
    private final WhiteboardRuntime runtime;
    /** Services left out for their properties, with their kind, for the runtime's failure DTOs; guarded by this object. */
    private final Map<ServiceReference<?>, String> invalid = new HashMap<>();

    /** Registers Fastpool's {@code HttpServiceRuntime}, whose properties the services' targets must match. */
    @Activate
    public ServletWhiteboard(BundleContext context) {
        this.context = context;
        this.runtime = new WhiteboardRuntime(this);
        target.runtime(runtime.register(context)); // before any service is looked at: their targets are matched against it
        this.resources = new ResourceTracker(context, this);
    }

    @Reference(service = Servlet.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(|(osgi.http.whiteboard.servlet.pattern=*)(osgi.http.whiteboard.servlet.errorPage=*))")
    synchronized void addServlet(ServiceReference<Servlet> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle == null || !forThisWhiteboard("servlet", reference, () -> removeService(reference))) {
            return; // unregistered meanwhile, or for another whiteboard
        }
        WhiteboardServlet servlet;
        try {
            servlet = WhiteboardServlet.of(propertiesOf(reference));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "servlet service " + reference.getProperty("service.id") + " of bundle " + bundle.getSymbolicName()
                    + " left out: " + e.getMessage());
            removeService(reference);
            invalid.put(reference, "servlet");
            return;
        }
        reportWaiting("servlet", servlet.serviceId(), bundle, servlet.contextSelect());
        invalid.remove(reference);
        appOf(bundle).put(reference, servlet);
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
        if (bundle == null || !forThisWhiteboard("filter", reference, () -> removeService(reference))) {
            return;
        }
        WhiteboardFilter filter;
        try {
            filter = WhiteboardFilter.of(propertiesOf(reference));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "filter service " + reference.getProperty("service.id") + " of bundle " + bundle.getSymbolicName()
                    + " left out: " + e.getMessage());
            removeService(reference);
            invalid.put(reference, "filter");
            return;
        }
        reportWaiting("filter", filter.serviceId(), bundle, filter.contextSelect());
        invalid.remove(reference);
        appOf(bundle).putFilter(reference, filter);
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

    @Reference(service = HttpSessionListener.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = LISTENER)
    synchronized void addSessionListener(ServiceReference<HttpSessionListener> reference) {
        addListener(reference);
    }

    synchronized void removeSessionListener(ServiceReference<HttpSessionListener> reference) {
        removeService(reference);
    }

    @Reference(service = HttpSessionAttributeListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = LISTENER)
    synchronized void addSessionAttributeListener(ServiceReference<HttpSessionAttributeListener> reference) {
        addListener(reference);
    }

    synchronized void removeSessionAttributeListener(ServiceReference<HttpSessionAttributeListener> reference) {
        removeService(reference);
    }

    @Reference(service = HttpSessionIdListener.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = LISTENER)
    synchronized void addSessionIdListener(ServiceReference<HttpSessionIdListener> reference) {
        addListener(reference);
    }

    synchronized void removeSessionIdListener(ServiceReference<HttpSessionIdListener> reference) {
        removeService(reference);
    }

    @Reference(service = ServletContextAttributeListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = LISTENER)
    synchronized void addContextAttributeListener(ServiceReference<ServletContextAttributeListener> reference) {
        addListener(reference);
    }

    synchronized void removeContextAttributeListener(ServiceReference<ServletContextAttributeListener> reference) {
        removeService(reference);
    }

    @Reference(service = ServletRequestAttributeListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = LISTENER)
    synchronized void addRequestAttributeListener(ServiceReference<ServletRequestAttributeListener> reference) {
        addListener(reference);
    }

    synchronized void removeRequestAttributeListener(ServiceReference<ServletRequestAttributeListener> reference) {
        removeService(reference);
    }

    /** A listener service (a service may be several kinds of listener: it is kept once). */
    private void addListener(ServiceReference<? extends EventListener> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle == null || !forThisWhiteboard("listener", reference, () -> removeService(reference))) {
            return;
        }
        WhiteboardListener listener;
        try {
            listener = WhiteboardListener.of(propertiesOf(reference));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "listener service " + reference.getProperty("service.id") + " of bundle " + bundle.getSymbolicName()
                    + " left out: " + e.getMessage());
            removeService(reference);
            invalid.put(reference, "listener");
            return;
        }
        reportWaiting("listener", listener.serviceId(), bundle, listener.contextSelect());
        invalid.remove(reference);
        appOf(bundle).putListener(reference, listener);
    }

    @Reference(service = ServletContextHelper.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(&(osgi.http.whiteboard.context.name=*)(osgi.http.whiteboard.context.path=*))")
    synchronized void addContextHelper(ServiceReference<ServletContextHelper> reference) {
        if (!forThisWhiteboard("ServletContextHelper", reference, () -> removeContextHelper(reference))) {
            return;
        }
        WhiteboardContext helper;
        try {
            helper = WhiteboardContext.of(reference, propertiesOf(reference));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "ServletContextHelper service " + reference.getProperty("service.id") + " left out: " + e.getMessage());
            removeContextHelper(reference);
            invalid.put(reference, "context");
            return;
        }
        invalid.remove(reference);
        if (contexts.put(reference, helper)) {
            apps.values().forEach(ServletApp::contextsChanged);
        }
    }

    synchronized void updatedContextHelper(ServiceReference<ServletContextHelper> reference) {
        addContextHelper(reference);
    }

    synchronized void removeContextHelper(ServiceReference<ServletContextHelper> reference) {
        invalid.remove(reference);
        if (contexts.remove(reference)) {
            apps.values().forEach(ServletApp::contextsChanged);
        }
    }

    /** The runtime's DTOs: what it serves and what it could not, now. */
    @Override
    public synchronized RuntimeDTO runtime() {
        return new RuntimeDTOs(contexts, apps.values(), invalid).runtime();
    }

    @Override
    public synchronized RequestInfoDTO requestInfo(String path) {
        return new RuntimeDTOs(contexts, apps.values(), invalid).requestInfo(path);
    }

    /**
     * Whether {@code reference} is meant for this whiteboard ({@link RuntimeTarget}); one that is not
     * is taken away if it was here (its target changed) and ignored.
     */
    private boolean forThisWhiteboard(String kind, ServiceReference<?> reference, Runnable remove) {
        String refusal = target.refusal(propertiesOf(reference));
        if (refusal == null) {
            return true;
        }
        Bundle bundle = reference.getBundle();
        LOG.log(refusal.contains("not a valid filter") || refusal.contains("not a String") ? Level.WARNING : Level.DEBUG,
                () -> kind + " service " + reference.getProperty("service.id") + " of bundle "
                        + (bundle == null ? "(gone)" : bundle.getSymbolicName()) + " ignored: " + refusal);
        remove.run();
        return false;
    }

    private ServletApp appOf(Bundle bundle) {
        return apps.computeIfAbsent(bundle.getBundleId(), id -> new ServletApp(bundle, context, invoker, contexts));
    }

    /** Says so when a service selects no context there is now: it waits for one. */
    private void reportWaiting(String kind, long serviceId, Bundle bundle, String select) {
        if (contexts.selectedBy(select).isEmpty()) {
            LOG.log(Level.INFO, kind + " service " + serviceId + " of bundle " + bundle.getSymbolicName() + " selects no servlet context there is ("
                    + (select == null ? WhiteboardContext.DEFAULT_SELECT : select) + "): it is served once one it selects is registered");
        }
    }

    /** A resource registration came or changed (from the {@link ResourceTracker}). */
    synchronized void addResource(ServiceReference<?> reference) {
        Bundle bundle = reference.getBundle();
        if (bundle == null || !forThisWhiteboard("resource", reference, () -> removeResource(reference))) {
            return;
        }
        WhiteboardResource resource = WhiteboardResource.of(propertiesOf(reference));
        if (resource == null) {
            LOG.log(Level.WARNING, "resource service " + reference.getProperty("service.id") + " of bundle " + bundle.getSymbolicName()
                    + " has no resource pattern: left out");
            removeResource(reference);
            invalid.put(reference, "resource");
            return;
        }
        reportWaiting("resource", resource.servlet().serviceId(), bundle, resource.servlet().contextSelect());
        invalid.remove(reference);
        appOf(bundle).putResource(reference, resource);
    }

    /** A resource registration went (its service, or only its resource properties: a servlet service it was on stays). */
    synchronized void removeResource(ServiceReference<?> reference) {
        invalid.remove(reference);
        apps.entrySet().removeIf(entry -> entry.getValue().removeResource(reference));
    }

    private void removeService(ServiceReference<?> reference) {
        invalid.remove(reference);
        apps.entrySet().removeIf(entry -> entry.getValue().remove(reference));
    }

    @Deactivate
    synchronized void close() {
        runtime.unregister();
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
