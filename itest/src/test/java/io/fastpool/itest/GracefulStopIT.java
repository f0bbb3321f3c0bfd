package io.fastpool.itest;

import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The graceful stop the launcher runs on SIGTERM, in the assembled platform: the transport's drain
 * (the {@code Runnable} service with {@code io.fastpool.drain=transport}) stops accepting, lets a
 * request in flight in a pool finish and be answered whole, and closes every connection between
 * requests.
 */
@RunWith(PaxExam.class)
public class GracefulStopIT {

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Inject
    BundleContext context;

    @Configuration
    public Option[] platform() throws IOException {
        Path socket = PlatformOptions.workFolder("graceful-stop-it").resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        return new Option[] {PlatformOptions.withTestApp(socket, port),
            systemProperty("graceful-stop-it.socket").value(socket.toString()),
            systemProperty("graceful-stop-it.port").value(Integer.toString(port))};
    }

    @Test
    public void drainingAnswersTheRequestInFlightAndClosesEveryConnectionBetweenRequests() throws Exception {
        Path socket = Path.of(System.getProperty("graceful-stop-it.socket"));
        int port = Integer.getInteger("graceful-stop-it.port");
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
        try (RawFcgiClient idle = RawFcgiClient.tcp(port); RawFcgiClient busy = RawFcgiClient.unix(socket)) {
            assertThat(idle.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            busy.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/slow?ms=1500"), new byte[0]));
            Runnable drain = drainService();

            CompletableFuture<Void> draining = CompletableFuture.runAsync(drain);

            assertThat(idle.endOfStreamWithin(5_000)).as("the idle kept connection closes").isTrue();
            assertThat(busy.await(1).body()).as("the request in flight is answered whole").isEqualTo("slept\n");
            assertThat(busy.endOfStreamWithin(5_000)).as("then its connection closes").isTrue();
            draining.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> RawFcgiClient.tcp(port)).isInstanceOf(ConnectException.class);
        }
    }

    private Runnable drainService() throws Exception {
        ServiceReference<?>[] drains = context.getServiceReferences(Runnable.class.getName(), "(io.fastpool.drain=transport)");
        assertThat(drains).as("the transport's drain service").hasSize(1);
        return (Runnable) context.getService(drains[0]);
    }
}
