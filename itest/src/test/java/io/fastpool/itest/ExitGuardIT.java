package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The exit guard on the real platform: an app whose request calls {@code System.exit(1)} (or
 * {@code Runtime.exit}, {@code Runtime.halt}) gets that request answered 500, and the framework (this
 * test's JVM: were the call not refused, the test run would end here) and every other app go on.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ExitGuardIT {

    static final String EXITING = "io.fastpool.itest.exiting";
    static final String OTHER = "io.fastpool.itest.other";

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Inject
    BundleContext context;

    @Configuration
    public Option[] platform() {
        Path work = PlatformOptions.workFolder("guard-it");
        TestApps.exitingAppJar(work.resolve("apps"), EXITING);
        TestApps.pooledHelloJar(work.resolve("apps"), OTHER, "1.0.0", Map.of("fastpool.mount.path", "/other"));
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(work.resolve("run/fastpool.sock"))),
            systemProperty("guard-it.work").value(work.toString())};
    }

    @After
    public void checkLeaks() {
        OsgiNettyLeaks.assertNone();
    }

    @Test
    public void anAppCallingSystemExitGetsA500AndTheServerAndTheOtherAppsKeepAnswering() throws Exception {
        Path work = Path.of(System.getProperty("guard-it.work"));
        Path socket = work.resolve("run/fastpool.sock");
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
        Bundle exiting = install(context, work.resolve("apps/" + EXITING + "-1.0.0.jar"));
        install(context, work.resolve("apps/" + OTHER + "-1.0.0.jar"));
        await(Duration.ofSeconds(10), "both apps to answer",
                () -> get(socket, "/exiting").equals("200 OK alive") && get(socket, "/other").startsWith("200 OK Hello from version 1"));

        assertThat(get(socket, "/exiting?mode=exit")).startsWith("500 ");
        assertThat(get(socket, "/other")).as("another app, after System.exit").startsWith("200 OK Hello from version 1");
        assertThat(get(socket, "/exiting?mode=runtime-exit")).startsWith("500 ");
        assertThat(get(socket, "/exiting?mode=halt")).startsWith("500 ");
        assertThat(get(socket, "/other")).as("another app, after Runtime.halt").startsWith("200 OK Hello from version 1");
        assertThat(get(socket, "/exiting")).as("the calling app itself").isEqualTo("200 OK alive");

        assertThat(packagesWiredFrom(exiting)).as("the woven class's dynamic import").contains("io.fastpool.guard");
        assertThat(context.getBundle(0).getState()).isEqualTo(Bundle.ACTIVE);
    }

    private static String get(Path socket, String uri) {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            RawFcgiClient.Response response = client.get(1, true, uri);
            return response.httpStatus() + " " + response.body();
        } catch (IOException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    private static java.util.List<String> packagesWiredFrom(Bundle bundle) {
        return bundle.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package").stream()
                .map(BundleWire::getCapability).map(capability -> (String) capability.getAttributes().get("osgi.wiring.package")).toList();
    }
}
