package io.fastpool.itest;

import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.inject.Inject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;

/**
 * The hello sample, built by bnd from {@code @Component} and {@code @Mount} as the README shows,
 * deployed on the platform: the annotations really mount it.
 */
@RunWith(PaxExam.class)
public class SampleAppIT {

    private static final String SAMPLE = "io.fastpool.samples.hello";

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Inject
    PoolManager pools;

    @Configuration
    public Option[] platform() {
        Path socket = PlatformOptions.workFolder("sample-it").resolve("run/fastpool.sock");
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(socket)),
            PlatformOptions.bundleNamedBy("sample.hello"),
            systemProperty("sample-it.socket").value(socket.toString())};
    }

    @Test
    public void theHelloSampleBuiltWithMountIsServedInAPoolOfItsOwn() throws Exception {
        Path socket = Path.of(System.getProperty("sample-it.socket"));
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
        await(Duration.ofSeconds(10), "the sample's pool",
                () -> pools.pool(SAMPLE).map(pool -> pool.state() == PoolState.RUNNING).orElse(false));
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            assertThat(client.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
            assertThat(client.get(1, true, "/hello?name=Fastpool").body()).isEqualTo("Hello, Fastpool!");
            assertThat(client.get(1, true, "/hello/ignored/sub/path").body()).isEqualTo("Hello, world!");
        }
        assertThat(pools.pool(SAMPLE).map(PoolSnapshot::counters).orElseThrow().served()).isEqualTo(3L);
        OsgiNettyLeaks.assertNone();
    }
}
