package io.fastpool.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.config.Verdict;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every key of io.fastpool.status is checked before it applies. */
class StatusConfigurationTest {

    static final String FILE = "conf/io.fastpool.status.cfg";

    @Test
    void eachBadValueIsOneProblemAndUnknownKeysAreNamed() {
        Verdict verdict = StatusComponent.SCHEMA.check(Map.of("path", "status", "threads", "9", "allowedClients", "127.0.0.1, lan",
                "historySampels", "10", "sampleIntervalSeconds", "5"), FILE);
        assertThat(verdict.errors()).extracting(problem -> problem.describe(FILE)).containsExactly(
                FILE + ": allowedClients = '127.0.0.1, lan' is refused: " + reasonOf("lan"),
                FILE + ": path = 'status' is refused: path must be a path like /fastpool-status (starting with /, not / itself,"
                        + " no trailing /, no spaces, query or percent-escapes), was 'status'",
                FILE + ": threads = '9' is refused: allowed is a whole number from 1 to 4");
        assertThat(verdict.warnings()).extracting(problem -> problem.describe(FILE))
                .containsExactly(FILE + ": unknown key 'historySampels' is ignored; did you mean 'historySamples'?");
    }

    @Test
    void thePingPathMustDifferFromTheStatusPath() {
        assertThat(StatusComponent.SCHEMA.check(Map.of("path", "/s", "pingPath", "/s"), FILE).errors())
                .extracting(problem -> problem.describe(FILE))
                .containsExactly(FILE + ": pingPath = '/s' is refused: path and pingPath must differ");
    }

    private static String reasonOf(String entry) {
        try {
            io.fastpool.transport.AllowedClients.parse(java.util.List.of(entry));
            return "(accepted)";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
