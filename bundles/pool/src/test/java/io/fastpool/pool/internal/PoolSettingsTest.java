package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.pool.PoolSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolSettingsTest {

    @Test
    void theDefaultsFollowDesign() {
        PoolSettings d = PoolSettings.DEFAULTS;
        assertThat(d.queueLength()).isEqualTo(1000);
        assertThat(d.minThreads()).isZero();
        assertThat(d.maxThreads()).isEqualTo(2 * Runtime.getRuntime().availableProcessors());
        assertThat(d.startMode()).isEqualTo(PoolSettings.StartMode.ON_DEMAND);
        assertThat(d.idleTimeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(d.requestTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(d.startupTimeLimit()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.drainTimeLimit()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.recycleAfterRequests()).isZero();
        assertThat(d.recycleAfterTime()).isEqualTo(Duration.ZERO);
        assertThat(d.rapidFailMaxFailures()).isEqualTo(5);
        assertThat(d.rapidFailInterval()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void overridesTakeStringsAndNumbersAndDurationUnits() {
        PoolSettings s = PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("queueLength", "50", "maxThreads", 3, "idleTimeout", "90s",
                "requestTimeout", "2m", "startupTimeLimit", 10, "drainTimeLimit", "500ms", "startMode", "AlwaysRunning",
                "recycleAfterTime", "1h", "unknownKey", "ignored"));
        assertThat(s.queueLength()).isEqualTo(50);
        assertThat(s.maxThreads()).isEqualTo(3);
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.startupTimeLimit()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.drainTimeLimit()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.startMode()).isEqualTo(PoolSettings.StartMode.ALWAYS_RUNNING);
        assertThat(s.recycleAfterTime()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void badValuesAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("queueLength", "many")))
                .hasMessage("queueLength must be a whole number, was 'many'");
        assertThatThrownBy(() -> PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("queueLength", 0)))
                .hasMessage("queueLength must be 1 or more, was 0");
        assertThatThrownBy(() -> PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("idleTimeout", "soon")))
                .hasMessageStartingWith("idleTimeout must be a duration like 500ms");
        assertThatThrownBy(() -> PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("startMode", "sometimes")))
                .hasMessage("startMode must be OnDemand or AlwaysRunning, was 'sometimes'");
        assertThatThrownBy(() -> PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("minThreads", 5, "maxThreads", 2)))
                .hasMessage("minThreads (5) is above maxThreads (2)");
    }
}
