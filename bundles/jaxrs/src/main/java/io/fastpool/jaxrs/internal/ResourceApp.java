package io.fastpool.jaxrs.internal;

import io.fastpool.api.Mount;
import io.fastpool.api.WebApp;
import java.lang.System.Logger.Level;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;

/**
 * One resource bundle's app: a {@link WebApp} registered in that bundle's name (the extender
 * pattern, as the Servlet Whiteboard does for servlet bundles), mounted where its resources are, so
 * the pool manager gives it the bundle's pool, settings ({@code Fastpool-Pool}) and class loader,
 * and keeps its route, queueing its requests, while the bundle is updated.
 *
 * <p>The app is the Jakarta REST whiteboard's: the service is a {@link ServiceFactory} whose
 * {@code getService}, on the app's first request, hands out the {@code WebApp} that Fastpool's
 * Servlet Whiteboard made of the whiteboard adapter's servlets, which {@link ResourcePools} holds
 * (started once, shared by all its consumers); {@code ungetService} leaves it to the pools. Its
 * requests run through Jersey as the adapter's own do, on this bundle's pool threads.
 *
 * <p>{@code component.name} is constant ({@value #APP_NAME}), so the pool's name for the app,
 * {@code SYMBOLIC-NAME/jakartars-resources}, stays the same across registrations. Changes hold the
 * owner's ({@link ResourcePools}) monitor; the factory's methods take no lock.
 */
final class ResourceApp implements ServiceFactory<WebApp> {

    /** The {@code component.name} of every resource app: the pool names the app after it. */
    static final String APP_NAME = "jakartars-resources";

    private static final System.Logger LOG = System.getLogger(ResourcePools.class.getName());

    private final Bundle bundle;
    private final Supplier<WebApp> whiteboardApp;
    private ServiceRegistration<WebApp> registration;
    private String mountPath;

    /** {@code whiteboardApp} gives the {@code WebApp} of the adapter's servlets (null when there is none). */
    ResourceApp(Bundle bundle, Supplier<WebApp> whiteboardApp) {
        this.bundle = bundle;
        this.whiteboardApp = whiteboardApp;
    }

    /** The whiteboard serves the bundle's resources at {@code path}: the app is registered there, or moved. */
    void show(String path) {
        if (registration != null) {
            if (!path.equals(mountPath)) {
                try {
                    registration.setProperties(properties(path));
                    mountPath = path;
                } catch (IllegalStateException unregistered) {
                    registration = null; // its bundle stopped; the framework took it away
                }
            }
            if (registration != null) {
                return;
            }
        }
        if (bundle.getState() == Bundle.STOPPING) {
            return; // its services are being taken away; one registered now could outlive the bundle's stop
        }
        BundleContext context = bundle.getBundleContext();
        if (context == null) {
            return; // not active: registered again when its resources are
        }
        registration = context.registerService(WebApp.class, this, properties(path));
        mountPath = path;
        LOG.log(Level.DEBUG, () -> "JAX-RS resources of bundle " + bundle.getSymbolicName() + " served in its pool at " + path);
    }

    /** The bundle's resources are away (it is stopping or updating, or they went): its requests wait in its pool. */
    void hide() {
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

    boolean shown() {
        return registration != null;
    }

    @Override
    public WebApp getService(Bundle consumer, ServiceRegistration<WebApp> registration) {
        WebApp shared = whiteboardApp.get();
        if (shared == null) {
            throw new IllegalStateException("the JAX-RS resources of bundle " + bundle.getSymbolicName()
                    + " cannot be served: the Servlet Whiteboard serves no servlet of the Jakarta REST whiteboard");
        }
        return shared;
    }

    /** Nothing to release: the pools hold the whiteboard's app for as long as the whiteboard runs. */
    @Override
    public void ungetService(Bundle consumer, ServiceRegistration<WebApp> registration, WebApp service) {
    }

    private Dictionary<String, Object> properties(String path) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Mount.PATH, path);
        properties.put("component.name", APP_NAME);
        properties.put(Constants.SERVICE_DESCRIPTION, "the JAX-RS resources of " + bundle.getSymbolicName());
        return properties;
    }
}
