package io.fastpool.servlet.javax.internal;

import static io.fastpool.testkit.Fakes.fake;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.ServletConfig;
import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;
import javax.servlet.ServletException;
import javax.servlet.ServletRequestEvent;
import javax.servlet.ServletRequestListener;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.http.context.ServletContextHelper;

/**
 * The mirroring without a framework: javax services (fakes made with {@link Proxy}) come, change and
 * go, and the test watches the Jakarta registrations made in each bundle's name, then gets and
 * releases them as the Jakarta whiteboard would, and calls them with Jakarta objects.
 */
class JavaxWhiteboardTest {

    /** Counts its life and answers with what it was given, all through the javax API. */
    static final class LegacyServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;
        int inits;
        int destroys;

        @Override
        public void init(ServletConfig config) throws ServletException {
            super.init(config);
            inits++;
        }

        @Override
        public void destroy() {
            destroys++;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            response.setHeader("X-Legacy", getServletName() + " " + getInitParameter("colour") + " " + request.getPathInfo() + " "
                    + getServletContext().getAttribute("shared"));
        }
    }

    /** Writes down the events it hears. */
    static final class RecordingListener implements ServletContextListener, ServletRequestListener {

        final List<String> events = new ArrayList<>();

        @Override
        public void contextInitialized(ServletContextEvent event) {
            events.add("context up " + event.getServletContext().getAttribute("shared"));
        }

        @Override
        public void requestInitialized(ServletRequestEvent event) {
            events.add("request in");
        }
    }

    /** A Jakarta registration made in a fake bundle's name. */
    static final class Registration {
        final String[] types;
        final ServiceFactory<Object> factory;
        Dictionary<String, ?> properties;
        boolean unregistered;

        Registration(String[] types, ServiceFactory<Object> factory, Dictionary<String, ?> properties) {
            this.types = types;
            this.factory = factory;
            this.properties = properties;
        }
    }

    private final AtomicLong serviceIds = new AtomicLong();
    private final Map<ServiceReference<?>, Object> services = new HashMap<>();
    private final Map<ServiceReference<?>, Hashtable<String, Object>> propertiesOf = new HashMap<>();
    private final Map<Long, List<Registration>> registrations = new HashMap<>();
    /** What was got of each javax service and not released yet. */
    private final Map<ServiceReference<?>, Integer> inUse = new HashMap<>();
    private final JavaxWhiteboard whiteboard = new JavaxWhiteboard();
    /** The Jakarta whiteboard's bundle, which gets the mirrors. */
    private final Bundle consumer = bundle(99, "io.fastpool.servlet", Bundle.ACTIVE);

    @Test
    void aJavaxServletIsRegisteredAgainAsAJakartaServletInItsBundlesNameWithItsPropertiesAndIsNotGot() {
        Bundle legacy = bundle(1, "legacy", Bundle.ACTIVE);
        ServiceReference<javax.servlet.Servlet> servlet = reference(legacy, new String[] {"javax.servlet.Servlet"},
                Map.of("osgi.http.whiteboard.servlet.pattern", "/legacy/*", "service.ranking", 7), new LegacyServlet());

        whiteboard.addServlet(servlet);

        Registration mirror = only(1);
        assertThat(mirror.types).containsExactly("jakarta.servlet.Servlet");
        assertThat(mirror.properties.get("osgi.http.whiteboard.servlet.pattern")).isEqualTo("/legacy/*");
        assertThat(mirror.properties.get("service.ranking")).isEqualTo(7);
        assertThat(mirror.properties.get(Mirror.JAVAX_SERVICE_ID)).isEqualTo(servlet.getProperty("service.id"));
        assertThat(mirror.properties.get("service.id")).as("the framework gives the mirror its own").isNull();
        assertThat(mirror.properties.get("objectClass")).isNull();
        assertThat(inUse).as("the javax servlet is not got at registration").isEmpty();
    }

    @Test
    void aPropertyChangeIsMirroredAndTheServiceGoingUnregistersTheMirror() {
        Bundle legacy = bundle(1, "legacy", Bundle.ACTIVE);
        ServiceReference<javax.servlet.Filter> filter = reference(legacy, new String[] {"javax.servlet.Filter"},
                Map.of("osgi.http.whiteboard.filter.pattern", "/a/*"), (javax.servlet.Filter) (request, response, chain) -> { });
        whiteboard.addFilter(filter);
        Registration mirror = only(1);
        assertThat(mirror.types).containsExactly("jakarta.servlet.Filter");

        propertiesOf.get(filter).put("osgi.http.whiteboard.filter.pattern", "/b/*");
        whiteboard.updatedFilter(filter);
        assertThat(mirror.properties.get("osgi.http.whiteboard.filter.pattern")).isEqualTo("/b/*");
        assertThat(registrations.get(1L)).as("changed, not registered again").hasSize(1);

        whiteboard.removeFilter(filter);
        assertThat(mirror.unregistered).isTrue();
    }

    @Test
    void theJavaxServletIsGotWhenTheMirrorIsGotInitialisedThroughJavaxObjectsAndReleasedWhenTheMirrorIsLetGo() throws Exception {
        Bundle legacy = bundle(1, "legacy", Bundle.ACTIVE);
        LegacyServlet javax = new LegacyServlet();
        ServiceReference<javax.servlet.Servlet> servlet = reference(legacy, new String[] {"javax.servlet.Servlet"},
                Map.of("osgi.http.whiteboard.servlet.pattern", "/legacy/*"), javax);
        whiteboard.addServlet(servlet);
        Registration mirror = only(1);

        jakarta.servlet.Servlet jakarta = (jakarta.servlet.Servlet) mirror.factory.getService(consumer, null);
        assertThat(inUse.get(servlet)).isEqualTo(1);
        jakarta.init(jakartaConfig("legacy", Map.of("colour", "blue"), jakartaContext(Map.of("shared", "yes"))));
        Map<String, String> headers = new HashMap<>();
        jakarta.service(jakartaRequest("GET", "/x/y"), jakartaResponse(headers));
        jakarta.destroy();
        mirror.factory.ungetService(consumer, null, jakarta);

        assertThat(javax.inits).isEqualTo(1);
        assertThat(headers).containsEntry("X-Legacy", "legacy blue /x/y yes");
        assertThat(javax.destroys).isEqualTo(1);
        assertThat(inUse.get(servlet)).as("released with the mirror").isZero();
    }

    @Test
    void eachListenerInterfaceIsMirroredAsItsJakartaCounterpartAndTheListenerHearsOnlyThose() {
        Bundle legacy = bundle(1, "legacy", Bundle.ACTIVE);
        RecordingListener javax = new RecordingListener();
        ServiceReference<ServletContextListener> listener = reference(legacy,
                new String[] {"javax.servlet.ServletContextListener", "java.util.EventListener", "com.example.Own"},
                Map.of("osgi.http.whiteboard.listener", "true"), javax);
        ServiceReference<ServletRequestListener> both = reference(legacy,
                new String[] {"javax.servlet.ServletContextListener", "javax.servlet.ServletRequestListener",
                    "javax.servlet.http.HttpSessionListener"},
                Map.of("osgi.http.whiteboard.listener", "true"), new RecordingListener());

        whiteboard.addContextListener(listener);
        whiteboard.addContextListener(cast(both));
        whiteboard.addRequestListener(both); // one service, several references: mirrored once

        assertThat(registrations.get(1L)).hasSize(2);
        assertThat(registrations.get(1L).get(0).types).containsExactly("jakarta.servlet.ServletContextListener");
        assertThat(registrations.get(1L).get(1).types).containsExactlyInAnyOrder("jakarta.servlet.ServletContextListener",
                "jakarta.servlet.ServletRequestListener", "jakarta.servlet.http.HttpSessionListener");
        Object jakarta = registrations.get(1L).get(0).factory.getService(consumer, null);
        jakarta.servlet.ServletContext context = jakartaContext(Map.of("shared", "ctx"));
        ((jakarta.servlet.ServletContextListener) jakarta).contextInitialized(new jakarta.servlet.ServletContextEvent(context));
        ((jakarta.servlet.ServletRequestListener) jakarta).requestInitialized(
                new jakarta.servlet.ServletRequestEvent(context, jakartaRequest("GET", "/")));
        assertThat(javax.events).as("registered as a context listener only").containsExactly("context up ctx");

        whiteboard.removeContextListener(cast(both));
        whiteboard.removeRequestListener(both);
        assertThat(registrations.get(1L).get(1).unregistered).isTrue();
    }

    @Test
    void aServiceThatIsAServletAndAListenerGetsAMirrorForEach() {
        Bundle legacy = bundle(1, "legacy", Bundle.ACTIVE);
        ServiceReference<javax.servlet.Servlet> servlet = reference(legacy,
                new String[] {"javax.servlet.Servlet", "javax.servlet.ServletContextListener"},
                Map.of("osgi.http.whiteboard.servlet.pattern", "/s", "osgi.http.whiteboard.listener", "true"), new LegacyServlet());

        whiteboard.addServlet(servlet);
        whiteboard.addContextListener(cast(servlet));

        assertThat(registrations.get(1L)).extracting(registration -> registration.types[0])
                .containsExactly("jakarta.servlet.Servlet", "jakarta.servlet.ServletContextListener");
    }

    @Test
    void aJavaxContextHelperIsAJakartaOneThatAsksItWithJavaxRequests() throws Exception {
        Bundle legacy = bundle(1, "legacy", Bundle.ACTIVE);
        List<String> asked = new ArrayList<>();
        ServletContextHelper javax = new ServletContextHelper() {
            @Override
            public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
                asked.add("security " + request.getPathInfo());
                request.setAttribute(REMOTE_USER, "ada");
                response.setHeader("X-Helper", "javax");
                return false;
            }

            @Override
            public URL getResource(String name) {
                asked.add("resource " + name);
                return null;
            }
        };
        ServiceReference<ServletContextHelper> helper = reference(legacy, new String[] {ServletContextHelper.class.getName()},
                Map.of("osgi.http.whiteboard.context.name", "legacy", "osgi.http.whiteboard.context.path", "/old"), javax);

        whiteboard.addContextHelper(helper);
        Registration mirror = only(1);
        org.osgi.service.servlet.context.ServletContextHelper jakarta =
                (org.osgi.service.servlet.context.ServletContextHelper) mirror.factory.getService(legacy, null);
        Map<String, Object> attributes = new HashMap<>();
        Map<String, String> headers = new HashMap<>();
        boolean allowed = jakarta.handleSecurity(jakartaRequest("GET", "/secret", attributes), jakartaResponse(headers));
        jakarta.getResource("/a.css");

        assertThat(mirror.types).containsExactly("org.osgi.service.servlet.context.ServletContextHelper");
        assertThat(mirror.properties.get("osgi.http.whiteboard.context.path")).isEqualTo("/old");
        assertThat(allowed).isFalse();
        assertThat(asked).containsExactly("security /secret", "resource /a.css");
        assertThat(attributes).containsEntry(org.osgi.service.servlet.context.ServletContextHelper.REMOTE_USER, "ada");
        assertThat(headers).containsEntry("X-Helper", "javax");
        assertThat(inUse.get(helper)).as("got in the name of the bundle that got the mirror").isEqualTo(1);
    }

    @Test
    void aBundleThatIsStoppingGetsNoMirror() {
        Bundle stopping = bundle(1, "legacy", Bundle.STOPPING);

        whiteboard.addServlet(reference(stopping, new String[] {"javax.servlet.Servlet"},
                Map.of("osgi.http.whiteboard.servlet.pattern", "/s"), new LegacyServlet()));

        assertThat(registrations.get(1L)).isNull();
    }

    @Test
    void theMirrorsGoWhenTheJavaxWhiteboardStops() {
        Bundle one = bundle(1, "one", Bundle.ACTIVE);
        Bundle two = bundle(2, "two", Bundle.ACTIVE);
        whiteboard.addServlet(reference(one, new String[] {"javax.servlet.Servlet"},
                Map.of("osgi.http.whiteboard.servlet.pattern", "/one"), new LegacyServlet()));
        whiteboard.addServlet(reference(two, new String[] {"javax.servlet.Servlet"},
                Map.of("osgi.http.whiteboard.servlet.pattern", "/two"), new LegacyServlet()));

        whiteboard.close();

        assertThat(only(1).unregistered).isTrue();
        assertThat(only(2).unregistered).isTrue();
    }

    // ---- fakes ----------------------------------------------------------------------------------

    private Registration only(long bundleId) {
        assertThat(registrations.get(bundleId)).hasSize(1);
        return registrations.get(bundleId).get(0);
    }

    private Bundle bundle(long id, String symbolicName, int state) {
        BundleContext context = fake(BundleContext.class, (name, args) -> switch (name) {
            case "registerService" -> register(id, args);
            case "getServiceObjects" -> serviceObjects((ServiceReference<?>) args[0]);
            default -> throw new UnsupportedOperationException(name);
        });
        return fake(Bundle.class, (name, args) -> switch (name) {
            case "getBundleId" -> id;
            case "getSymbolicName" -> symbolicName;
            case "getBundleContext" -> context;
            case "getState" -> state;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    @SuppressWarnings("unchecked")
    private ServiceRegistration<?> register(long bundleId, Object[] args) {
        Registration registration = new Registration((String[]) args[0], (ServiceFactory<Object>) args[1], (Dictionary<String, ?>) args[2]);
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

    /** A service of {@code bundle} registered under {@code types} with these properties and a new service id. */
    @SuppressWarnings("unchecked")
    private <S> ServiceReference<S> reference(Bundle bundle, String[] types, Map<String, Object> given, Object service) {
        Hashtable<String, Object> properties = new Hashtable<>(given);
        properties.put("service.id", serviceIds.incrementAndGet());
        properties.put("objectClass", types);
        properties.put("service.bundleid", bundle.getBundleId());
        ServiceReference<S> reference = fake(ServiceReference.class, (name, args) -> switch (name) {
            case "getBundle" -> bundle;
            case "getProperty" -> properties.get((String) args[0]);
            case "getPropertyKeys" -> Collections.list(properties.keys()).toArray(String[]::new);
            default -> throw new UnsupportedOperationException(name);
        });
        services.put(reference, service);
        propertiesOf.put(reference, properties);
        return reference;
    }

    private ServiceObjects<?> serviceObjects(ServiceReference<?> reference) {
        return fake(ServiceObjects.class, (name, args) -> switch (name) {
            case "getService" -> {
                inUse.merge(reference, 1, Integer::sum);
                yield services.get(reference);
            }
            case "ungetService" -> {
                assertThat(args[0]).isSameAs(services.get(reference));
                inUse.merge(reference, -1, Integer::sum);
                yield null;
            }
            default -> throw new UnsupportedOperationException(name);
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> ServiceReference<T> cast(ServiceReference<?> reference) {
        return (ServiceReference<T>) reference;
    }

    private static jakarta.servlet.ServletConfig jakartaConfig(String name, Map<String, String> parameters,
            jakarta.servlet.ServletContext context) {
        return fake(jakarta.servlet.ServletConfig.class, (method, args) -> switch (method) {
            case "getServletName" -> name;
            case "getInitParameter" -> parameters.get((String) args[0]);
            case "getServletContext" -> context;
            default -> throw new UnsupportedOperationException(method);
        });
    }

    private static jakarta.servlet.ServletContext jakartaContext(Map<String, Object> attributes) {
        return fake(jakarta.servlet.ServletContext.class, (method, args) -> switch (method) {
            case "getAttribute" -> attributes.get((String) args[0]);
            default -> throw new UnsupportedOperationException(method);
        });
    }

    private static jakarta.servlet.http.HttpServletRequest jakartaRequest(String httpMethod, String pathInfo) {
        return jakartaRequest(httpMethod, pathInfo, new HashMap<>());
    }

    private static jakarta.servlet.http.HttpServletRequest jakartaRequest(String httpMethod, String pathInfo, Map<String, Object> attributes) {
        return fake(jakarta.servlet.http.HttpServletRequest.class, (method, args) -> switch (method) {
            case "getMethod" -> httpMethod;
            case "getPathInfo" -> pathInfo;
            case "getProtocol" -> "HTTP/1.1";
            case "setAttribute" -> attributes.put((String) args[0], args[1]);
            default -> throw new UnsupportedOperationException(method);
        });
    }

    private static jakarta.servlet.http.HttpServletResponse jakartaResponse(Map<String, String> headers) {
        return fake(jakarta.servlet.http.HttpServletResponse.class, (method, args) -> switch (method) {
            case "setHeader" -> headers.put((String) args[0], (String) args[1]);
            default -> throw new UnsupportedOperationException(method);
        });
    }
}
