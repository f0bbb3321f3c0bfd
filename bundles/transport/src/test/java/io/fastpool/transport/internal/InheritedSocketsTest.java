package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InheritedSocketsTest {

    private static final long PID = 4242;

    @Test
    void socketsMeantForThisProcessAreNumberedFromThreeWithTheirNames() {
        InheritedSockets sockets = InheritedSockets.fromEnvironment(
                Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "fastpool.socket:web"), PID);

        assertThat(sockets.fds()).containsExactly(new InheritedSockets.Fd(3, "fastpool.socket"),
                new InheritedSockets.Fd(4, "web"));
        assertThat(sockets.from()).isEqualTo("systemd");
    }

    @Test
    void socketsMeantForAnotherProcessAreIgnored() {
        assertThat(InheritedSockets.fromEnvironment(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "99"), PID).isEmpty()).isTrue();
        assertThat(InheritedSockets.fromEnvironment(Map.of("LISTEN_FDS", "1"), PID).isEmpty()).isTrue();
    }

    @Test
    void noOrMalformedCountMeansNoSockets() {
        assertThat(InheritedSockets.fromEnvironment(Map.of(), PID).isEmpty()).isTrue();
        assertThat(InheritedSockets.fromEnvironment(Map.of("LISTEN_FDS", "two", "LISTEN_PID", "4242"), PID).isEmpty()).isTrue();
        assertThat(InheritedSockets.fromEnvironment(Map.of("LISTEN_FDS", "-1", "LISTEN_PID", "4242"), PID).isEmpty()).isTrue();
    }

    @Test
    void namesThatDoNotMatchTheCountAreUnknown() {
        InheritedSockets sockets = InheritedSockets.fromEnvironment(
                Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "only-one"), PID);

        assertThat(sockets.fds()).extracting(InheritedSockets.Fd::name).containsExactly("unknown", "unknown");
    }

    @Test
    void theSupervisorSaysItHandedThemDown() {
        InheritedSockets sockets = InheritedSockets.fromEnvironment(
                Map.of("LISTEN_FDS", "1", "LISTEN_PID", "4242", "FASTPOOL_SUPERVISED", "1"), PID);

        assertThat(sockets.from()).isEqualTo("the supervisor");
        assertThat(new InheritedSockets.Inspected(sockets.fds().get(0), null, sockets.from()).describe())
                .isEqualTo("inherited fd 3 from the supervisor");
    }
}
