package io.fastpool.jaxrs.internal;

import static io.fastpool.testkit.Fakes.fake;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.api.WebApp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.jakartars.runtime.JakartarsServiceRuntime;
import org.osgi.service.jakartars.runtime.dto.ApplicationDTO;
import org.osgi.service.jakartars.runtime.dto.ResourceDTO;
import org.osgi.service.jakartars.runtime.dto.ResourceMethodInfoDTO;
import org.osgi.service.jakartars.runtime.dto.RuntimeDTO;

/**
 * The resource pools without a framework: resource services (proxy fakes) come and go, the
 * runtime's DTOs say what Jersey holds, and apps are registered in the resource bundles' names.
 */
class ResourcePoolsTest {

    /** A WebApp registration made in a fake bundle's name. */
    static final class Registration {
        final ServiceFactory<WebApp> factory;
        Dictionary<String, ?> properties;
        boolean unregistered;

        Registration(ServiceFactory<WebApp> factory, Dictionary<String, ?> properties) {
            this.factory = factory;
            this.properties = properties;
        }
    }

    private final Map<Long, List<Registration>> registrations = new HashMap<>();
    private final List<ServiceReference<?>> resources = new ArrayList<>();
    private final List<ServiceListener> listeners = new ArrayList<>();
    private final Bundle adapter = bundle(5, "org.eclipse.osgitech.rest.servlet.whiteboard");
    private final WebApp jersey = (request, response) -> { };
    private final ServiceReference<WebApp> adapterApp = reference(adapter, Map.of("component.name", "servlet-whiteboard"));
    private final ServiceReference<JakartarsServiceRuntime> runtimeReference = reference(adapter, Map.of("service.id", 3L));
    private final List<Object> releasedByThePools = new ArrayList<>();
    private int gotByThePools;
    private final ResourcePools pools = new ResourcePools(poolsContext());
    private final Bundle greetings = bundle(1, "greetings");
    private final Bundle orders = bundle(2, "orders");

    ResourcePoolsTest() throws Exception {
    }

    @Test
    void eachResourceBundleGetsAnAppInItsNameWhereItsResourcesMeet() {
        ServiceReference<?> greeting = resource(greetings, 11);
        ServiceReference<?> order = resource(orders, 12);

        runtimeSays(application("/", resourceDTO(greeting, "greetings", "greetings/{name}", "greetings/{name}/later")),
                application("/", resourceDTO(order, "/orders/{id}")));

        assertThat(registrations.get(1L)).hasSize(1);
        assertThat(registrations.get(1L).get(0).properties.get("fastpool.mount.path")).isEqualTo("/greetings");
        assertThat(registrations.get(1L).get(0).properties.get("component.name")).isEqualTo("jakartars-resources");
        assertThat(registrations.get(2L).get(0).properties.get("fastpool.mount.path")).isEqualTo("/orders");
    }

    @Test
    void aResourceGoingHidesItsBundlesAppAtOnceAndTheNextDtosShowItAgain() {
        ServiceReference<?> before = resource(greetings, 11);
        runtimeSays(application("/", resourceDTO(before, "greetings/{name}")));
        Registration first = registrations.get(1L).get(0);

        unregister(before);
        assertThat(first.unregistered).as("before Jersey reloads without it").isTrue();

        ServiceReference<?> after = resource(greetings, 13);
        assertThat(registrations.get(1L)).as("not before Jersey holds it").hasSize(1);
        runtimeSays(application("/", resourceDTO(after, "greetings/{name}")));
        assertThat(registrations.get(1L)).hasSize(2);
        assertThat(registrations.get(1L).get(1).unregistered).isFalse();
    }

    @Test
    void anExtensionOfTheBundleGoingHidesItsAppTooBeforeJerseyDropsTheResourcesThatNeedIt() {
        ServiceReference<?> json = reference(greetings, Map.of("service.id", 10L, "osgi.jakartars.extension", true));
        resources.add(json);
        listeners.forEach(listener -> listener.serviceChanged(new ServiceEvent(ServiceEvent.REGISTERED, json)));
        runtimeSays(application("/", resourceDTO(resource(greetings, 11), "greetings")));

        unregister(json);

        assertThat(registrations.get(1L).get(0).unregistered).isTrue();
    }

    @Test
    void resourcesTheRuntimeNoLongerListsHideTheirApp() {
        ServiceReference<?> greeting = resource(greetings, 11);
        runtimeSays(application("/", resourceDTO(greeting, "greetings")));

        runtimeSays(application("/"));

        assertThat(registrations.get(1L).get(0).unregistered).isTrue();
    }

    @Test
    void resourcesThatShareNothingOrAreNotTrackedGetNoApp() {
        ServiceReference<?> scattered = resource(greetings, 11);
        ServiceReference<?> gone = reference(orders, Map.of("service.id", 99L, "osgi.jakartars.resource", true));

        runtimeSays(application("/", resourceDTO(scattered, "hello", "goodbye")), application("/", resourceDTO(gone, "orders")));

        assertThat(registrations).isEmpty();
    }

    @Test
    void theAppIsTheAdaptersAppHeldFromTheRuntimesArrivalUntilItGoes() throws Exception {
        ServiceReference<?> greeting = resource(greetings, 11);
        ServiceReference<JakartarsServiceRuntime> runtime = runtimeSays(application("/", resourceDTO(greeting, "greetings")));
        assertThat(gotByThePools).as("Jersey starts at deploy").isEqualTo(1);
        ServiceFactory<WebApp> app = registrations.get(1L).get(0).factory;

        WebApp got = app.getService(greetings, null);
        app.ungetService(greetings, null, got);
        assertThat(got).isSameAs(jersey);
        assertThat(releasedByThePools).as("an idle resource pool does not stop Jersey").isEmpty();

        pools.unbindRuntime(runtime);
        assertThat(releasedByThePools).containsExactly(jersey);
        assertThat(gotByThePools).isEqualTo(1);
    }

    // ---- the runtime and its DTOs -----------------------------------------------------------------

    /** The runtime's DTOs change (the same runtime service each time); returns its reference. */
    private ServiceReference<JakartarsServiceRuntime> runtimeSays(ApplicationDTO defaultApplication, ApplicationDTO... others) {
        RuntimeDTO dto = new RuntimeDTO();
        dto.defaultApplication = defaultApplication;
        dto.applicationDTOs = others;
        JakartarsServiceRuntime runtime = () -> dto;
        pools.updatedRuntime(runtime, runtimeReference);
        return runtimeReference;
    }

    private static ApplicationDTO application(String base, ResourceDTO... resources) {
        ApplicationDTO application = new ApplicationDTO();
        application.base = base;
        application.resourceDTOs = resources;
        return application;
    }

    private static ResourceDTO resourceDTO(ServiceReference<?> service, String... paths) {
        ResourceDTO resource = new ResourceDTO();
        resource.serviceId = (Long) service.getProperty("service.id");
        List<ResourceMethodInfoDTO> methods = new ArrayList<>();
        for (String path : paths) {
            ResourceMethodInfoDTO method = new ResourceMethodInfoDTO();
            method.path = path;
            method.method = "GET";
            methods.add(method);
        }
        resource.resourceMethods = methods.toArray(ResourceMethodInfoDTO[]::new);
        return resource;
    }

    // ---- fakes ------------------------------------------------------------------------------------

    /** A resource service of {@code bundle}, registered now (the tracker hears of it). */
    private ServiceReference<?> resource(Bundle bundle, long serviceId) {
        ServiceReference<?> reference = reference(bundle, Map.of("service.id", serviceId, "osgi.jakartars.resource", true));
        resources.add(reference);
        listeners.forEach(listener -> listener.serviceChanged(new ServiceEvent(ServiceEvent.REGISTERED, reference)));
        return reference;
    }

    private void unregister(ServiceReference<?> reference) {
        listeners.forEach(listener -> listener.serviceChanged(new ServiceEvent(ServiceEvent.UNREGISTERING, reference)));
        resources.remove(reference);
    }

    /** The pools bundle's own context: the tracker's calls and the lookup of the adapter's app. */
    private BundleContext poolsContext() {
        return fake(BundleContext.class, (name, args) -> switch (name) {
            case "createFilter" -> FrameworkUtil.createFilter((String) args[0]);
            case "addServiceListener" -> listeners.add((ServiceListener) args[0]);
            case "removeServiceListener" -> listeners.remove(args[0]);
            case "getServiceReferences", "getAllServiceReferences" -> args[0] == WebApp.class ? List.of(adapterApp)
                    : resources.isEmpty() ? null : resources.toArray(ServiceReference[]::new);
            case "getServiceObjects" -> fake(ServiceObjects.class, (method, more) -> switch (method) {
                case "getService" -> {
                    gotByThePools++;
                    yield jersey;
                }
                case "ungetService" -> releasedByThePools.add(more[0]);
                default -> throw new UnsupportedOperationException(method);
            });
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private Bundle bundle(long id, String symbolicName) {
        BundleContext context = fake(BundleContext.class, (name, args) -> switch (name) {
            case "registerService" -> register(id, args);
            default -> throw new UnsupportedOperationException(name);
        });
        return fake(Bundle.class, (name, args) -> switch (name) {
            case "getBundleId" -> id;
            case "getSymbolicName" -> symbolicName;
            case "getBundleContext" -> context;
            case "getState" -> Bundle.ACTIVE;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    @SuppressWarnings("unchecked")
    private ServiceRegistration<WebApp> register(long bundleId, Object[] args) {
        assertThat(args[0]).isEqualTo(WebApp.class);
        Registration registration = new Registration((ServiceFactory<WebApp>) args[1], (Dictionary<String, ?>) args[2]);
        registrations.computeIfAbsent(bundleId, id -> new ArrayList<>()).add(registration);
        return fake(ServiceRegistration.class, (name, more) -> {
            switch (name) {
                case "setProperties" -> registration.properties = (Dictionary<String, ?>) more[0];
                case "unregister" -> registration.unregistered = true;
                default -> throw new UnsupportedOperationException(name);
            }
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private static <S> ServiceReference<S> reference(Bundle bundle, Map<String, Object> given) {
        Hashtable<String, Object> properties = new Hashtable<>(given);
        return fake(ServiceReference.class, (name, args) -> switch (name) {
            case "getBundle" -> bundle;
            case "getProperty" -> properties.get((String) args[0]);
            case "getPropertyKeys" -> Collections.list(properties.keys()).toArray(String[]::new);
            case "getProperties" -> new Hashtable<>(properties);
            default -> throw new UnsupportedOperationException(name);
        });
    }
}
