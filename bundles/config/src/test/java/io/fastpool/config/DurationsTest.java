package io.fastpool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "''{0}'' is {1} ms")
    @CsvSource(delimiter = '|', value = {
        "500ms    | 500",
        "90s      | 90000",
        "1.5s     | 1500",
        "20m      | 1200000",
        "1h       | 3600000",
        "7        | 7000",
        "' 5 S '  | 5000",
        "0        | 0",
        "-2s      | -2000",
        "+3m      | 180000",
        ".25s     | 250",
    })
    void readsANumberWithAUnitOrPlainSeconds(String text, long millis) {
        assertThat(Durations.parse("idleTimeout", text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "5x", "s", "1e3s", "5 m s", "--1s"})
    void refusesWhatIsNotADurationNamingTheSetting(String text) {
        assertThatThrownBy(() -> Durations.parse("idleTimeout", text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout must be a duration like 500ms, 90s, 20m, 1h or a number of seconds, was '" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10s", "1.5s", "250ms", "2m", "1h", "0s", "90s", "0.5ms"})
    void formatsTheShortestFormThatReadsBack(String text) {
        assertThat(Durations.format(Durations.parse("x", text))).isEqualTo(text);
    }
}
