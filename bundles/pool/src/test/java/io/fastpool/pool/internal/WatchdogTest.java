package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolState;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The watchdog's recycle triggers, driven by a clock the test moves; its time-outs are in {@link PoolTest}. */
@Timeout(30)
class WatchdogTest {

    private final TestHost host = new TestHost();
    private Pool pool;

    @AfterEach
    void shutdown() {
        pool.shutdown();
    }

    private Pool pool(Map<String, ?> settings) {
        pool = new Pool("test", PoolSettingsParser.apply(PoolSettings.DEFAULTS, settings), host);
        pool.addApp(new FakeApp("bundle/aging", (request, response) -> { }));
        return pool;
    }

    @Test
    void aPoolRunningLongerThanRecycleAfterTimeIsRecycledByTheNextCheckAndItsAgeStartsAgain() {
        pool(Map.of("recycleAfterTime", "10m"));
        host.advance(599_000);
        pool.check();
        assertThat(host.updates).as("younger than recycleAfterTime").isEmpty();

        host.advance(2_000);
        pool.check();
        assertThat(host.updates).hasSize(1);
        assertThat(pool.snapshot().counters().recycles()).isEqualTo(1);

        host.advance(599_000);
        pool.check();
        assertThat(host.updates).as("the age counts from the recycle").hasSize(1);
    }

    @Test
    void aRecycleAskedForWhileThePoolIsStoppedWaitsUntilItRunsAgain() {
        pool(Map.of());
        pool.stop();
        pool.watchdog().recycleDue("for the test");
        pool.check();
        assertThat(host.updates).isEmpty();

        pool.start();
        pool.check();
        assertThat(host.updates).hasSize(1);
        assertThat(pool.state()).isEqualTo(PoolState.RUNNING);
        assertThat(pool.watchdog().recycleRequests).hasValue(1);
    }
}
