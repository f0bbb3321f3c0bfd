package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.pool.PoolSettings;
import io.fastpool.testkit.FakeExchange;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The watchdog's rounds visit only pools that are awake, and a woken pool is visited again. */
@Timeout(30)
class AwakePoolsTest {

    private final AwakePools awake = new AwakePools();
    private final TestHost host = new TestHost() {
        @Override
        public void woke(Pool pool) {
            awake.woke(pool);
        }
    };
    private Pool pool;

    @AfterEach
    void shutdown() {
        pool.shutdown();
    }

    @Test
    void anIdlePoolLeavesTheRoundsAndARequestBringsItBack() throws Exception {
        pool = new Pool("idle", PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("idleTimeout", "200ms")), host);
        assertThat(awake.size()).as("a new pool with nothing in it").isZero();
        FakeApp app = new FakeApp("bundle/idle", (request, response) -> response.body().write("hi".getBytes(StandardCharsets.UTF_8)));
        pool.addApp(app);
        assertThat(awake.contains(pool)).as("woken by its app").isTrue();

        awake.round(p -> true);
        assertThat(awake.size()).as("an OnDemand pool not yet asked for falls asleep").isZero();

        FakeExchange exchange = new FakeExchange("/app");
        pool.submit(app, exchange);
        assertThat(awake.contains(pool)).as("woken by a request").isTrue();
        assertThat(exchange.awaitCompletion()).isTrue();
        org.awaitility.Awaitility.await().until(() -> pool.snapshot().busyThreads() == 0);
        awake.round(p -> true);
        assertThat(awake.contains(pool)).as("its idle time-out has not passed").isTrue();

        host.advance(300);
        awake.round(p -> true); // releases it
        awake.round(p -> true); // finds it dormant
        assertThat(app.releases).hasValue(1);
        assertThat(awake.size()).isZero();
    }

    @Test
    void anUndeployedPoolLeavesTheRounds() {
        pool = new Pool("gone", PoolSettings.DEFAULTS, host);
        pool.addApp(new FakeApp("bundle/gone", (request, response) -> { }));
        assertThat(awake.size()).isEqualTo(1);
        awake.round(p -> false);
        assertThat(awake.size()).isZero();
    }
}
