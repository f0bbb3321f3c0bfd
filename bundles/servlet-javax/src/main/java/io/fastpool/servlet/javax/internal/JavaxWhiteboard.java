package io.fastpool.servlet.javax.internal;

import java.util.HashMap;
import java.util.Map;
import javax.servlet.Filter;
import javax.servlet.Servlet;
import javax.servlet.ServletContextAttributeListener;
import javax.servlet.ServletContextListener;
import javax.servlet.ServletRequestAttributeListener;
import javax.servlet.ServletRequestListener;
import javax.servlet.http.HttpSessionAttributeListener;
import javax.servlet.http.HttpSessionIdListener;
import javax.servlet.http.HttpSessionListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.http.context.ServletContextHelper;

/**
 * The javax HTTP Whiteboard (OSGi R7): tracks the javax servlets, filters, listeners and servlet
 * context helpers that carry the whiteboard's properties, without getting them, and registers each
 * again as the Jakarta service the Servlet Whiteboard (R8.1, {@code io.fastpool.servlet}) serves,
 * in its own bundle's name ({@link Mirror}). The two whiteboards' properties have the same names
 * and meanings, so they are copied as they are; everything the Jakarta whiteboard does (a pool per
 * bundle, demand start, idle release, hot swap, contexts) holds for javax bundles too, and this
 * bundle never handles a request.
 *
 * <p>Only services whose bundle sees the same javax Servlet API as this one are tracked (SCR's
 * class-space check): one built against another would not fit the wrappers anyway.
 */
@Component(immediate = true)
public final class JavaxWhiteboard {

    private static final String LISTENER = "(osgi.http.whiteboard.listener=true)";

    /** A javax service mirrored as one kind; a service that is, say, a servlet and a listener has two mirrors. */
    private record Key(ServiceReference<?> reference, Kind kind) {
    }

    /** Guarded by this object. */
    private final Map<Key, Mirror> mirrors = new HashMap<>();

    @Reference(service = Servlet.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(|(osgi.http.whiteboard.servlet.pattern=*)(osgi.http.whiteboard.servlet.errorPage=*)(osgi.http.whiteboard.servlet.name=*)"
                    + "(osgi.http.whiteboard.resource.pattern=*))")
    void addServlet(ServiceReference<Servlet> reference) {
        add(reference, Kind.SERVLET);
    }

    void updatedServlet(ServiceReference<Servlet> reference) {
        update(reference, Kind.SERVLET);
    }

    void removeServlet(ServiceReference<Servlet> reference) {
        remove(reference, Kind.SERVLET);
    }

    @Reference(service = Filter.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(|(osgi.http.whiteboard.filter.pattern=*)(osgi.http.whiteboard.filter.regex=*)(osgi.http.whiteboard.filter.servlet=*))")
    void addFilter(ServiceReference<Filter> reference) {
        add(reference, Kind.FILTER);
    }

    void updatedFilter(ServiceReference<Filter> reference) {
        update(reference, Kind.FILTER);
    }

    void removeFilter(ServiceReference<Filter> reference) {
        remove(reference, Kind.FILTER);
    }

    @Reference(service = ServletContextHelper.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(osgi.http.whiteboard.context.name=*)")
    void addContextHelper(ServiceReference<ServletContextHelper> reference) {
        add(reference, Kind.CONTEXT_HELPER);
    }

    void updatedContextHelper(ServiceReference<ServletContextHelper> reference) {
        update(reference, Kind.CONTEXT_HELPER);
    }

    void removeContextHelper(ServiceReference<ServletContextHelper> reference) {
        remove(reference, Kind.CONTEXT_HELPER);
    }

    // The listener interfaces, one reference each (a service registered under several is mirrored once, under all).

    @Reference(service = ServletContextListener.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = LISTENER)
    void addContextListener(ServiceReference<ServletContextListener> reference) {
        add(reference, Kind.LISTENER);
    }

    void updatedContextListener(ServiceReference<ServletContextListener> reference) {
        update(reference, Kind.LISTENER);
    }

    void removeContextListener(ServiceReference<ServletContextListener> reference) {
        remove(reference, Kind.LISTENER);
    }

    @Reference(service = ServletContextAttributeListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = LISTENER)
    void addContextAttributeListener(ServiceReference<ServletContextAttributeListener> reference) {
        add(reference, Kind.LISTENER);
    }

    void updatedContextAttributeListener(ServiceReference<ServletContextAttributeListener> reference) {
        update(reference, Kind.LISTENER);
    }

    void removeContextAttributeListener(ServiceReference<ServletContextAttributeListener> reference) {
        remove(reference, Kind.LISTENER);
    }

    @Reference(service = ServletRequestListener.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = LISTENER)
    void addRequestListener(ServiceReference<ServletRequestListener> reference) {
        add(reference, Kind.LISTENER);
    }

    void updatedRequestListener(ServiceReference<ServletRequestListener> reference) {
        update(reference, Kind.LISTENER);
    }

    void removeRequestListener(ServiceReference<ServletRequestListener> reference) {
        remove(reference, Kind.LISTENER);
    }

    @Reference(service = ServletRequestAttributeListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = LISTENER)
    void addRequestAttributeListener(ServiceReference<ServletRequestAttributeListener> reference) {
        add(reference, Kind.LISTENER);
    }

    void updatedRequestAttributeListener(ServiceReference<ServletRequestAttributeListener> reference) {
        update(reference, Kind.LISTENER);
    }

    void removeRequestAttributeListener(ServiceReference<ServletRequestAttributeListener> reference) {
        remove(reference, Kind.LISTENER);
    }

    @Reference(service = HttpSessionListener.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = LISTENER)
    void addSessionListener(ServiceReference<HttpSessionListener> reference) {
        add(reference, Kind.LISTENER);
    }

    void updatedSessionListener(ServiceReference<HttpSessionListener> reference) {
        update(reference, Kind.LISTENER);
    }

    void removeSessionListener(ServiceReference<HttpSessionListener> reference) {
        remove(reference, Kind.LISTENER);
    }

    @Reference(service = HttpSessionAttributeListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = LISTENER)
    void addSessionAttributeListener(ServiceReference<HttpSessionAttributeListener> reference) {
        add(reference, Kind.LISTENER);
    }

    void updatedSessionAttributeListener(ServiceReference<HttpSessionAttributeListener> reference) {
        update(reference, Kind.LISTENER);
    }

    void removeSessionAttributeListener(ServiceReference<HttpSessionAttributeListener> reference) {
        remove(reference, Kind.LISTENER);
    }

    @Reference(service = HttpSessionIdListener.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = LISTENER)
    void addSessionIdListener(ServiceReference<HttpSessionIdListener> reference) {
        add(reference, Kind.LISTENER);
    }

    void updatedSessionIdListener(ServiceReference<HttpSessionIdListener> reference) {
        update(reference, Kind.LISTENER);
    }

    void removeSessionIdListener(ServiceReference<HttpSessionIdListener> reference) {
        remove(reference, Kind.LISTENER);
    }

    /** The Jakarta whiteboard hears of the mirrors while this holds its monitor; it never calls back into this. */
    private synchronized void add(ServiceReference<?> reference, Kind kind) {
        Key key = new Key(reference, kind);
        if (!mirrors.containsKey(key)) {
            Mirror mirror = new Mirror(reference, kind);
            mirrors.put(key, mirror);
            mirror.register();
        }
    }

    private synchronized void update(ServiceReference<?> reference, Kind kind) {
        Mirror mirror = mirrors.get(new Key(reference, kind));
        if (mirror != null) {
            mirror.update();
        }
    }

    private synchronized void remove(ServiceReference<?> reference, Kind kind) {
        Mirror mirror = mirrors.remove(new Key(reference, kind));
        if (mirror != null) {
            mirror.unregister();
        }
    }

    /** The mirrors are registered in other bundles' names: the framework would not take them away with this one. */
    @Deactivate
    synchronized void close() {
        mirrors.values().forEach(Mirror::unregister);
        mirrors.clear();
    }
}
