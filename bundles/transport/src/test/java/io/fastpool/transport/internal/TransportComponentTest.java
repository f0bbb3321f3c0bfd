package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.transport.ListenAddress;
import io.fastpool.transport.TransportLimits;
import io.fastpool.testkit.Fakes;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The DS component driven by hand, as SCR would: configuration proxies, bind and unbind calls. */
@Timeout(20)
class TransportComponentTest extends TransportTestSupport {

    /** The properties of the services registered through {@link #context} and not unregistered. */
    private final List<Dictionary<String, ?>> registered = new CopyOnWriteArrayList<>();
    private final AtomicReference<Runnable> drain = new AtomicReference<>();
    private final BundleContext context = Fakes.fake(BundleContext.class, (method, args) -> {
        assertThat(method).isEqualTo("registerService");
        assertThat(args[0]).isEqualTo(Runnable.class);
        drain.set((Runnable) args[1]);
        List<Dictionary<String, ?>> current = new ArrayList<>(List.of((Dictionary<String, ?>) args[2]));
        registered.add(current.get(0));
        return Fakes.fake(ServiceRegistration.class, (regMethod, regArgs) -> switch (regMethod) {
            case "setProperties" -> {
                registered.set(registered.indexOf(current.get(0)), (Dictionary<String, ?>) regArgs[0]);
                current.set(0, (Dictionary<String, ?>) regArgs[0]);
                yield null;
            }
            case "unregister" -> {
                registered.remove(current.get(0));
                yield null;
            }
            default -> throw new UnsupportedOperationException(regMethod);
        });
    });

    @Test
    void defaultsMatchTheDesign() {
        TransportConfig config = TransportComponent.toTransportConfig(configOf(Map.of("baseDirectory", "/srv/fp")));

        assertThat(config.listen()).extracting(ListenAddress::text)
                .containsExactly("unix:run/fastpool.sock", "tcp:127.0.0.1:9000");
        assertThat(((ListenAddress.Unix) config.listen().get(0)).path()).isEqualTo(Path.of("/srv/fp/run/fastpool.sock"));
        assertThat(config.allowedClients().entries()).containsExactly("127.0.0.0/8", "::1");
        assertThat(config.unixSocketModeText()).isEqualTo("0660");
        assertThat(config.backlog()).isEqualTo(511);
        assertThat(config.drainTimeoutMillis()).isEqualTo(30_000);
        assertThat(config.effectiveEventLoopThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.useEpoll()).isTrue();
        assertThat(config.limits()).isEqualTo(TransportLimits.DEFAULTS);
        assertThat(config.writeBufferLowWaterMark()).isEqualTo(32 * 1024);
        assertThat(config.writeBufferHighWaterMark()).isEqualTo(64 * 1024);
    }

    @Test
    void useEpollCanBeSwitchedOff() {
        assertThat(TransportComponent.toTransportConfig(configOf(Map.of("useEpoll", false))).useEpoll()).isFalse();
    }

    @Test
    void secondsAreConvertedAndCheckedByName() {
        TransportConfig config = TransportComponent.toTransportConfig(
                configOf(Map.of("idleTimeoutSeconds", 7L, "recordTimeoutSeconds", 3L)));

        assertThat(config.limits().idleTimeoutMillis()).isEqualTo(7_000);
        assertThat(config.limits().recordTimeoutMillis()).isEqualTo(3_000);
        assertThatThrownBy(() -> TransportComponent.toTransportConfig(configOf(Map.of("idleTimeoutSeconds", 0L))))
                .hasMessage("idleTimeoutSeconds must be at least 1, was 0");
    }

    @Test
    void activatesServesModifiesAndDeactivates() throws Exception {
        TransportComponent component = new TransportComponent();
        EchoHandler first = new EchoHandler();
        component.bindHandler(first);
        Map<String, Object> settings = new HashMap<>(Map.of(
                "listen", new String[] {"unix:run/fp.sock", "tcp:127.0.0.1:0"},
                "baseDirectory", baseDirectory.toString()));
        component.activate(context, settings);
        try {
            Transport transport = component.transport();
            TestClient client = connectTcp(transport, "tcp:127.0.0.1:0");
            client.assertEchoes(Records.beginRequest(1));
            connectUnix(baseDirectory.resolve("run/fp.sock")).assertEchoes(Records.beginRequest(2));

            settings.put("listen", new String[] {"tcp:127.0.0.1:0"});
            component.modified(settings);
            assertThat(component.transport()).isSameAs(transport);
            assertThat(baseDirectory.resolve("run/fp.sock")).doesNotExist();
            client.assertEchoes(Records.beginRequest(3));

            // GREEDY: the better handler is bound before the old one is unbound; that unbind must not clear it.
            EchoHandler second = new EchoHandler();
            component.bindHandler(second);
            component.unbindHandler(first);
            assertThat(transport.handler()).isSameAs(second);
            // Each connection follows on its event loop, after setHandler returns; a record sent before
            // that may still reach the first handler's session. Two move: this one and the unix one,
            // which outlives its listener.
            await("both connections move to the second handler", () -> second.opened.size() == 2);
            client.assertEchoes(Records.beginRequest(4));
            assertThat(second.received).hasSize(1);

            component.unbindHandler(second);
            assertThat(transport.handler()).isNull();
        } finally {
            component.deactivate();
        }
        assertThat(component.transport()).isNull();
        assertThat(registered).isEmpty();
        StopTest.awaitNoTransportThreads();
    }

    @Test
    void aRefusedFileKeepsTheRunningListenersAndIsReported() throws Exception {
        TransportComponent component = new TransportComponent();
        component.bindHandler(new EchoHandler());
        Map<String, Object> settings = new HashMap<>(Map.of("listen", "tcp:127.0.0.1:0", "baseDirectory", baseDirectory.toString(),
                "felix.fileinstall.filename", baseDirectory.resolve("conf/io.fastpool.transport.cfg").toUri().toString()));
        component.activate(context, settings);
        try {
            Transport transport = component.transport();
            TestClient client = connectTcp(transport, "tcp:127.0.0.1:0");
            settings.put("listen", "tcp:999.1.1.1:99999");
            settings.put("maxConnections", "lots");
            component.modified(settings);
            client.assertEchoes(Records.beginRequest(1));
            connectTcp(transport, "tcp:127.0.0.1:0").assertEchoes(Records.beginRequest(2));
            assertThat(component.configurationReports()).singleElement().satisfies(report -> {
                assertThat(report.refused()).hasSize(2);
                assertThat(report.settings()).anySatisfy(entry -> assertThat(entry.name() + "=" + entry.value())
                        .isEqualTo("listen=tcp:127.0.0.1:0"));
            });
        } finally {
            component.deactivate();
        }
        StopTest.awaitNoTransportThreads();
    }

    @Test
    void registersTheGracefulStopForTheLauncherWhichDrains() throws Exception {
        TransportComponent component = new TransportComponent();
        component.bindHandler(new EchoHandler());
        Map<String, Object> settings = new HashMap<>(Map.of("listen", "tcp:127.0.0.1:0", "baseDirectory", baseDirectory.toString()));
        component.activate(context, settings);
        try {
            assertThat(registered).singleElement().satisfies(properties -> {
                assertThat(properties.get("io.fastpool.drain")).isEqualTo("transport");
                assertThat(properties.get("io.fastpool.transport.configured")).isEqualTo(false);
            });
            settings.put("service.pid", "io.fastpool.transport");
            component.modified(settings);
            assertThat(registered.get(0).get("io.fastpool.transport.configured")).isEqualTo(true);
            TestClient idle = connectTcp(component.transport(), "tcp:127.0.0.1:0");
            idle.assertEchoes(Records.beginRequest(1));

            drain.get().run();

            assertThat(idle.endOfStreamWithin(WAIT)).isTrue();
            assertThat(component.listeners()).isEmpty();
        } finally {
            component.deactivate();
        }
        StopTest.awaitNoTransportThreads();
    }

    /** A configuration as SCR builds it: the given values, the annotation's defaults for the rest. */
    @Test
    void configRefusesTheSameAddressTwice() {
        assertThatThrownBy(() -> TransportConfig.builder(Path.of("/srv/fastpool")).listen("tcp:127.0.0.1:9000", " tcp:127.0.0.1:9000").build())
                .hasMessage("listen address 'tcp:127.0.0.1:9000' is configured twice");
    }

    private static TransportComponent.Config configOf(Map<String, Object> values) {
        return (TransportComponent.Config) Proxy.newProxyInstance(TransportComponent.Config.class.getClassLoader(),
                new Class<?>[] {TransportComponent.Config.class}, (proxy, method, args) -> {
                    Object value = values.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
    }
}
