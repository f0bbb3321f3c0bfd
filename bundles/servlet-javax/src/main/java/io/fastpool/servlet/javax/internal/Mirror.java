package io.fastpool.servlet.javax.internal;

import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * One javax whiteboard service registered again as its Jakarta counterpart, in the name of the bundle
 * that registered it and with its properties, so the Servlet Whiteboard cannot tell it from a
 * Jakarta service of that bundle: the bundle gets its pool, its servlets start on the first request
 * and stop at the idle time-out, and its routes stay while it swaps.
 *
 * <p>The registration is a {@link ServiceFactory}: nothing of the javax service is got until the
 * whiteboard gets the mirror. Then the javax service is got in the same consumer's name (a helper
 * in the servlet bundle's name, as the whiteboard gets it; prototype and bundle scopes keep their
 * meaning) and wrapped ({@link Kind#wrap}); when the whiteboard lets go, the javax service is
 * released.
 *
 * <p>{@link #register}, {@link #update} and {@link #unregister} hold this object's monitor; the
 * factory's methods do not take it (the framework may call them from any thread, during a
 * registration).
 */
final class Mirror implements ServiceFactory<Object> {

    /** The property that names the javax service a mirror stands for (its {@code service.id}). */
    static final String JAVAX_SERVICE_ID = "fastpool.javax.service.id";

    /** Properties the framework sets on every registration; the mirror gets its own. */
    private static final Set<String> FRAMEWORK_PROPERTIES = Set.of(Constants.OBJECTCLASS, Constants.SERVICE_ID,
            Constants.SERVICE_BUNDLEID, Constants.SERVICE_SCOPE);

    private static final System.Logger LOG = System.getLogger(JavaxWhiteboard.class.getName());

    private final ServiceReference<?> javax;
    private final Kind kind;
    private final List<String> jakartaTypes;
    /** What each wrapper handed out releases: the javax service it wraps. */
    private final Map<Object, Runnable> handedOut = Collections.synchronizedMap(new IdentityHashMap<>());
    private ServiceRegistration<?> registration;

    Mirror(ServiceReference<?> javax, Kind kind) {
        this.javax = javax;
        this.kind = kind;
        this.jakartaTypes = kind.jakartaTypes(typesOf(javax));
    }

    /**
     * Registers the mirror in the name of the javax service's bundle; nothing when that bundle is
     * stopping (a registration made now could outlive it) or the service went meanwhile.
     */
    synchronized void register() {
        Bundle bundle = javax.getBundle();
        if (bundle == null || bundle.getState() == Bundle.STOPPING || jakartaTypes.isEmpty()) {
            return;
        }
        BundleContext context = bundle.getBundleContext();
        if (context == null) {
            return;
        }
        try {
            registration = context.registerService(jakartaTypes.toArray(String[]::new), this, properties());
        } catch (IllegalStateException stopped) {
            LOG.log(Level.DEBUG, () -> "javax " + kind.label() + " " + javax.getProperty(Constants.SERVICE_ID) + " not mirrored: "
                    + bundle.getSymbolicName() + " stopped meanwhile");
        }
    }

    /** The javax service's properties changed: the mirror's follow. */
    synchronized void update() {
        if (registration == null) {
            return;
        }
        try {
            registration.setProperties(properties());
        } catch (IllegalStateException unregistered) {
            registration = null; // its bundle stopped; the framework took it away
        }
    }

    /** The javax service went (or the javax whiteboard stops): so does the mirror. */
    synchronized void unregister() {
        if (registration == null) {
            return;
        }
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // unregistered with its bundle
        }
        registration = null;
    }

    /** The Jakarta interfaces it is registered under. */
    List<String> jakartaTypes() {
        return jakartaTypes;
    }

    @Override
    public Object getService(Bundle consumer, ServiceRegistration<Object> mirror) {
        BundleContext context = consumer.getBundleContext();
        ServiceObjects<Object> objects = context == null ? null : serviceObjects(context);
        Object service = objects == null ? null : objects.getService();
        if (service == null) {
            return null; // gone meanwhile: the framework tells the consumer there is no service
        }
        Object wrapped;
        try {
            wrapped = kind.wrap(service, new LinkedHashSet<>(jakartaTypes));
        } catch (ClassCastException notThatKind) {
            objects.ungetService(service);
            LOG.log(Level.ERROR, "javax " + kind.label() + " " + javax.getProperty(Constants.SERVICE_ID) + " of bundle "
                    + consumer.getSymbolicName() + " is not the " + kind.label() + " it was registered as: " + notThatKind.getMessage());
            return null;
        }
        handedOut.put(wrapped, () -> objects.ungetService(service));
        return wrapped;
    }

    @Override
    public void ungetService(Bundle consumer, ServiceRegistration<Object> mirror, Object wrapped) {
        Runnable release = handedOut.remove(wrapped);
        if (release == null) {
            return;
        }
        try {
            release.run();
        } catch (IllegalStateException consumerGone) {
            // the consumer's context is no longer valid: the framework released its services with it
        }
    }

    @SuppressWarnings("unchecked")
    private ServiceObjects<Object> serviceObjects(BundleContext context) {
        try {
            return (ServiceObjects<Object>) context.getServiceObjects(javax);
        } catch (IllegalStateException consumerStopped) {
            return null;
        }
    }

    private Dictionary<String, Object> properties() {
        Hashtable<String, Object> properties = new Hashtable<>();
        for (String key : javax.getPropertyKeys()) {
            if (!FRAMEWORK_PROPERTIES.contains(key)) {
                properties.put(key, javax.getProperty(key));
            }
        }
        properties.put(JAVAX_SERVICE_ID, javax.getProperty(Constants.SERVICE_ID));
        return properties;
    }

    private static List<String> typesOf(ServiceReference<?> reference) {
        Object types = reference.getProperty(Constants.OBJECTCLASS);
        return types instanceof String[] names ? List.of(names) : List.of();
    }
}
