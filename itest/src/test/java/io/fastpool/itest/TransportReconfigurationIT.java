package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.configure;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.inject.Inject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The transport's listen addresses change at runtime through Configuration Admin: listeners open
 * and close, and connections on the addresses that stay are not dropped.
 */
@RunWith(PaxExam.class)
public class TransportReconfigurationIT {

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Inject
    ConfigurationAdmin configurationAdmin;

    @Configuration
    public Option[] platform() throws IOException {
        Path socket = PlatformOptions.workFolder("reconfigure-it").resolve("run/fastpool.sock");
        int v4 = WebServerProcess.freePort();
        int v6 = WebServerProcess.freePort();
        return new Option[] {PlatformOptions.withTestApp(socket, v4),
            systemProperty("reconfigure-it.socket").value(socket.toString()),
            systemProperty("reconfigure-it.v4").value(Integer.toString(v4)),
            systemProperty("reconfigure-it.v6").value(Integer.toString(v6))};
    }

    @Test
    public void listenersOpenAndCloseAtRuntimeWithoutDroppingConnections() throws Exception {
        Path socket = Path.of(System.getProperty("reconfigure-it.socket"));
        int v4 = Integer.getInteger("reconfigure-it.v4");
        int v6 = Integer.getInteger("reconfigure-it.v6");
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
        try (RawFcgiClient keptUnix = RawFcgiClient.unix(socket); RawFcgiClient keptV4 = RawFcgiClient.tcp(v4)) {
            assertThat(keptUnix.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            assertThat(keptV4.get(1, true, "/hello").body()).isEqualTo("Hello, world!");

            // Add an IPv6 listener.
            configure(configurationAdmin, "io.fastpool.transport", Map.of(
                    "listen", new String[] {"unix:" + socket, "tcp:127.0.0.1:" + v4, "tcp:[::1]:" + v6}));
            await(Duration.ofSeconds(10), "the IPv6 listener", () -> accepts(() -> RawFcgiClient.tcp6(v6)));
            try (RawFcgiClient client = RawFcgiClient.tcp6(v6)) {
                assertThat(client.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            }
            assertThat(keptUnix.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            assertThat(keptV4.get(1, true, "/hello").body()).isEqualTo("Hello, world!");

            // Drop the IPv4 listener: new connections are refused, the one already open stays.
            configure(configurationAdmin, "io.fastpool.transport", Map.of(
                    "listen", new String[] {"unix:" + socket, "tcp:[::1]:" + v6}));
            await(Duration.ofSeconds(10), "the IPv4 listener to close", () -> !accepts(() -> RawFcgiClient.tcp(v4)));
            assertThatThrownBy(() -> RawFcgiClient.tcp(v4)).isInstanceOf(ConnectException.class);
            assertThat(keptV4.get(1, true, "/hello").body()).as("a connection on a removed address").isEqualTo("Hello, world!");
            assertThat(keptUnix.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
        }
        OsgiNettyLeaks.assertNone();
    }

    interface Opener {
        RawFcgiClient open() throws IOException;
    }

    private static boolean accepts(Opener opener) {
        try (RawFcgiClient client = opener.open()) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
