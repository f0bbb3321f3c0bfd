package io.fastpool.servlet.internal;

import static io.fastpool.testkit.Fakes.fake;
import static org.assertj.core.api.Assertions.assertThat;
import static org.osgi.service.servlet.runtime.dto.DTOConstants.FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE;
import static org.osgi.service.servlet.runtime.dto.DTOConstants.FAILURE_REASON_VALIDATION_FAILED;

import io.fastpool.api.WebApp;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.runtime.dto.RuntimeDTO;

/**
 * Servlet contexts in the extender, without a framework: {@code ServletContextHelper} services (fakes
 * made with {@link Proxy}) come, go and shadow each other, servlets select them, and requests run
 * through the {@code WebApp} the pool would get.
 */
class ServletContextHelpersTest {

    private static final String PATTERN = "osgi.http.whiteboard.servlet.pattern";
    private static final String SELECT = "osgi.http.whiteboard.context.select";

    /**
     * Answers with where the request landed and what its request's servlet context says (a singleton
     * servlet in two contexts is initialised in each; its own {@code getServletContext} is the last).
     */
    static final class WhereServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;
        int requests;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            requests++;
            response.getWriter().print(request.getContextPath() + "|" + request.getServletPath() + "|" + request.getPathInfo() + "|"
                    + request.getServletContext().getContextPath() + "|" + request.getServletContext().getServletContextName() + "|"
                    + request.getRemoteUser());
        }
    }

    /** What a test servlet does with its request. */
    interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws Exception;
    }

    private static HttpServlet doing(Handler handler) {
        return new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) throws jakarta.servlet.ServletException {
                try {
                    handler.handle(request, response);
                } catch (Exception e) {
                    throw new jakarta.servlet.ServletException(e);
                }
            }
        };
    }

    /** A helper whose security is what the test sets, and which counts its calls. */
    static final class TestHelper extends ServletContextHelper {

        boolean allow = true;
        int refusalStatus;
        String user;
        URL resource;
        List<String> calls = new ArrayList<>();

        @Override
        public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
            calls.add("handleSecurity " + request.getRequestURI());
            if (!allow && refusalStatus != 0) {
                response.setHeader("WWW-Authenticate", "Basic realm=\"test\"");
                response.sendError(refusalStatus);
            }
            if (allow && user != null) {
                request.setAttribute(ServletContextHelper.REMOTE_USER, user);
            }
            return allow;
        }

        @Override
        public void finishSecurity(HttpServletRequest request, HttpServletResponse response) {
            calls.add("finishSecurity");
        }

        @Override
        public URL getResource(String name) {
            calls.add("getResource " + name);
            return resource;
        }

        @Override
        public String getMimeType(String name) {
            return name.endsWith(".css") ? "text/css;from=helper" : null;
        }
    }

    /** A WebApp registration made in a fake bundle's name. */
    static final class Registration {
        final ServiceFactory<WebApp> factory;
        Dictionary<String, ?> properties;
        boolean unregistered;

        Registration(ServiceFactory<WebApp> factory, Dictionary<String, ?> properties) {
            this.factory = factory;
            this.properties = properties;
        }

        Object mountPath() {
            return properties.get("fastpool.mount.path");
        }
    }

    @TempDir
    Path directory;

    private final AtomicLong serviceIds = new AtomicLong();
    private final Map<ServiceReference<?>, Object> services = new HashMap<>();
    private final Map<Long, List<Registration>> registrations = new HashMap<>();
    /** Which bundle got (and released) which service, in order: "get shop 3", "unget shop 3". */
    private final List<String> gets = new ArrayList<>();
    private final ServletWhiteboard whiteboard = new ServletWhiteboard(fake(BundleContext.class, (name, args) -> switch (name) {
        case "getServiceObjects" -> serviceObjects("whiteboard", (ServiceReference<?>) args[0]);
        case "addServiceListener", "removeServiceListener", "getAllServiceReferences" -> null; // resources are handed over below
        case "registerService" -> FakeRuntimeRegistration.make();
        default -> throw new UnsupportedOperationException(name);
    }));

    @Test
    void aServletWaitsForTheContextItSelectsAndLeavesWithIt() throws Exception {
        Bundle shop = bundle(1, "shop");
        whiteboard.addServlet(servlet(shop, Map.of(PATTERN, "/cart/*", SELECT, "(osgi.http.whiteboard.context.name=shop)")));
        assertThat(registrations.get(1L)).as("no context named shop yet").isNull();

        ServiceReference<ServletContextHelper> helper = helper(shop, "shop", "/shop", 0, new TestHelper());
        whiteboard.addContextHelper(helper);
        Registration app = registrations.get(1L).get(0);
        assertThat(app.mountPath()).as("context path, then where the patterns meet").isEqualTo("/shop/cart");
        assertThat(get(app, shop, "/shop/cart/items/3").text()).isEqualTo("/shop|/cart|/items/3|/shop|shop|null");

        whiteboard.removeContextHelper(helper);
        assertThat(app.unregistered).isTrue();
    }

    @Test
    void selectionIsAFilterOverTheHelpersPropertiesAndAServletMayBeInSeveralContexts() throws Exception {
        Bundle shop = bundle(1, "shop");
        whiteboard.addContextHelper(helper(shop, "eu", "/eu", 0, new TestHelper(), Map.of("region", "europe")));
        whiteboard.addContextHelper(helper(shop, "us", "/us", 0, new TestHelper(), Map.of("region", "america")));
        whiteboard.addServlet(servlet(shop, Map.of(PATTERN, "/price", SELECT, "(|(region=europe)(region=america))")));
        Registration app = registrations.get(1L).get(0);

        assertThat(app.mountPath()).as("the contexts share no segment").isEqualTo("/");
        assertThat(get(app, shop, "/eu/price").text()).startsWith("/eu|/price|null|/eu|eu");
        assertThat(get(app, shop, "/us/price").text()).startsWith("/us|/price|null|/us|us");
        assertThat(get(app, shop, "/price").status).as("not in the default context").isEqualTo(404);
    }

    @Test
    void theContextsOwnPathReachesItsDefaultServletAndTheLongestContextPathIsTriedFirst() throws Exception {
        Bundle console = bundle(1, "console");
        whiteboard.addContextHelper(helper(console, "console", "/system/console", 0, new TestHelper()));
        whiteboard.addServlet(servlet(console, Map.of(PATTERN, "/", SELECT, "(osgi.http.whiteboard.context.name=console)")));
        whiteboard.addServlet(servlet(console, Map.of(PATTERN, "/system/*")));
        Registration app = registrations.get(1L).get(0);

        assertThat(app.mountPath()).isEqualTo("/system");
        assertThat(get(app, console, "/system/console").text()).startsWith("/system/console|/|null|/system/console|console");
        assertThat(get(app, console, "/system/console/bundles").text()).startsWith("/system/console|/bundles|null|");
        assertThat(get(app, console, "/system/other").text()).as("no match under /system/console: the default context")
                .startsWith("|/system|/other||default");
    }

    @Test
    void securityRunsAroundTheServletAndARefusalAnswersAsTheHelperSetIt() throws Exception {
        Bundle console = bundle(1, "console");
        TestHelper security = new TestHelper();
        whiteboard.addContextHelper(helper(console, "console", "/console", 0, security));
        ServiceReference<Servlet> page = servlet(console, Map.of(PATTERN, "/*", SELECT, "(osgi.http.whiteboard.context.name=console)"));
        whiteboard.addServlet(page);
        Registration app = registrations.get(1L).get(0);

        security.user = "admin";
        FakeResponse allowed = get(app, console, "/console/bundles");
        assertThat(allowed.text()).isEqualTo("/console||/bundles|/console|console|admin");
        assertThat(security.calls).containsExactly("handleSecurity /console/bundles", "finishSecurity");

        security.allow = false;
        security.refusalStatus = 401;
        FakeResponse refused = get(app, console, "/console/bundles");
        assertThat(refused.status).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).isEqualTo("Basic realm=\"test\"");
        security.refusalStatus = 0;
        assertThat(get(app, console, "/console/bundles").status).as("refused without a status of the helper's").isEqualTo(403);
        assertThat(((WhereServlet) services.get(page)).requests).as("the servlet saw only the allowed request").isEqualTo(1);
    }

    @Test
    void theRuntimeDtoListsTheContextsInUseAndReportsShadowedAndInvalidHelpers() {
        Bundle shop = bundle(1, "shop");
        ServiceReference<ServletContextHelper> winner = helper(shop, "shop", "/a", 1, new TestHelper());
        ServiceReference<ServletContextHelper> shadowed = helper(shop, "shop", "/b", 0, new TestHelper());
        whiteboard.addContextHelper(winner);
        whiteboard.addContextHelper(shadowed);
        whiteboard.addContextHelper(helper(shop, "no name", "/c", 0, new TestHelper()));
        whiteboard.addServlet(servlet(shop, Map.of(PATTERN, "/x", "osgi.http.whiteboard.context.select", "(osgi.http.whiteboard.context.name=shop)")));

        RuntimeDTO dto = whiteboard.runtime();

        assertThat(dto.servletContextDTOs).extracting(context -> context.name + " " + context.contextPath)
                .containsExactlyInAnyOrder("default ", "shop /a");
        assertThat(Arrays.stream(dto.servletContextDTOs).filter(context -> context.name.equals("shop")).findFirst().orElseThrow()
                .servletDTOs).extracting(servlet -> servlet.patterns[0]).containsExactly("/x");
        assertThat(dto.failedServletContextDTOs).extracting(context -> context.contextPath + " " + context.failureReason)
                .containsExactlyInAnyOrder("/b " + FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE,
                        "null " + FAILURE_REASON_VALIDATION_FAILED);
    }

    @Test
    void aBundlesDefaultOfHigherRankingShadowsTheBuiltInOneUntilItGoes() throws Exception {
        Bundle site = bundle(1, "site");
        whiteboard.addServlet(servlet(site, Map.of(PATTERN, "/page")));
        Registration app = registrations.get(1L).get(0);
        assertThat(app.mountPath()).isEqualTo("/page");
        WebApp active = app.factory.getService(site, null);

        ServiceReference<ServletContextHelper> own = helper(site, "default", "/site", 1, new TestHelper());
        whiteboard.addContextHelper(own);
        assertThat(app.mountPath()).isEqualTo("/site/page");
        assertThat(get(active, "/site/page").text()).startsWith("/site|/page|null|/site|default");
        assertThat(gets).contains("get site " + own.getProperty("service.id"));

        whiteboard.removeContextHelper(own);
        assertThat(app.mountPath()).isEqualTo("/page");
        assertThat(gets).as("the shadowing helper is released with its context").contains("unget site " + own.getProperty("service.id"));
        assertThat(get(active, "/page").text()).startsWith("|/page|null||default");
        whiteboard.addContextHelper(helper(site, "default", "/low", Integer.MIN_VALUE, new TestHelper()));
        assertThat(app.mountPath()).as("the built-in default is older than a helper of its ranking").isEqualTo("/page");
    }

    @Test
    void theHelperIsGotInTheServletBundlesNameOnTheFirstRequestAndReleasedWhenTheAppStops() throws Exception {
        Bundle console = bundle(1, "console");
        Bundle plugin = bundle(2, "plugin");
        ServiceReference<ServletContextHelper> helper = helper(console, "console", "/console", 0, new TestHelper());
        whiteboard.addContextHelper(helper);
        whiteboard.addServlet(servlet(plugin, Map.of(PATTERN, "/extra/*", SELECT, "(osgi.http.whiteboard.context.name=console)")));
        Registration app = registrations.get(2L).get(0);
        assertThat(app.mountPath()).as("another bundle's servlets in the context get a pool of their own").isEqualTo("/console/extra");
        long id = (Long) helper.getProperty("service.id");
        assertThat(gets).as("nothing is got at registration").noneMatch(line -> line.endsWith(" " + id));

        WebApp active = app.factory.getService(plugin, null);
        assertThat(get(active, "/console/extra/x").text()).startsWith("/console|/extra|/x|");
        assertThat(gets).contains("get plugin " + id);

        app.factory.ungetService(plugin, null, active);
        assertThat(gets).endsWith("unget plugin " + id);
    }

    @Test
    void theServletContextAsksTheHelperForResourcesAndTypesAndAResourceRegistrationServesThem() throws Exception {
        Bundle console = bundle(1, "console");
        TestHelper helper = new TestHelper();
        Path css = Files.writeString(directory.resolve("console.css"), "body {}");
        helper.resource = css.toUri().toURL();
        whiteboard.addContextHelper(helper(console, "console", "/console", 0, helper));
        ServiceReference<Servlet> servlet = servlet(console, Map.of(PATTERN, "/", SELECT, "(osgi.http.whiteboard.context.name=console)",
                "osgi.http.whiteboard.resource.pattern", "/res/*", "osgi.http.whiteboard.resource.prefix", "/static"));
        whiteboard.addServlet(servlet);
        whiteboard.addResource(servlet); // as the ResourceTracker does for any service with resource properties
        Registration app = registrations.get(1L).get(0);

        FakeResponse resource = get(app, console, "/console/res/ui/console.css");

        assertThat(resource.status).isEqualTo(200);
        assertThat(resource.text()).isEqualTo("body {}");
        assertThat(resource.header("Content-Type")).isEqualTo("text/css;from=helper");
        assertThat(helper.calls).contains("getResource /static/ui/console.css");
        helper.resource = null;
        assertThat(get(app, console, "/console/res/missing.js").status).isEqualTo(404);
        assertThat(get(app, console, "/console/bundles").text()).as("the servlet keeps the rest").startsWith("/console|/bundles|");
    }

    @Test
    void errorPagesDispatchersAndResourceServicesAreThoseOfTheRequestsContext() throws Exception {
        Bundle shop = bundle(1, "shop");
        TestHelper security = new TestHelper();
        security.resource = Files.writeString(directory.resolve("shop.css"), "b {}").toUri().toURL();
        String inShop = "(osgi.http.whiteboard.context.name=shop)";
        whiteboard.addContextHelper(helper(shop, "shop", "/shop", 0, security));
        whiteboard.addServlet(reference(shop, Map.of(PATTERN, "/fail", SELECT, inShop), doing((request, response) -> response.sendError(404))));
        whiteboard.addServlet(reference(shop, Map.of(PATTERN, "/fail"), doing((request, response) -> response.sendError(404))));
        whiteboard.addServlet(reference(shop, Map.of("osgi.http.whiteboard.servlet.errorPage", "404", SELECT, inShop),
                doing((request, response) -> response.getWriter().print("shop page " + request.getServletContext().getContextPath()))));
        whiteboard.addServlet(reference(shop, Map.of("osgi.http.whiteboard.servlet.errorPage", "404"),
                doing((request, response) -> response.getWriter().print("default page"))));
        whiteboard.addServlet(servlet(shop, Map.of(PATTERN, "/where", SELECT, inShop)));
        whiteboard.addServlet(reference(shop, Map.of(PATTERN, "/forward", SELECT, inShop),
                doing((request, response) -> request.getServletContext().getRequestDispatcher("/where").forward(request, response))));
        whiteboard.addServlet(reference(shop, Map.of(PATTERN, "/look"), doing((request, response) -> response.getWriter()
                .print("forward here: " + request.getServletContext().getRequestDispatcher("/forward")))));
        ServiceReference<Object> css = reference(shop, Map.of("osgi.http.whiteboard.resource.pattern", "/static/*",
                "osgi.http.whiteboard.resource.prefix", "/files", SELECT, inShop), new Object());
        whiteboard.addResource(css);
        Registration app = registrations.get(1L).get(0);

        FakeResponse shopError = get(app, shop, "/shop/fail");
        assertThat(shopError.status).isEqualTo(404);
        assertThat(shopError.text()).as("the page of the request's context").isEqualTo("shop page /shop");
        assertThat(get(app, shop, "/fail").text()).as("the default context's own page").isEqualTo("default page");
        security.calls.clear();
        assertThat(get(app, shop, "/shop/missing").text()).as("unmatched inside /shop: its page").isEqualTo("shop page /shop");
        assertThat(security.calls).as("behind the context's security").contains("handleSecurity /shop/missing");
        assertThat(get(app, shop, "/shop/forward").text()).as("the dispatcher of the shop's ServletContext")
                .startsWith("/shop|/where|null|/shop|shop");
        assertThat(get(app, shop, "/look").text()).as("the default context has no /forward").isEqualTo("forward here: null");
        FakeResponse resource = get(app, shop, "/shop/static/a.css");
        assertThat(resource.text()).isEqualTo("b {}");
        assertThat(security.calls).as("from the context's helper").contains("getResource /files/a.css");
    }

    @Test
    void aResourceRegistrationLeavingAServletServiceLeavesTheServletServed() throws Exception {
        Bundle console = bundle(1, "console");
        TestHelper helper = new TestHelper();
        helper.resource = Files.writeString(directory.resolve("console.css"), "body {}").toUri().toURL();
        whiteboard.addContextHelper(helper(console, "console", "/console", 0, helper));
        ServiceReference<Servlet> servlet = servlet(console, Map.of(PATTERN, "/", SELECT, "(osgi.http.whiteboard.context.name=console)",
                "osgi.http.whiteboard.resource.pattern", "/res/*", "osgi.http.whiteboard.resource.prefix", "/static"));
        whiteboard.addServlet(servlet);
        whiteboard.addResource(servlet);
        Registration app = registrations.get(1L).get(0);
        assertThat(get(app, console, "/console/res/console.css").text()).isEqualTo("body {}");

        whiteboard.removeResource(servlet); // the tracker's MODIFIED_ENDMATCH: the resource properties went

        assertThat(app.unregistered).isFalse();
        assertThat(get(app, console, "/console/res/console.css").text()).as("now the servlet's").startsWith("/console|/res/console.css|null|");
    }

    // ---- running requests -----------------------------------------------------------------------

    private FakeResponse get(Registration app, Bundle bundle, String path) throws Exception {
        WebApp active = app.factory.getService(bundle, null);
        try {
            return get(active, path);
        } finally {
            app.factory.ungetService(bundle, null, active);
        }
    }

    private static FakeResponse get(WebApp active, String path) throws Exception {
        FakeResponse response = new FakeResponse();
        active.handle(new FakeRequest("GET", path), response);
        return response;
    }

    // ---- fakes ----------------------------------------------------------------------------------

    private Bundle bundle(long id, String symbolicName) {
        BundleContext context = fake(BundleContext.class, (name, args) -> switch (name) {
            case "registerService" -> register(id, args);
            case "getServiceObjects" -> serviceObjects(symbolicName, (ServiceReference<?>) args[0]);
            default -> throw new UnsupportedOperationException(name);
        });
        return fake(Bundle.class, (name, args) -> switch (name) {
            case "getBundleId" -> id;
            case "getSymbolicName" -> symbolicName;
            case "getBundleContext" -> context;
            case "getState" -> Bundle.ACTIVE;
            case "getLastModified" -> 0L;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    @SuppressWarnings("unchecked")
    private ServiceRegistration<WebApp> register(long bundleId, Object[] args) {
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

    private ServiceReference<Servlet> servlet(Bundle bundle, Map<String, Object> given) {
        return reference(bundle, given, new WhereServlet());
    }

    private ServiceReference<ServletContextHelper> helper(Bundle bundle, String name, String path, int ranking, ServletContextHelper helper) {
        return helper(bundle, name, path, ranking, helper, Map.of());
    }

    private ServiceReference<ServletContextHelper> helper(Bundle bundle, String name, String path, int ranking, ServletContextHelper helper,
            Map<String, Object> more) {
        Map<String, Object> properties = new HashMap<>(more);
        properties.put("osgi.http.whiteboard.context.name", name);
        properties.put("osgi.http.whiteboard.context.path", path);
        properties.put("service.ranking", ranking);
        return reference(bundle, properties, helper);
    }

    @SuppressWarnings("unchecked")
    private <S> ServiceReference<S> reference(Bundle bundle, Map<String, Object> given, S service) {
        Hashtable<String, Object> properties = new Hashtable<>(given);
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

    private ServiceObjects<?> serviceObjects(String user, ServiceReference<?> reference) {
        return fake(ServiceObjects.class, (name, args) -> switch (name) {
            case "getService" -> {
                gets.add("get " + user + " " + reference.getProperty("service.id"));
                yield services.get(reference);
            }
            case "ungetService" -> {
                gets.add("unget " + user + " " + reference.getProperty("service.id"));
                yield null;
            }
            default -> throw new UnsupportedOperationException(name);
        });
    }
}
