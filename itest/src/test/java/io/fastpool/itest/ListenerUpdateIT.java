package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.JulNettyLeaks;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;

/**
 * Invariant 3: updating the FastCGI listener bundle keeps idle keep-alive connections open; the
 * transport stops reading while no listener is registered and resumes when one is.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenerUpdateIT {

    Path work;
    Path socket;
    int port;
    Platform platform;

    @BeforeEach
    void start() throws Exception {
        work = Files.createTempDirectory(Path.of("target"), "listener-update-it").toAbsolutePath();
        socket = work.resolve("run/fastpool.sock");
        port = WebServerProcess.freePort();
        platform = Platform.withTestApp(work, socket, port, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        try {
            JulNettyLeaks.assertNoneAfterHello(socket);
        } finally {
            platform.close();
        }
    }

    @Test
    void anIdleKeptConnectionSurvivesAListenerUpdateAndIsServedAfterIt() throws Exception {
        Bundle listener = platform.bundle("io.fastpool.listener");
        try (RawFcgiClient unix = RawFcgiClient.unix(socket); RawFcgiClient tcp = RawFcgiClient.tcp(port)) {
            assertThat(unix.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            assertThat(tcp.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            for (int update = 0; update < 3; update++) {
                listener.update();
                Platform.await(Duration.ofSeconds(10), "the listener to come back", () -> listener.getState() == Bundle.ACTIVE);
                assertThat(unix.get(1, true, "/hello").body()).as("unix, after update %d", update).isEqualTo("Hello, world!");
                assertThat(tcp.get(1, true, "/hello").body()).as("tcp, after update %d", update).isEqualTo("Hello, world!");
            }
        }
    }

    @Test
    void requestsSentWhileNoListenerIsRegisteredWaitAndAreAnsweredWhenItReturns() throws Exception {
        Bundle listener = platform.bundle("io.fastpool.listener");
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
