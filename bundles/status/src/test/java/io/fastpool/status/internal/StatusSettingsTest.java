package io.fastpool.status.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatusSettingsTest {

    private static StatusSettings with(String path, String pingPath) {
        return StatusSettings.of(path, pingPath, "pong", new String[] {"127.0.0.1"}, false, 5, 120, 2, 16);
    }

    @Test
    void theDefaultsAreThoseDocumented() {
        StatusSettings defaults = StatusSettings.DEFAULTS;
        assertThat(defaults.path()).isEqualTo("/fastpool-status");
        assertThat(defaults.pingPath()).isEqualTo("/fastpool-ping");
        assertThat(defaults.pingResponse()).isEqualTo("pong");
        assertThat(defaults.allowedClients().entries()).containsExactly("127.0.0.0/8", "::1");
        assertThat(defaults.restrictPing()).isFalse();
        assertThat(defaults.sampleIntervalSeconds()).isEqualTo(5);
        assertThat(defaults.historySamples()).isEqualTo(120);
        assertThat(defaults.threads()).isEqualTo(2);
        assertThat(defaults.queueLength()).isEqualTo(16);
    }

    @Test
    void pathsMustBeAbsoluteSingleAndDistinct() {
        assertThat(with(" /status ", "/ping").path()).isEqualTo("/status");
        assertThat(with("/ops/status", "/ops/ping").path()).isEqualTo("/ops/status");
        for (String bad : new String[] {"status", "/", "/status/", "//status", "/st atus", "/status?x", "/a/../b", "/%2e", "", null}) {
            assertThatThrownBy(() -> with(bad, "/ping")).as(String.valueOf(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("path must be a path like /fastpool-status");
        }
        assertThatThrownBy(() -> with("/same", "/same")).hasMessageContaining("path and pingPath must differ");
    }

    @Test
    void numbersOutOfRangeAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> StatusSettings.of("/s", "/p", "pong", new String[0], false, 0, 120, 2, 16))
                .hasMessage("sampleIntervalSeconds must be between 1 and 3600, was 0");
        assertThatThrownBy(() -> StatusSettings.of("/s", "/p", "pong", new String[0], false, 5, 1, 2, 16))
                .hasMessageContaining("historySamples must be between 2 and");
        assertThatThrownBy(() -> StatusSettings.of("/s", "/p", "pong", new String[0], false, 5, 120, 9, 16))
                .hasMessageContaining("threads must be between 1 and 4");
        assertThatThrownBy(() -> StatusSettings.of("/s", "/p", "pong", new String[0], false, 5, 120, 2, 0))
                .hasMessageContaining("queueLength must be between 1 and");
        assertThatThrownBy(() -> StatusSettings.of("/s", "/p", "", new String[0], false, 5, 120, 2, 16))
                .hasMessageContaining("pingResponse must not be empty");
        assertThatThrownBy(() -> StatusSettings.of("/s", "/p", "pong", new String[] {"example.com"}, false, 5, 120, 2, 16))
                .hasMessageContaining("'example.com' is not an IP address");
    }
}
