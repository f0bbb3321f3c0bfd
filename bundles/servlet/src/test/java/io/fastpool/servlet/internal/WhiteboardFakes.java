package io.fastpool.servlet.internal;

import static io.fastpool.testkit.Fakes.fake;

import io.fastpool.api.WebApp;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import java.net.URL;
import java.util.Collections;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * A {@link ServletWhiteboard} over proxy fakes of the framework, for the tests of error pages,
 * dispatchers and resources: one bundle ("shop", id 1) whose entries are given as URLs, services
 * of it with given properties, and the {@code WebApp} the pool would get for it.
 */
final class WhiteboardFakes {

    private final AtomicLong serviceIds = new AtomicLong();
    private final Map<ServiceReference<?>, Object> services = new HashMap<>();
    /** The bundle's entries by path, as {@code Bundle.getEntry} finds them. */
    final Map<String, URL> entries = new HashMap<>();
    /** What {@code Bundle.getLastModified} answers: when the bundle was installed or updated. */
    long bundleModified;
    ServiceFactory<WebApp> app;
    /** What the whiteboard listens with for resource services. */
    ServiceListener resourceListener;
    final Bundle bundle = bundle();
    final ServletWhiteboard whiteboard = new ServletWhiteboard(fake(BundleContext.class, (name, args) -> switch (name) {
        case "getServiceObjects" -> serviceObjects((ServiceReference<?>) args[0]);
        case "addServiceListener" -> {
            resourceListener = (ServiceListener) args[0];
            yield null;
        }
        case "removeServiceListener", "getAllServiceReferences" -> null;
        case "registerService" -> FakeRuntimeRegistration.make();
        default -> throw new UnsupportedOperationException(name);
    }));
    private WebApp active;

    /** Registers {@code servlet} with these properties, as a servlet service of the bundle. */
    ServiceReference<jakarta.servlet.Servlet> servlet(jakarta.servlet.Servlet servlet, Object... properties) {
        ServiceReference<jakarta.servlet.Servlet> reference = reference(servlet, properties);
        whiteboard.addServlet(reference);
        return reference;
    }

    ServiceReference<jakarta.servlet.Filter> filter(jakarta.servlet.Filter filter, Object... properties) {
        ServiceReference<jakarta.servlet.Filter> reference = reference(filter, properties);
        whiteboard.addFilter(reference);
        return reference;
    }

    /** A service of the bundle with these properties (name, value, name, value...) and a new service id. */
    @SuppressWarnings("unchecked")
    <S> ServiceReference<S> reference(S service, Object... given) {
        Hashtable<String, Object> properties = new Hashtable<>();
        for (int i = 0; i < given.length; i += 2) {
            properties.put((String) given[i], given[i + 1]);
        }
        properties.put("service.id", serviceIds.incrementAndGet());
        ServiceReference<S> reference = fake(ServiceReference.class, (name, args) -> switch (name) {
            case "getBundle" -> bundle;
            case "getProperty" -> properties.get((String) args[0]);
            case "getPropertyKeys" -> Collections.list(properties.keys()).toArray(String[]::new);
            default -> throw new UnsupportedOperationException(name);
        });
        services.put(reference, service);
        return reference;
    }

    /** The app the pool would get (once) for the bundle. */
    WebApp active() {
        if (active == null) {
            active = app.getService(bundle, null);
        }
        return active;
    }

    /** Runs {@code method path} through the app. */
    FakeResponse handle(String method, String path) throws Exception {
        return handle(new FakeRequest(method, path, "/"));
    }

    FakeResponse handle(FakeRequest request) throws Exception {
        FakeResponse response = new FakeResponse();
        active().handle(request, response);
        return response;
    }

    private Bundle bundle() {
        BundleContext context = fake(BundleContext.class, (name, args) -> switch (name) {
            case "registerService" -> register(args);
            default -> throw new UnsupportedOperationException(name);
        });
        return fake(Bundle.class, (name, args) -> switch (name) {
            case "getBundleId" -> 1L;
            case "getSymbolicName" -> "shop";
            case "getBundleContext" -> context;
            case "getState" -> Bundle.ACTIVE;
            case "getEntry" -> entries.get((String) args[0]);
            case "getLastModified" -> bundleModified;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    @SuppressWarnings("unchecked")
    private ServiceRegistration<WebApp> register(Object[] args) {
        app = (ServiceFactory<WebApp>) args[1];
        return fake(ServiceRegistration.class, (name, more) -> switch (name) {
            case "setProperties" -> null;
            case "unregister" -> {
                app = null;
                yield null;
            }
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private ServiceObjects<?> serviceObjects(ServiceReference<?> reference) {
        return fake(ServiceObjects.class, (name, args) -> switch (name) {
            case "getService" -> services.get(reference);
            case "ungetService" -> null;
            default -> throw new UnsupportedOperationException(name);
        });
    }
}
