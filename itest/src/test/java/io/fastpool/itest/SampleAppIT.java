package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.JulNettyLeaks;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.Pools;
import io.fastpool.itest.support.RawFcgiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hello sample, built by bnd from {@code @Component} and {@code @Mount} as the README shows,
 * deployed on the platform: the annotations really mount it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SampleAppIT {

    @Test
    void theHelloSampleBuiltWithMountIsServedInAPoolOfItsOwn() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "sample-it").toAbsolutePath();
        Path socket = work.resolve("run/fastpool.sock");
        try (Platform platform = Platform.start(work.resolve("felix"), Map.of("io.fastpool.transport", Map.of(
                "listen", new String[] {"unix:" + socket})))) {
            platform.install(Path.of(System.getProperty("sample.hello")));
            Platform.await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
            Pools pools = new Pools(platform);
            Platform.await(Duration.ofSeconds(10), "the sample's pool", () -> {
                try {
                    return pools.read("io.fastpool.samples.hello", "state").toString().equals("RUNNING");
                } catch (Exception | AssertionError e) {
                    return false;
                }
            });
            try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                assertThat(client.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
                assertThat(client.get(1, true, "/hello?name=Fastpool").body()).isEqualTo("Hello, Fastpool!");
                assertThat(client.get(1, true, "/hello/ignored/sub/path").body()).isEqualTo("Hello, world!");
            }
            assertThat(pools.read("io.fastpool.samples.hello", "counters", "served")).isEqualTo(3L);
            JulNettyLeaks.assertNone(() -> { });
        }
    }
}
