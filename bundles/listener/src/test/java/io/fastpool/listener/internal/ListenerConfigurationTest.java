package io.fastpool.listener.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.config.Verdict;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every key of io.fastpool.listener is checked; a refused file leaves the running settings. */
class ListenerConfigurationTest {

    static final String FILE = "conf/io.fastpool.listener.cfg";

    @Test
    void eachBadValueIsOneProblem() {
        Verdict verdict = ListenerComponent.SCHEMA.check(Map.of("maxRequestsPerConnection", "70000", "responseBufferSize", "12",
                "maxParamsBytes", "big", "maxParamCount", "1000"), FILE);
        assertThat(verdict.errors()).extracting(problem -> problem.describe(FILE)).containsExactly(
                FILE + ": maxParamsBytes = 'big' is refused: allowed is a whole number from 1 to 2147483631",
                FILE + ": maxRequestsPerConnection = '70000' is refused: allowed is a whole number from 1 to 65535",
                FILE + ": responseBufferSize = '12' is refused: allowed is a whole number from 256 to 16777216");
    }

    @Test
    void aRefusedFileLeavesTheRunningSettingsAndEveryAcceptedValueApplies() {
        ListenerComponent component = new ListenerComponent();
        Map<String, Object> file = new HashMap<>(Map.of("maxRequestsPerConnection", "4", "felix.fileinstall.filename", "/x/" + FILE));
        component.configure(file);
        assertThat(ListenerComponent.settingsOf(component.runningConfig()).maxRequestsPerConnection()).isEqualTo(4);
        file.put("maxRequestsPerConnection", "0");
        component.configure(file);
        assertThat(ListenerComponent.settingsOf(component.runningConfig()).maxRequestsPerConnection()).isEqualTo(4);
        assertThat(component.configurationReports().get(0).refused()).containsExactly(
                "/x/" + FILE + ": maxRequestsPerConnection = '0' is refused: allowed is a whole number from 1 to 65535");
        file.remove("felix.fileinstall.filename");
        component.configure(Map.of());
        assertThat(ListenerComponent.settingsOf(component.runningConfig()).maxRequestsPerConnection())
                .isEqualTo(ListenerSettings.DEFAULT_MAX_REQUESTS_PER_CONNECTION);
    }
}
