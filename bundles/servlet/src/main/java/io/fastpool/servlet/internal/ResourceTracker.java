package io.fastpool.servlet.internal;

import java.lang.System.Logger.Level;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * Tracks resource registrations: services of any type with {@code osgi.http.whiteboard.resource.pattern}
 * and {@code .resource.prefix} (the whiteboard specification leaves the type open; bnd's
 * {@code @HttpWhiteboardResource} registers the component's own class). Declarative Services
 * tracks services by type, so this listens by property filter and hands each to the
 * {@link ServletWhiteboard}, which never gets the service.
 */
final class ResourceTracker implements ServiceListener {

    static final String FILTER = "(&(osgi.http.whiteboard.resource.pattern=*)(osgi.http.whiteboard.resource.prefix=*))";

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    private final BundleContext context;
    private final ServletWhiteboard whiteboard;

    /** Starts listening, then takes the registrations there already are. */
    ResourceTracker(BundleContext context, ServletWhiteboard whiteboard) {
        this.context = context;
        this.whiteboard = whiteboard;
        try {
            context.addServiceListener(this, FILTER);
            ServiceReference<?>[] present = context.getAllServiceReferences(null, FILTER);
            if (present != null) {
                for (ServiceReference<?> reference : present) {
                    whiteboard.addResource(reference);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("the resource filter " + FILTER + " does not parse", e);
        }
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        switch (event.getType()) {
            case ServiceEvent.REGISTERED, ServiceEvent.MODIFIED -> whiteboard.addResource(event.getServiceReference());
            case ServiceEvent.UNREGISTERING, ServiceEvent.MODIFIED_ENDMATCH -> whiteboard.removeResource(event.getServiceReference());
            default -> LOG.log(Level.TRACE, "service event " + event.getType() + " passed over");
        }
    }

    void close() {
        try {
            context.removeServiceListener(this);
        } catch (IllegalStateException stopped) {
            // the whiteboard's bundle is stopping: its listeners go with it
        }
    }
}
