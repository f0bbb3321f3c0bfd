package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.pool.PoolSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RapidFailProtectionTest {

    private final TestHost host = new TestHost();
    private final RapidFailProtection protection = new RapidFailProtection(host.clock());

    private static PoolSettings settings(int maxFailures, String interval) {
        return PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("rapidFailMaxFailures", maxFailures, "rapidFailInterval", interval));
    }

    @Test
    void theFailureThatReachesTheLimitWithinTheIntervalTripsIt() {
        PoolSettings settings = settings(3, "60s");
        assertThat(protection.failed(settings)).isFalse();
        host.advance(10_000);
        assertThat(protection.failed(settings)).isFalse();
        host.advance(49_000);
        assertThat(protection.failed(settings)).isTrue();
        assertThat(protection.recentFailures()).isEqualTo(3);
    }

    @Test
    void failuresOlderThanTheIntervalNoLongerCount() {
        PoolSettings settings = settings(3, "60s");
        protection.failed(settings);
        host.advance(30_000);
        protection.failed(settings);
        host.advance(30_001); // the first is now older than the interval
        assertThat(protection.failed(settings)).isFalse();
        assertThat(protection.recentFailures()).isEqualTo(2);
        host.advance(60_001); // and so are the other two
        assertThat(protection.failed(settings)).isFalse();
        assertThat(protection.recentFailures()).isEqualTo(1);
    }

    @Test
    void aLimitOfZeroNeverTrips() {
        PoolSettings settings = settings(0, "60s");
        for (int i = 0; i < 100; i++) {
            assertThat(protection.failed(settings)).isFalse();
        }
    }

    @Test
    void aResetForgetsEveryFailure() {
        PoolSettings settings = settings(2, "60s");
        protection.failed(settings);
        protection.reset();
        assertThat(protection.recentFailures()).isZero();
        assertThat(protection.failed(settings)).isFalse();
        assertThat(protection.failed(settings)).isTrue();
    }
}
