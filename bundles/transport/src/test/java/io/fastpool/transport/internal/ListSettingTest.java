package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** List settings arrive as arrays (typed configuration) or as one comma-separated string (a .cfg file). */
class ListSettingTest {

    @Test
    void aCommaSeparatedStringFromACfgFileBecomesItsEntries() {
        assertThat(TransportComponent.listOf(new String[] {"unix:run/fastpool.sock, tcp:127.0.0.1:9000"}))
                .containsExactly("unix:run/fastpool.sock", "tcp:127.0.0.1:9000");
    }

    @Test
    void arrayEntriesAreKeptAndBlanksDropped() {
        assertThat(TransportComponent.listOf(new String[] {"tcp:[::1]:9000", " ", "127.0.0.0/8,,::1"}))
                .containsExactly("tcp:[::1]:9000", "127.0.0.0/8", "::1");
        assertThat(TransportComponent.listOf(null)).isEmpty();
    }
}
