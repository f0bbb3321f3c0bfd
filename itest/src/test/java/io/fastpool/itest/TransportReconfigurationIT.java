package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.itest.apps.TestAppActivator;
import io.fastpool.itest.support.JulNettyLeaks;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport's listen addresses change at runtime through Configuration Admin: listeners open
 * and close, and connections on the addresses that stay are not dropped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportReconfigurationIT {

    @Test
    void listenersOpenAndCloseAtRuntimeWithoutDroppingConnections() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "reconfigure-it").toAbsolutePath();
        Path socket = work.resolve("run/fastpool.sock");
        int v4 = WebServerProcess.freePort();
        int v6 = WebServerProcess.freePort();
        try (Platform platform = Platform.start(work.resolve("felix"), Map.of("io.fastpool.transport", Map.of(
                "listen", new String[] {"unix:" + socket, "tcp:127.0.0.1:" + v4})))) {
            platform.install(TestAppActivator.bundle(work));
            Platform.await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
            try (RawFcgiClient keptUnix = RawFcgiClient.unix(socket); RawFcgiClient keptV4 = RawFcgiClient.tcp(v4)) {
                assertThat(keptUnix.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
                assertThat(keptV4.get(1, true, "/hello").body()).isEqualTo("Hello, world!");

                // Add an IPv6 listener.
                platform.configure("io.fastpool.transport", Map.of(
                        "listen", new String[] {"unix:" + socket, "tcp:127.0.0.1:" + v4, "tcp:[::1]:" + v6}));
                Platform.await(Duration.ofSeconds(10), "the IPv6 listener", () -> accepts(() -> RawFcgiClient.tcp6(v6)));
                try (RawFcgiClient client = RawFcgiClient.tcp6(v6)) {
                    assertThat(client.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
                }
                assertThat(keptUnix.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
                assertThat(keptV4.get(1, true, "/hello").body()).isEqualTo("Hello, world!");

                // Drop the IPv4 listener: new connections are refused, the one already open stays.
                platform.configure("io.fastpool.transport", Map.of(
                        "listen", new String[] {"unix:" + socket, "tcp:[::1]:" + v6}));
                Platform.await(Duration.ofSeconds(10), "the IPv4 listener to close", () -> !accepts(() -> RawFcgiClient.tcp(v4)));
                assertThatThrownBy(() -> RawFcgiClient.tcp(v4)).isInstanceOf(ConnectException.class);
                assertThat(keptV4.get(1, true, "/hello").body()).as("a connection on a removed address").isEqualTo("Hello, world!");
                assertThat(keptUnix.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            }
            JulNettyLeaks.assertNone(() -> {
                try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                    client.get(1, true, "/hello");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
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
