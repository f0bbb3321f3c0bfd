package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.config.Verdict;
import io.fastpool.transport.ListenAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every key of io.fastpool.transport is checked before anything is applied. */
class TransportConfigurationCheckTest {

    static final String FILE = "conf/io.fastpool.transport.cfg";

    static Verdict check(Map<String, ?> written) {
        return TransportComponent.SCHEMA.check(written, FILE);
    }

    @Test
    void theShippedDefaultsPass() {
        Verdict verdict = check(Map.of("listen", "unix:run/fastpool.sock, tcp:127.0.0.1:9000", "allowedClients", "127.0.0.0/8, ::1",
                "unixSocketMode", "0660", "maxConnections", "10000", "recordTimeoutSeconds", "30", "idleTimeoutSeconds", "300"));
        assertThat(verdict.errors()).isEmpty();
        assertThat(verdict.warnings()).isEmpty();
        assertThat(TransportComponent.toTransportConfig(verdict.as(TransportComponent.Config.class)).listen()).hasSize(2);
    }

    @Test
    void theRequestLimitsThatMovedToTheListenerAreWarningsNamingItsFileAndTheRestApplies() {
        Verdict verdict = check(Map.of("paramsTimeoutSeconds", "10", "maxBufferedBytesPerConnection", "65536",
                "idleTimeoutSeconds", "60"));
        assertThat(verdict.errors()).isEmpty();
        assertThat(verdict.warnings()).extracting(problem -> problem.describe(FILE)).containsExactly(
                FILE + ": 'maxBufferedBytesPerConnection' belongs to io.fastpool.listener now and is ignored here; write it in"
                        + " conf/io.fastpool.listener.cfg",
                FILE + ": 'paramsTimeoutSeconds' belongs to io.fastpool.listener now and is ignored here; write it in"
                        + " conf/io.fastpool.listener.cfg");
        assertThat(verdict.as(TransportComponent.Config.class).idleTimeoutSeconds()).isEqualTo(60);
    }

    @Test
    void eachBadValueIsOneProblemNamingFileKeyValueAndWhatIsAllowed() {
        Verdict verdict = check(Map.of("listen", "tcp:999.1.1.1:99999", "idleTimeoutSeconds", "3 fortnights",
                "unixSocketMode", "rw-rw----", "allowedClients", "10.0.0.0/33", "useEpoll", "perhaps", "maxConnections", "0"));
        assertThat(verdict.errors()).extracting(problem -> problem.describe(FILE)).containsExactly(
                FILE + ": allowedClients = '10.0.0.0/33' is refused: " + messageOf(() -> io.fastpool.transport.AllowedClients.parse(
                        java.util.List.of("10.0.0.0/33"))),
                FILE + ": idleTimeoutSeconds = '3 fortnights' is refused: allowed is a whole number from 1",
                FILE + ": listen = 'tcp:999.1.1.1:99999' is refused: listen address 'tcp:999.1.1.1:99999' has '999.1.1.1',"
                        + " which is not an IPv4 address; " + ListenAddress.EXPECTED,
                FILE + ": maxConnections = '0' is refused: allowed is a whole number from 1",
                FILE + ": unixSocketMode = 'rw-rw----' is refused: unixSocketMode 'rw-rw----' is not an octal file mode; expected e.g."
                        + " 0660 (owner and group) or 0600 (owner only)",
                FILE + ": useEpoll = 'perhaps' is refused: allowed is true or false");
    }

    @Test
    void aPortAbove65535IsRefused() {
        assertThat(check(Map.of("listen", "tcp:127.0.0.1:99999")).errors()).singleElement()
                .satisfies(problem -> assertThat(problem.allowed()).contains("has port 99999, above 65535"));
    }

    @Test
    void anAddressListedTwiceAndCrossedWaterMarksAreRefused() {
        Verdict verdict = check(Map.of("listen", "tcp:127.0.0.1:9000, tcp:127.0.0.1:9000", "writeBufferLowWaterMark", "70000"));
        assertThat(verdict.errors()).extracting(problem -> problem.describe(FILE)).containsExactly(
                FILE + ": listen = 'tcp:127.0.0.1:9000, tcp:127.0.0.1:9000' is refused: the address tcp:127.0.0.1:9000 is listed twice",
                FILE + ": writeBufferLowWaterMark = '70000' is refused: allowed is at most writeBufferHighWaterMark (65536)");
    }

    @Test
    void anUnknownKeyIsAWarningWithTheClosestKey() {
        Verdict verdict = check(Map.of("maxConections", "5", "listen", "unix:a.sock"));
        assertThat(verdict.refused()).isFalse();
        assertThat(verdict.warnings()).extracting(problem -> problem.describe(FILE))
                .containsExactly(FILE + ": unknown key 'maxConections' is ignored; did you mean 'maxConnections'?");
    }

    private static String messageOf(Runnable parse) {
        try {
            parse.run();
            return "(no problem)";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
