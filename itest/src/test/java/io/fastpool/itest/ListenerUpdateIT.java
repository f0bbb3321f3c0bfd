package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.bundle;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Invariant 3: updating the FastCGI listener bundle keeps idle keep-alive connections open; the
 * transport stops reading while no listener is registered and resumes when one is.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ListenerUpdateIT {

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Inject
    BundleContext context;

    Path socket;
    int port;

    @Configuration
    public Option[] platform() throws IOException {
        Path socket = PlatformOptions.workFolder("listener-update-it").resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        return new Option[] {PlatformOptions.withTestApp(socket, port),
            systemProperty("listener-update-it.socket").value(socket.toString()),
            systemProperty("listener-update-it.port").value(Integer.toString(port))};
    }

    @Before
    public void start() {
        socket = Path.of(System.getProperty("listener-update-it.socket"));
        port = Integer.getInteger("listener-update-it.port");
        await(Duration.ofSeconds(10), "the unix socket " + socket, () -> Files.exists(socket));
    }

    @After
    public void checkLeaks() {
        OsgiNettyLeaks.assertNone();
    }

    @Test
    public void anIdleKeptConnectionSurvivesAListenerUpdateAndIsServedAfterIt() throws Exception {
        Bundle listener = bundle(context, "io.fastpool.listener");
        try (RawFcgiClient unix = RawFcgiClient.unix(socket); RawFcgiClient tcp = RawFcgiClient.tcp(port)) {
            assertThat(unix.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            assertThat(tcp.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            for (int update = 0; update < 3; update++) {
                listener.update();
                await(Duration.ofSeconds(10), "the listener to come back", () -> listener.getState() == Bundle.ACTIVE);
                assertThat(unix.get(1, true, "/hello").body()).as("unix, after update %d", update).isEqualTo("Hello, world!");
                assertThat(tcp.get(1, true, "/hello").body()).as("tcp, after update %d", update).isEqualTo("Hello, world!");
            }
        }
    }

    @Test
    public void requestsSentWhileNoListenerIsRegisteredWaitAndAreAnsweredWhenItReturns() throws Exception {
        Bundle listener = bundle(context, "io.fastpool.listener");
        try (RawFcgiClient kept = RawFcgiClient.unix(socket)) {
            assertThat(kept.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            listener.stop();
            kept.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/hello"), new byte[0]));
            try (RawFcgiClient fresh = RawFcgiClient.tcp(port)) {
                fresh.send(RawFcgiClient.requestBytes(3, true, RawFcgiClient.params("GET", "/hello"), new byte[0]));
                assertThat(kept.closedByServerWithin(500)).as("the kept connection stays open without a listener").isFalse();
                listener.start();
                assertThat(kept.await(1).body()).isEqualTo("Hello, world!");
                assertThat(fresh.await(3).body()).isEqualTo("Hello, world!");
            }
        }
    }
}
