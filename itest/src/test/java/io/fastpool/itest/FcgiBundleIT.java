package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.Version;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Runs the io.fastpool.fcgi bundle in a real Apache Felix framework, started in-process, with the
 * netty bundles it imports from. The bundle jars come from the test class path: failsafe passes
 * their files in the {@code bundle.*} system properties (see the pom).
 */
class FcgiBundleIT {

    private static final String FCGI_BSN = "io.fastpool.fcgi";
    private static final String NETTY_BUFFER_BSN = "io.netty.buffer";
    private static final String NETTY_COMMON_BSN = "io.netty.common";

    private static Framework framework;
    private static Bundle nettyCommon;
    private static Bundle nettyBuffer;
    private static Bundle fcgi;

    @BeforeAll
    static void startFrameworkWithBundles() throws Exception {
        Path storage = Path.of(System.getProperty("itest.storage.dir", "target/felix-cache"))
                .toAbsolutePath();
        Files.createDirectories(storage.getParent());

        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);

        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi FrameworkFactory on the test class path"));
        framework = factory.newFramework(config);
        framework.start();

        BundleContext context = framework.getBundleContext();
        nettyCommon = install(context, "bundle.netty-common");
        nettyBuffer = install(context, "bundle.netty-buffer");
        fcgi = install(context, "bundle.fcgi");
        // Bundle.start() resolves first: a missing import throws a BundleException carrying Felix's
        // explanation ("Unable to resolve ... missing requirement ..."), which fails the tests.
        for (Bundle bundle : List.of(nettyCommon, nettyBuffer, fcgi)) {
            bundle.start();
        }
    }

    @AfterAll
    static void stopFramework() throws Exception {
        if (framework != null) {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(30_000);
            framework = null;
            assertThat(event.getType())
                    .as("framework stop event (%s)", event.getThrowable())
                    .isEqualTo(FrameworkEvent.STOPPED);
        }
    }

    private static Bundle install(BundleContext context, String property) throws BundleException {
        String path = System.getProperty(property);
        if (path == null || path.isBlank() || path.startsWith("${")) {
            throw new IllegalStateException("system property " + property + " (a bundle jar) is not set: run through failsafe");
        }
        File jar = new File(path);
        if (!jar.isFile()) {
            throw new IllegalStateException(property + " is not a file: " + jar);
        }
        return context.installBundle(jar.toURI().toString());
    }

    @Test
    void nettyCommonNettyBufferAndFcgiBundlesAllResolveAndBecomeActive() {
        assertThat(List.of(nettyCommon, nettyBuffer, fcgi))
                .extracting(Bundle::getSymbolicName)
                .containsExactly(NETTY_COMMON_BSN, NETTY_BUFFER_BSN, FCGI_BSN);
        for (Bundle bundle : List.of(nettyCommon, nettyBuffer, fcgi)) {
            assertThat(bundle.getState())
                    .as("state of %s", bundle.getSymbolicName())
                    .isEqualTo(Bundle.ACTIVE);
        }
    }

    @Test
    void fcgiBundleExportsExactlyPackageIoFastpoolFcgiAtVersion1_2_0() {
        BundleRevision revision = fcgi.adapt(BundleRevision.class);
        List<BundleCapability> exports = revision.getDeclaredCapabilities(BundleRevision.PACKAGE_NAMESPACE);

        assertThat(exports).hasSize(1);
        Map<String, Object> attributes = exports.get(0).getAttributes();
        assertThat(attributes.get(BundleRevision.PACKAGE_NAMESPACE)).isEqualTo("io.fastpool.fcgi");
        assertThat(attributes.get(Constants.VERSION_ATTRIBUTE)).isEqualTo(new Version(1, 2, 0));

        // The resolved wiring offers the same single package.
        BundleWiring wiring = fcgi.adapt(BundleWiring.class);
        assertThat(wiring.getCapabilities(BundleRevision.PACKAGE_NAMESPACE))
                .extracting(capability -> capability.getAttributes().get(BundleRevision.PACKAGE_NAMESPACE))
                .containsExactly("io.fastpool.fcgi");
    }

    @Test
    void fcgiBundleImportsAreWiredToTheNettyBundles() {
        BundleWiring wiring = fcgi.adapt(BundleWiring.class);
        Map<String, String> providerByPackage = new HashMap<>();
        for (BundleWire wire : wiring.getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)) {
            providerByPackage.put(
                    (String) wire.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE),
                    wire.getProvider().getSymbolicName());
        }
        assertThat(providerByPackage).containsExactlyInAnyOrderEntriesOf(Map.of(
                "io.netty.buffer", NETTY_BUFFER_BSN,
                "io.netty.util.collection", NETTY_COMMON_BSN));
    }

    /**
     * Encodes an ABORT_REQUEST with FcgiEncoder and decodes it with FcgiDecoder, both loaded through
     * the bundle. Its classes are not the test class path's, so everything goes by reflection; the
     * ByteBuf comes from Unpooled loaded through the netty-buffer bundle, the one fcgi is wired to.
     */
    @Test
    void fcgiCodeRunsInsideOsgiEncodingAndDecodingAnAbortRequest() throws Exception {
        Class<?> encoder = fcgi.loadClass("io.fastpool.fcgi.FcgiEncoder");
        Class<?> decoder = fcgi.loadClass("io.fastpool.fcgi.FcgiDecoder");
        Class<?> limits = fcgi.loadClass("io.fastpool.fcgi.FcgiLimits");
        Class<?> listener = fcgi.loadClass("io.fastpool.fcgi.FcgiRecordListener");
        Class<?> unpooled = nettyBuffer.loadClass("io.netty.buffer.Unpooled");
        Class<?> byteBuf = nettyBuffer.loadClass("io.netty.buffer.ByteBuf");
        assertThat(encoder.getClassLoader()).isNotSameAs(FcgiBundleIT.class.getClassLoader());
        assertThat(fcgi.loadClass("io.netty.buffer.ByteBuf")).isSameAs(byteBuf);

        Object buf = unpooled.getMethod("buffer").invoke(null);
        try {
            encoder.getMethod("writeAbortRequest", byteBuf, int.class).invoke(null, buf, 7);
            byte[] bytes = new byte[(int) byteBuf.getMethod("readableBytes").invoke(buf)];
            byteBuf.getMethod("getBytes", int.class, byte[].class)
                    .invoke(buf, (int) byteBuf.getMethod("readerIndex").invoke(buf), bytes);
            assertThat(bytes).containsExactly(0x01, 0x02, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00);

            List<String> events = new ArrayList<>();
            InvocationHandler recorder = (proxy, method, args) -> recordCall(events, proxy, method, args);
            Object recordListener = Proxy.newProxyInstance(listener.getClassLoader(), new Class<?>[] {listener}, recorder);
            Object fcgiDecoder = decoder.getConstructor(limits, listener)
                    .newInstance(limits.getField("DEFAULTS").get(null), recordListener);
            decoder.getMethod("decode", byteBuf).invoke(fcgiDecoder, buf);

            assertThat(events).containsExactly("onAbortRequest[7]");
            assertThat(byteBuf.getMethod("readableBytes").invoke(buf)).isEqualTo(0);
        } finally {
            byteBuf.getMethod("release").invoke(buf);
        }
    }

    private static Object recordCall(List<String> events, Object proxy, Method method, Object[] args) {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "FcgiRecordListener recorder";
            };
        }
        events.add(method.getName() + List.of(args == null ? new Object[0] : args));
        return null;
    }
}
