package io.fastpool.servlet.internal;

import static io.fastpool.testkit.Fakes.fake;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.api.SessionEndListener;
import io.fastpool.api.WebApp;
import io.fastpool.testkit.FakeDetached;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import io.fastpool.testkit.FakeSession;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContextAttributeEvent;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequestAttributeEvent;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * The extender without a framework: servlet services (fakes made with {@link Proxy}) come and go,
 * and the test watches the {@code WebApp} registrations made in each bundle's name and runs requests
 * through the service the pool would get.
 */
class ServletWhiteboardTest {

    /** Counts its life and says where a request landed. */
    static final class RecordingServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;
        int inits;
        int destroys;
        boolean sameContext;

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
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            sameContext = request.getServletContext() == getServletContext() && getServletContext() != null;
            response.getWriter().print(getServletName() + " " + request.getServletPath() + " " + request.getPathInfo() + " "
                    + getInitParameter("colour"));
        }
    }

    /** A WebApp registration made in a fake bundle's name. */
    static final class Registration {
        final ServiceFactory<WebApp> factory;
        Dictionary<String, ?> properties;
        boolean unregistered;
        /** What the pool does as the registration goes: let the requests in the app finish. */
        Runnable onUnregister = () -> { };

        Registration(ServiceFactory<WebApp> factory, Dictionary<String, ?> properties) {
            this.factory = factory;
            this.properties = properties;
        }
    }

    private final AtomicLong serviceIds = new AtomicLong();
    private final Map<ServiceReference<?>, Object> services = new HashMap<>();
    private final Map<Long, List<Registration>> registrations = new HashMap<>();
    private final ServletWhiteboard whiteboard = new ServletWhiteboard(fake(BundleContext.class, (name, args) -> switch (name) {
        case "getServiceObjects" -> serviceObjects((ServiceReference<?>) args[0]);
        case "addServiceListener", "removeServiceListener" -> null;
        case "getAllServiceReferences" -> null;
        case "registerService" -> FakeRuntimeRegistration.make();
        default -> throw new UnsupportedOperationException(name);
    }));

    @Test
    void eachBundleGetsOneAppMountedWhereItsPatternsMeet() {
        Bundle shop = bundle(1, "shop");
        Bundle blog = bundle(2, "blog");

        whiteboard.addServlet(servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/shop/cart/*")));
        whiteboard.addServlet(servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/shop/pay")));
        whiteboard.addServlet(servlet(blog, Map.of("osgi.http.whiteboard.servlet.pattern", new String[] {"/blog/*"})));

        assertThat(registrations.get(1L)).hasSize(1);
        assertThat(registrations.get(1L).get(0).properties.get("fastpool.mount.path")).isEqualTo("/shop");
        assertThat(registrations.get(1L).get(0).properties.get("component.name")).isEqualTo("servlet-whiteboard");
        assertThat(registrations.get(2L)).hasSize(1);
        assertThat(registrations.get(2L).get(0).properties.get("fastpool.mount.path")).isEqualTo("/blog");
    }

    @Test
    void aServiceWhoseTargetDoesNotMatchFastpoolsRuntimeIsIgnoredAndOneThatMatchesIsServed() throws Exception {
        long runtimeId = FakeRuntimeRegistration.SERVICE_ID;
        Bundle shop = bundle(1, "shop");
        Bundle other = bundle(2, "other");
        Bundle broken = bundle(3, "broken");

        whiteboard.addServlet(servlet(other, Map.of("osgi.http.whiteboard.servlet.pattern", "/other/*",
                "osgi.http.whiteboard.target", "(service.id=" + (runtimeId + 1000) + ")")));
        whiteboard.addServlet(servlet(broken, Map.of("osgi.http.whiteboard.servlet.pattern", "/broken/*",
                "osgi.http.whiteboard.target", "(service.id=")));
        whiteboard.addServlet(servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/shop/*",
                "osgi.http.whiteboard.target", "(&(service.id=" + runtimeId + ")(osgi.http.endpoint=/))")));
        List<String> events = new ArrayList<>();
        whiteboard.addContextListener(reference(shop, Map.of("osgi.http.whiteboard.listener", "true",
                "objectClass", new String[] {jakarta.servlet.ServletContextListener.class.getName()},
                "osgi.http.whiteboard.target", "(osgi.http.endpoint=http://elsewhere/)"), new LoggingListener(events, new RecordingServlet())));

        assertThat(registrations.get(2L)).as("its target names another whiteboard").isNull();
        assertThat(registrations.get(3L)).as("its target is not a filter").isNull();
        assertThat(registrations.get(1L)).hasSize(1);
        WebApp active = registrations.get(1L).get(0).factory.getService(shop, null);
        active.handle(new FakeRequest("GET", "/shop/1", "/shop"), new FakeResponse());
        assertThat(events).as("the listener is for another whiteboard").isEmpty();
    }

    @Test
    void aChangeMovesTheMountAndTheLastServletGoneUnregistersTheApp() {
        Bundle shop = bundle(1, "shop");
        ServiceReference<jakarta.servlet.Servlet> cart = servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/shop/cart/*"));
        ServiceReference<jakarta.servlet.Servlet> home = servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/"));
        whiteboard.addServlet(cart);
        Registration app = registrations.get(1L).get(0);
        assertThat(app.properties.get("fastpool.mount.path")).isEqualTo("/shop/cart");

        whiteboard.addServlet(home);
        assertThat(app.properties.get("fastpool.mount.path")).isEqualTo("/");
        whiteboard.removeServlet(home);
        assertThat(app.properties.get("fastpool.mount.path")).isEqualTo("/shop/cart");
        assertThat(app.unregistered).isFalse();

        whiteboard.removeServlet(cart);
        assertThat(app.unregistered).isTrue();
        assertThat(registrations.get(1L)).hasSize(1);
    }

    /**
     * Its bundle stops or updates: the app goes before its last servlet leaves the mapping, so a
     * request the pool lets finish as the app goes still reaches the servlet (it was a 404).
     */
    @Test
    void whenTheLastServletGoesTheAppIsUnregisteredWhileItsRequestsStillReachTheServlet() throws Exception {
        Bundle shop = bundle(1, "shop");
        ServiceReference<jakarta.servlet.Servlet> cart = servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/cart/*",
                "osgi.http.whiteboard.servlet.name", "cart"));
        whiteboard.addServlet(cart);
        Registration app = registrations.get(1L).get(0);
        WebApp active = app.factory.getService(shop, null);
        FakeResponse during = new FakeResponse();
        app.onUnregister = () -> {
            try {
                active.handle(new FakeRequest("GET", "/cart/x", "/cart"), during);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };

        whiteboard.removeServlet(cart);

        assertThat(app.unregistered).isTrue();
        assertThat(during.status()).isEqualTo(200);
        assertThat(during.text()).isEqualTo("cart /cart /x null");
    }

    @Test
    void theServletsStartWhenThePoolGetsTheAppAndStopWhenItLetsGo() throws Exception {
        Bundle shop = bundle(1, "shop");
        ServiceReference<jakarta.servlet.Servlet> cart = servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/cart/*",
                "osgi.http.whiteboard.servlet.name", "cart", "servlet.init.colour", "blue"));
        whiteboard.addServlet(cart);
        Registration app = registrations.get(1L).get(0);
        RecordingServlet servlet = (RecordingServlet) services.get(cart);
        assertThat(servlet.inits).as("nothing starts at registration").isZero();

        WebApp active = app.factory.getService(shop, null);
        assertThat(servlet.inits).isEqualTo(1);
        FakeResponse response = new FakeResponse();
        active.handle(new FakeRequest("GET", "/cart/items/3", "/cart"), response);
        FakeResponse missing = new FakeResponse();
        active.handle(new FakeRequest("GET", "/cart", "/cart"), missing);

        assertThat(response.text()).isEqualTo("cart /cart /items/3 blue");
        assertThat(missing.text()).isEqualTo("cart /cart null blue");
        assertThat(servlet.sameContext).as("init and the request give the same servlet context").isTrue();
        assertThat(servlet.inits).isEqualTo(1);
        app.factory.ungetService(shop, null, active);
        assertThat(servlet.destroys).isEqualTo(1);
    }

    @Test
    void everyConsumerSharesTheStartedServletsAndTheLastToLetGoDestroysThem() throws Exception {
        Bundle shop = bundle(1, "shop");
        Bundle resources = bundle(2, "resources");
        ServiceReference<jakarta.servlet.Servlet> cart = servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/cart/*"));
        whiteboard.addServlet(cart);
        Registration app = registrations.get(1L).get(0);
        RecordingServlet servlet = (RecordingServlet) services.get(cart);

        WebApp forThePool = app.factory.getService(shop, null);
        WebApp forAnother = app.factory.getService(resources, null);
        assertThat(forAnother).isSameAs(forThePool);
        assertThat(servlet.inits).isEqualTo(1);

        app.factory.ungetService(shop, null, forThePool);
        assertThat(servlet.destroys).as("another consumer still holds it").isZero();
        FakeResponse response = new FakeResponse();
        forAnother.handle(new FakeRequest("GET", "/cart/x", "/cart"), response);
        assertThat(response.status()).isEqualTo(200);

        app.factory.ungetService(resources, null, forAnother);
        assertThat(servlet.destroys).isEqualTo(1);
        assertThat(app.factory.getService(shop, null)).as("a new start").isNotSameAs(forThePool);
        assertThat(servlet.inits).isEqualTo(2);
    }

    @Test
    void aPathNoPatternMatchesIsNotFound() throws Exception {
        Bundle shop = bundle(1, "shop");
        whiteboard.addServlet(servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/cart")));
        WebApp active = registrations.get(1L).get(0).factory.getService(shop, null);
        FakeResponse response = new FakeResponse();

        active.handle(new FakeRequest("GET", "/cart/more", "/cart"), response);

        assertThat(response.status()).isEqualTo(404);
    }

    @Test
    void theHigherRankedServletTakesASharedPatternAndAServletThatGoesIsDestroyed() throws Exception {
        Bundle shop = bundle(1, "shop");
        ServiceReference<jakarta.servlet.Servlet> plain = servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/a/*",
                "osgi.http.whiteboard.servlet.name", "plain"));
        ServiceReference<jakarta.servlet.Servlet> ranked = servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/a/*",
                "osgi.http.whiteboard.servlet.name", "ranked", "service.ranking", 10));
        whiteboard.addServlet(plain);
        whiteboard.addServlet(ranked);
        WebApp active = registrations.get(1L).get(0).factory.getService(shop, null);

        FakeResponse first = new FakeResponse();
        active.handle(new FakeRequest("GET", "/a/x", "/a"), first);
        whiteboard.removeServlet(ranked);
        FakeResponse second = new FakeResponse();
        active.handle(new FakeRequest("GET", "/a/x", "/a"), second);

        assertThat(first.text()).startsWith("ranked ");
        assertThat(((RecordingServlet) services.get(ranked)).destroys).isEqualTo(1);
        assertThat(second.text()).startsWith("plain ");
    }

    @Test
    void aServletOfAnotherContextIsLeftOut() {
        Bundle shop = bundle(1, "shop");

        whiteboard.addServlet(servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/a/*",
                "osgi.http.whiteboard.context.select", "(osgi.http.whiteboard.context.name=other)")));

        assertThat(registrations.get(1L)).isNull();
    }

    @Test
    void theBundlesFiltersWrapItsServletsInRankingOrderWhereTheyApply() throws Exception {
        Bundle shop = bundle(1, "shop");
        whiteboard.addServlet(servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/*", "osgi.http.whiteboard.servlet.name", "all")));
        ServiceReference<jakarta.servlet.Filter> outer = filter(shop, "outer", Map.of("osgi.http.whiteboard.filter.pattern", "/a/*",
                "service.ranking", 5));
        whiteboard.addFilter(outer);
        whiteboard.addFilter(filter(shop, "inner", Map.of("osgi.http.whiteboard.filter.servlet", "all")));
        whiteboard.addFilter(filter(shop, "never", Map.of("osgi.http.whiteboard.filter.regex", "/b/.*")));
        WebApp active = registrations.get(1L).get(0).factory.getService(shop, null);
        assertThat(((TaggingFilter) services.get(outer)).inits).as("filters start with the app").isEqualTo(1);

        FakeResponse response = new FakeResponse();
        active.handle(new FakeRequest("GET", "/a/x", "/"), response);

        assertThat(response.text()).isEqualTo("[outer][inner]all  /a/x null");
        registrations.get(1L).get(0).factory.ungetService(shop, null, active);
        assertThat(((TaggingFilter) services.get(outer)).destroys).isEqualTo(1);
    }

    @Test
    void asyncIsSupportedWhenTheServletAndEveryFilterOnItsWaySayTheyAreAndAnAsyncDispatchRunsTheAsyncFilters() throws Exception {
        Bundle shop = bundle(1, "shop");
        HttpServlet polling = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                if (request.getDispatcherType() == jakarta.servlet.DispatcherType.ASYNC) {
                    response.getWriter().print("dispatched " + request.getServletPath());
                } else if (request.isAsyncSupported()) {
                    request.startAsync().dispatch("/b/x");
                } else {
                    response.getWriter().print("sync");
                }
            }
        };
        whiteboard.addServlet(reference(shop, Map.of("osgi.http.whiteboard.servlet.pattern", new String[] {"/a/*", "/b/*"},
                "osgi.http.whiteboard.servlet.asyncSupported", true), polling));
        whiteboard.addFilter(filter(shop, "sync-only", Map.of("osgi.http.whiteboard.filter.pattern", "/a/*")));
        whiteboard.addFilter(filter(shop, "async", Map.of("osgi.http.whiteboard.filter.pattern", "/b/*",
                "osgi.http.whiteboard.filter.asyncSupported", "true", "osgi.http.whiteboard.filter.dispatcher", new String[] {"REQUEST", "ASYNC"})));
        WebApp active = registrations.get(1L).get(0).factory.getService(shop, null);

        FakeResponse viaSyncFilter = new FakeResponse();
        active.handle(new FakeRequest("GET", "/a/x", "/"), viaSyncFilter);
        assertThat(viaSyncFilter.text()).as("a filter without async support on the way").isEqualTo("[sync-only]sync");

        FakeResponse response = new FakeResponse();
        FakeDetached detached = new FakeDetached(response);
        active.handle(new FakeRequest("GET", "/b/y", "/").detachable(detached), response);
        assertThat(detached.awaitCompletion()).isTrue();
        detached.shutdown();
        assertThat(response.text()).isEqualTo("[async][async]dispatched /b");
    }

    @Test
    void aBundleWithFiltersOnlyHasNoApp() {
        Bundle shop = bundle(1, "shop");

        whiteboard.addFilter(filter(shop, "lonely", Map.of("osgi.http.whiteboard.filter.pattern", "/*")));

        assertThat(registrations.get(1L)).isNull();
    }

    @Test
    void listenersHearTheAppStartBeforeItsServletsAndStopAfterThemAndEachRequestAroundIt() throws Exception {
        Bundle shop = bundle(1, "shop");
        ServiceReference<jakarta.servlet.Servlet> cart = servlet(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/cart/*"));
        whiteboard.addServlet(cart);
        RecordingServlet servlet = (RecordingServlet) services.get(cart);
        List<String> events = new ArrayList<>();
        // Both objects are both kinds of listener; each hears only the events of the interface it is registered under.
        whiteboard.addContextListener(reference(shop, Map.of("osgi.http.whiteboard.listener", "true",
                "objectClass", new String[] {jakarta.servlet.ServletContextListener.class.getName()}), new LoggingListener(events, servlet)));
        whiteboard.addRequestListener(reference(shop, Map.of("osgi.http.whiteboard.listener", "true",
                "objectClass", new String[] {jakarta.servlet.ServletRequestListener.class.getName()}), new LoggingListener(events, servlet)));
        Registration app = registrations.get(1L).get(0);

        WebApp active = app.factory.getService(shop, null);
        active.handle(new FakeRequest("GET", "/cart/1", "/cart"), new FakeResponse());
        app.factory.ungetService(shop, null, active);

        assertThat(events).containsExactly("context up, servlet inits 0", "request in /cart", "request out",
                "context down, servlet destroys 1");
    }

    @Test
    void sessionListenersHearASessionMadeChangedRenamedAndInvalidatedInARequest() throws Exception {
        Bundle shop = bundle(1, "shop");
        whiteboard.addServlet(reference(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/cart/*"), new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                HttpSession session = request.getSession();
                session.setAttribute("item", "a");
                session.setAttribute("item", "b");
                session.removeAttribute("item");
                session.setAttribute("user", "ann");
                request.changeSessionId();
                session.invalidate();
            }
        }));
        List<String> events = new ArrayList<>();
        whiteboard.addSessionListener(reference(shop, Map.of("osgi.http.whiteboard.listener", "true", "objectClass",
                new String[] {HttpSessionListener.class.getName(), HttpSessionAttributeListener.class.getName(),
                    HttpSessionIdListener.class.getName()}), new SessionLog(events)));
        whiteboard.addSessionListener(reference(shop, Map.of("osgi.http.whiteboard.listener", "true", "objectClass",
                new String[] {HttpSessionListener.class.getName()}), new SessionLog(events)));
        FakeSession[] made = new FakeSession[1];
        FakeRequest request = new FakeRequest("GET", "/cart/1", "/cart").sessions(create -> {
            if (create && (made[0] == null || made[0].ended())) {
                made[0] = new FakeSession("s1");
            }
            return made[0] == null || made[0].ended() ? null : made[0];
        });

        WebApp active = registrations.get(1L).get(0).factory.getService(shop, null);
        FakeResponse response = new FakeResponse();
        active.handle(request, response);

        assertThat(response.status()).isEqualTo(200);
        assertThat(events).as("the second listener is registered for session lifecycle events only; destroyed in reverse order, "
                + "before the attributes go").containsExactly("created s1", "created s1", "added item=a", "replaced item=a",
                "removed item=b", "added user=ann", "id s1 -> s1.1", "destroyed s1.1 user=ann", "destroyed s1.1 user=ann",
                "removed user=ann");
    }

    @Test
    void aSessionTheStoreEndsByItselfReachesTheListenersReadableThenItsAttributesGoAndBindingsUnbind() throws Exception {
        Bundle shop = bundle(1, "shop");
        whiteboard.addServlet(reference(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/cart/*"), new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                request.getSession().setAttribute("user", "ann");
            }
        }));
        WebApp active = registrations.get(1L).get(0).factory.getService(shop, null);
        SessionEndListener ends = (SessionEndListener) active;
        FakeSession earlier = new FakeSession("s0");
        active.handle(new FakeRequest("GET", "/cart/1", "/cart").sessions(create -> earlier), new FakeResponse());
        assertThat(ends.listensForSessionEnds()).as("no session listener: the pool need not gather ended sessions").isFalse();

        List<String> events = new ArrayList<>();
        whiteboard.addSessionListener(reference(shop, Map.of("osgi.http.whiteboard.listener", "true", "objectClass",
                new String[] {HttpSessionListener.class.getName(), HttpSessionAttributeListener.class.getName()}), new SessionLog(events)));
        FakeSession session = new FakeSession("s1");
        active.handle(new FakeRequest("GET", "/cart/1", "/cart").sessions(create -> session), new FakeResponse());
        session.setAttribute("cart", new HttpSessionBindingListener() {
            @Override
            public void valueUnbound(HttpSessionBindingEvent event) {
                events.add("unbound " + event.getName() + " from " + event.getSession().getId());
            }

            @Override
            public String toString() {
                return "3 books";
            }
        });
        assertThat(ends.listensForSessionEnds()).isTrue();
        events.clear();

        ends.sessionEnded(session);

        assertThat(events).containsExactlyInAnyOrder("destroyed s1 user=ann", "removed user=ann", "unbound cart from s1", "removed cart=3 books");
        assertThat(events.get(0)).as("told while its attributes are still there").isEqualTo("destroyed s1 user=ann");
        assertThat(session.ended()).as("a request still holding it finds it gone").isTrue();
        assertThat(session.attributeNames()).isEmpty();

        registrations.get(1L).get(0).factory.ungetService(shop, null, active);
        assertThat(ends.listensForSessionEnds()).as("its listeners stopped with the app").isFalse();
    }

    @Test
    void attributeListenersHearTheContextsAndTheRequestsAttributesAddedReplacedAndRemovedInTheirContextOnly() throws Exception {
        Bundle shop = bundle(1, "shop");
        whiteboard.addServlet(reference(shop, Map.of("osgi.http.whiteboard.servlet.pattern", "/cart/*"), new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                request.setAttribute("step", 1);
                request.setAttribute("step", 2);
                request.removeAttribute("step");
                request.removeAttribute("never-set");
                getServletContext().setAttribute("visits", 1);
                getServletContext().setAttribute("visits", 2);
                getServletContext().setAttribute("visits", null);
            }
        }));
        List<String> events = new ArrayList<>();
        whiteboard.addContextAttributeListener(reference(shop, Map.of("osgi.http.whiteboard.listener", "true", "objectClass",
                new String[] {ServletContextAttributeListener.class.getName(), ServletRequestAttributeListener.class.getName()}),
                new AttributeLog(events)));
        whiteboard.addRequestAttributeListener(reference(shop, Map.of("osgi.http.whiteboard.listener", "true", "objectClass",
                new String[] {ServletRequestAttributeListener.class.getName()}, "osgi.http.whiteboard.context.select",
                "(osgi.http.whiteboard.context.name=elsewhere)"), new AttributeLog(events)));

        WebApp active = registrations.get(1L).get(0).factory.getService(shop, null);
        active.handle(new FakeRequest("GET", "/cart/1", "/cart"), new FakeResponse());

        assertThat(events).as("the second listener is in a context that is not there; replaced events carry the old value")
                .containsExactly("request added step=1", "request replaced step=1", "request removed step=2", "context added visits=1",
                        "context replaced visits=1", "context removed visits=2");
    }

    /** Records the attribute events it hears. */
    static final class AttributeLog implements ServletContextAttributeListener, ServletRequestAttributeListener {

        private final List<String> events;

        AttributeLog(List<String> events) {
            this.events = events;
        }

        @Override
        public void attributeAdded(ServletContextAttributeEvent event) {
            events.add("context added " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void attributeReplaced(ServletContextAttributeEvent event) {
            events.add("context replaced " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void attributeRemoved(ServletContextAttributeEvent event) {
            events.add("context removed " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void attributeAdded(ServletRequestAttributeEvent event) {
            events.add("request added " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void attributeReplaced(ServletRequestAttributeEvent event) {
            events.add("request replaced " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void attributeRemoved(ServletRequestAttributeEvent event) {
            events.add("request removed " + event.getName() + "=" + event.getValue());
        }
    }

    /** Records the session events it hears. */
    static final class SessionLog implements HttpSessionListener, HttpSessionAttributeListener, HttpSessionIdListener {

        private final List<String> events;

        SessionLog(List<String> events) {
            this.events = events;
        }

        @Override
        public void sessionCreated(HttpSessionEvent event) {
            events.add("created " + event.getSession().getId());
        }

        @Override
        public void sessionDestroyed(HttpSessionEvent event) {
            events.add("destroyed " + event.getSession().getId() + " user=" + event.getSession().getAttribute("user"));
        }

        @Override
        public void attributeAdded(HttpSessionBindingEvent event) {
            events.add("added " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void attributeReplaced(HttpSessionBindingEvent event) {
            events.add("replaced " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void attributeRemoved(HttpSessionBindingEvent event) {
            events.add("removed " + event.getName() + "=" + event.getValue());
        }

        @Override
        public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
            events.add("id " + oldSessionId + " -> " + event.getSession().getId());
        }
    }

    @Test
    void aBundleThatIsStoppingGetsNoNewApp() {
        Bundle stopping = bundle(1, "shop", Bundle.STOPPING);

        whiteboard.addServlet(servlet(stopping, Map.of("osgi.http.whiteboard.servlet.pattern", "/a/*")));

        assertThat(registrations.get(1L)).isNull();
    }

    /** Records what it hears, with the servlet's life so far. */
    static final class LoggingListener implements jakarta.servlet.ServletContextListener, jakarta.servlet.ServletRequestListener {
        private final List<String> events;
        private final RecordingServlet servlet;

        LoggingListener(List<String> events, RecordingServlet servlet) {
            this.events = events;
            this.servlet = servlet;
        }

        @Override
        public void contextInitialized(jakarta.servlet.ServletContextEvent event) {
            events.add("context up, servlet inits " + servlet.inits);
        }

        @Override
        public void contextDestroyed(jakarta.servlet.ServletContextEvent event) {
            events.add("context down, servlet destroys " + servlet.destroys);
        }

        @Override
        public void requestInitialized(jakarta.servlet.ServletRequestEvent event) {
            events.add("request in " + ((HttpServletRequest) event.getServletRequest()).getServletPath());
        }

        @Override
        public void requestDestroyed(jakarta.servlet.ServletRequestEvent event) {
            events.add("request out");
        }
    }

    /** Writes its name before the rest of the chain answers. */
    static final class TaggingFilter implements jakarta.servlet.Filter {
        private final String tag;
        int inits;
        int destroys;

        TaggingFilter(String tag) {
            this.tag = tag;
        }

        @Override
        public void init(jakarta.servlet.FilterConfig config) {
            inits++;
        }

        @Override
        public void doFilter(jakarta.servlet.ServletRequest request, jakarta.servlet.ServletResponse response,
                jakarta.servlet.FilterChain chain) throws IOException, ServletException {
            response.getWriter().print("[" + tag + "]");
            chain.doFilter(request, response);
        }

        @Override
        public void destroy() {
            destroys++;
        }
    }

    // ---- fakes ----------------------------------------------------------------------------------

    private Bundle bundle(long id, String symbolicName) {
        return bundle(id, symbolicName, Bundle.ACTIVE);
    }

    private Bundle bundle(long id, String symbolicName, int state) {
        BundleContext context = fake(BundleContext.class, (name, args) -> switch (name) {
            case "registerService" -> register(id, args);
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
    private ServiceRegistration<WebApp> register(long bundleId, Object[] args) {
        assertThat(args[0]).isEqualTo(WebApp.class);
        Registration registration = new Registration((ServiceFactory<WebApp>) args[1], (Dictionary<String, ?>) args[2]);
        registrations.computeIfAbsent(bundleId, id -> new ArrayList<>()).add(registration);
        return fake(ServiceRegistration.class, (name, more) -> {
            switch (name) {
                case "setProperties" -> registration.properties = (Dictionary<String, ?>) more[0];
                case "unregister" -> {
                    registration.unregistered = true;
                    registration.onUnregister.run();
                }
                default -> throw new UnsupportedOperationException(name);
            }
            return null;
        });
    }

    private ServiceReference<jakarta.servlet.Servlet> servlet(Bundle bundle, Map<String, Object> given) {
        return reference(bundle, given, new RecordingServlet());
    }

    private ServiceReference<jakarta.servlet.Filter> filter(Bundle bundle, String tag, Map<String, Object> given) {
        return reference(bundle, given, new TaggingFilter(tag));
    }

    /** A service of {@code bundle} with these properties and a new service id, whose service is {@code service}. */
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

    private ServiceObjects<?> serviceObjects(ServiceReference<?> reference) {
        return fake(ServiceObjects.class, (name, args) -> switch (name) {
            case "getService" -> services.get(reference);
            case "ungetService" -> null;
            default -> throw new UnsupportedOperationException(name);
        });
    }
}
