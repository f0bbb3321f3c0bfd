package io.fastpool.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.api.spi.RequestTarget;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.testkit.FakeExchange;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The component with a recording bundle context: its routes, where it answers, and how it copes with overload. */
class StatusComponentTest {

    /** A service the component registered. */
    static final class Registration {
        final RequestTarget target;
        final Dictionary<String, ?> properties;
        boolean unregistered;

        Registration(RequestTarget target, Dictionary<String, ?> properties) {
            this.target = target;
            this.properties = properties;
        }

        String path() {
            return (String) properties.get(RequestTarget.ROUTE_PATH);
        }
    }

    private final List<Registration> registrations = new ArrayList<>();
    private final StatusComponent component = new StatusComponent();
    private volatile CountDownLatch poolsGate;
    /** Counted down by the first call for the pools' figures (the first history sample). */
    private final CountDownLatch sampled = new CountDownLatch(1);
    /** Counted down when a caller reaches the closed gate: a status page is being rendered. */
    private final CountDownLatch atGate = new CountDownLatch(1);
    private boolean deactivated;

    @AfterEach
    void deactivate() {
        if (!deactivated) {
            component.deactivate();
        }
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class}, (p, m, args) -> {
            if (m.getName().equals("registerService") && args[0] == RequestTarget.class) {
                Registration registration = new Registration((RequestTarget) args[1], (Dictionary<String, ?>) args[2]);
                registrations.add(registration);
                return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class}, (q, n, a) -> {
                    if (n.getName().equals("unregister")) {
                        registration.unregistered = true;
                        return null;
                    }
                    throw new UnsupportedOperationException(n.getName());
                });
            }
            throw new UnsupportedOperationException(m.getName());
        });
    }

    private static Map<String, Object> config(Map<String, Object> values) {
        return values;
    }

    private void activate(Map<String, Object> values) {
        component.cpu = new CpuSampling();
        component.pools = new PoolManager() {
            @Override
            public List<PoolSnapshot> pools() {
                sampled.countDown();
                CountDownLatch gate = poolsGate;
                if (gate != null) {
                    atGate.countDown();
                    try {
                        gate.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return List.of(Fixtures.pool().snapshot());
            }

            @Override
            public Optional<PoolSnapshot> pool(String name) {
                return Optional.empty();
            }

            @Override
            public void start(String name) {
            }

            @Override
            public void stop(String name) {
            }

            @Override
            public void restart(String name) {
            }

            @Override
            public void recycle(String name) {
            }
        };
        component.activate(context(), config(values));
    }

    private Registration route(String path) {
        return registrations.stream().filter(r -> r.path().equals(path) && !r.unregistered).findFirst()
                .orElseThrow(() -> new AssertionError("no live route at " + path));
    }

    @Test
    void itRegistersTheStatusAndPingRoutesAtTheDefaultPaths() {
        activate(Map.of());
        assertThat(registrations).extracting(Registration::path).containsExactlyInAnyOrder("/fastpool-status", "/fastpool-ping");
        assertThat(route("/fastpool-status").properties.get(RequestTarget.NAME)).isEqualTo("fastpool status");
    }

    @Test
    void pingAnswersPongOnTheCallingThreadToAnyone() {
        activate(Map.of());
        FakeExchange ping = new FakeExchange("GET", "/fastpool-ping", "", "198.51.100.7");
        route("/fastpool-ping").target.dispatch(ping);
        assertThat(ping.completedOn).isEqualTo(Thread.currentThread().getName());
        assertThat(ping.response.status).isEqualTo(200);
        assertThat(ping.response.text()).isEqualTo("pong");
        assertThat(ping.response.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    }

    @Test
    void restrictPingLimitsThePingToAllowedClients() {
        activate(Map.of("restrictPing", true, "pingResponse", "ok"));
        FakeExchange outsider = new FakeExchange("GET", "/fastpool-ping", "", "198.51.100.7");
        route("/fastpool-ping").target.dispatch(outsider);
        assertThat(outsider.response.status).isEqualTo(403);
        FakeExchange local = FakeExchange.get("/fastpool-ping", "");
        route("/fastpool-ping").target.dispatch(local);
        assertThat(local.response.text()).isEqualTo("ok");
    }

    /** A GET of the status page with {@code query} from loopback, once it completed. */
    private FakeExchange statusPage(String query) throws Exception {
        FakeExchange status = FakeExchange.get("/fastpool-status", query);
        route("/fastpool-status").target.dispatch(status);
        assertThat(status.awaitCompletion()).isTrue();
        return status;
    }

    @Test
    void theStatusPageRendersOnAStatusThreadForAnAllowedClient() throws Exception {
        activate(Map.of());
        FakeExchange status = statusPage("json");
        assertThat(status.completedOn).startsWith("fastpool-status-");
        assertThat(status.response.status).isEqualTo(200);
        assertThat(status.response.text()).contains("\"name\":\"shop\"");
    }

    @Test
    void theServedDashboardsContentSecurityPolicyAllowsExactlyItsInlineScriptAndStyle() throws Exception {
        activate(Map.of());
        FakeExchange page = statusPage("");
        String html = page.response.text();
        String policy = page.response.header("Content-Security-Policy");
        assertThat(HtmlFormatTest.inlineHashes(html, "script")).as("one inline script").hasSize(1)
                .isEqualTo(HtmlFormatTest.allowed(policy, "script-src"));
        assertThat(HtmlFormatTest.inlineHashes(html, "style")).as("one inline style").hasSize(1)
                .isEqualTo(HtmlFormatTest.allowed(policy, "style-src"));
    }

    @Test
    void anyOtherClientGets403AtOnce() {
        activate(Map.of());
        for (String address : new String[] {"192.0.2.10", "", "::ffff:10.1.1.1", "localhost"}) {
            FakeExchange outsider = new FakeExchange("GET", "/fastpool-status", "json", address);
            route("/fastpool-status").target.dispatch(outsider);
            assertThat(outsider.completedOn).as(address).isEqualTo(Thread.currentThread().getName());
            assertThat(outsider.response.status).as(address).isEqualTo(403);
            assertThat(outsider.response.text()).contains("allowedClients in io.fastpool.status").doesNotContain("shop");
        }
    }

    @Test
    void aChangedConfigurationMovesTheRoutesAndAppliesTheClients() {
        activate(Map.of());
        Registration oldStatus = route("/fastpool-status");
        Registration oldPing = route("/fastpool-ping");
        component.modified(config(Map.of("path", "/ops/status", "allowedClients", new String[] {"192.0.2.0/24"})));
        assertThat(oldStatus.unregistered).isTrue();
        assertThat(oldPing.unregistered).as("the ping path did not change").isFalse();
        FakeExchange local = FakeExchange.get("/ops/status", "json");
        route("/ops/status").target.dispatch(local);
        assertThat(local.response.status).as("loopback is no longer allowed").isEqualTo(403);
    }

    @Test
    void aBadConfigurationIsNotAppliedAndThePreviousSettingsStay() {
        activate(Map.of("path", "/one"));
        component.modified(config(Map.of("path", "no-slash")));
        assertThat(route("/one").unregistered).isFalse();
        assertThat(registrations).hasSize(2);
    }

    @Test
    void aBadConfigurationAtStartFallsBackToTheDefaults() {
        activate(Map.of("threads", 99));
        assertThat(registrations).extracting(Registration::path).containsExactlyInAnyOrder("/fastpool-status", "/fastpool-ping");
    }

    @Test
    void whenEveryStatusThreadIsBusyAndTheQueueFullTheNextRequestGets503WithRetryAfterAtOnce() throws Exception {
        activate(Map.of("threads", 1, "queueLength", 1, "sampleIntervalSeconds", 3600)); // one sample, at the start
        assertThat(sampled.await(5, TimeUnit.SECONDS)).as("the first history sample passed before the gate closes").isTrue();
        poolsGate = new CountDownLatch(1);
        FakeExchange running = FakeExchange.get("/fastpool-status", "json");
        FakeExchange waiting = FakeExchange.get("/fastpool-status", "json");
        FakeExchange refused = FakeExchange.get("/fastpool-status", "json");
        RequestTarget status = route("/fastpool-status").target;
        status.dispatch(running);
        assertThat(atGate.await(5, TimeUnit.SECONDS)).as("the running one is rendering, out of the queue").isTrue();
        status.dispatch(waiting);
        status.dispatch(refused);
        assertThat(refused.completedOn).isEqualTo(Thread.currentThread().getName());
        assertThat(refused.response.status).isEqualTo(503);
        assertThat(refused.response.header("Retry-After")).isEqualTo("1");
        poolsGate.countDown();
        assertThat(running.awaitCompletion()).isTrue();
        assertThat(waiting.awaitCompletion()).isTrue();
        assertThat(running.response.status).isEqualTo(200);
        assertThat(waiting.response.status).isEqualTo(200);
    }

    @Test
    void deactivationRemovesTheRoutesAndAnswersWaitingRequests503() throws Exception {
        activate(Map.of("threads", 1, "queueLength", 4, "sampleIntervalSeconds", 3600));
        assertThat(sampled.await(5, TimeUnit.SECONDS)).isTrue();
        poolsGate = new CountDownLatch(1);
        FakeExchange running = FakeExchange.get("/fastpool-status", "json");
        FakeExchange waiting = FakeExchange.get("/fastpool-status", "json");
        RequestTarget status = route("/fastpool-status").target;
        status.dispatch(running);
        assertThat(atGate.await(5, TimeUnit.SECONDS)).isTrue();
        status.dispatch(waiting);
        component.deactivate();
        deactivated = true;
        assertThat(registrations).allSatisfy(r -> assertThat(r.unregistered).isTrue());
        assertThat(waiting.response.status).isEqualTo(503);
        poolsGate.countDown();
        assertThat(running.awaitCompletion()).isTrue();
    }
}
