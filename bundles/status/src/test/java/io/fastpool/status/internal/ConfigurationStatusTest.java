package io.fastpool.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.config.ConfigurationReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A refused configuration file shows on the status page and in the advice until it is fixed. */
class ConfigurationStatusTest {

    static final ConfigurationReport REFUSED = new ConfigurationReport("io.fastpool.pool~shop", List.of(),
            List.of("conf/io.fastpool.pool~shop.cfg: queueLength = 'seven' is refused: allowed is a whole number from 1",
                    "conf/io.fastpool.pool~shop.cfg: idleTimeout = '3 fortnights' is refused: idleTimeout must be a duration"),
            "conf/io.fastpool.pool~shop.cfg", List.of());
    static final ConfigurationReport FINE = new ConfigurationReport("io.fastpool.transport", List.of(), List.of(), null,
            List.of("conf/io.fastpool.transport.cfg: unknown key 'maxConections' is ignored; did you mean 'maxConnections'?"));

    static StatusReport reportWith(List<ConfigurationReport> configurations) {
        StatusReport plain = Fixtures.report(List.of());
        return new StatusReport(plain.time(), plain.startTime(), plain.statusStartTime(), plain.system(), plain.transportRunning(),
                plain.ioKind(), plain.slowSendersCutOff(), plain.listeners(), plain.requests(), plain.pools(), plain.maxBusyThreads(),
                plain.history(), plain.advice(), configurations);
    }

    @Test
    void theJsonSaysWhichFileIsRefusedAndWhy() {
        String json = JsonFormat.render(reportWith(List.of(REFUSED, FINE)));
        assertThat(json).contains("\"configuration\":[{\"pid\":\"io.fastpool.pool~shop\",\"refused\":true,"
                + "\"refusedFile\":\"conf/io.fastpool.pool~shop.cfg\",\"problems\":[\"conf/io.fastpool.pool~shop.cfg: queueLength ="
                + " 'seven' is refused: allowed is a whole number from 1\"");
        assertThat(json).contains("{\"pid\":\"io.fastpool.transport\",\"refused\":false,\"refusedFile\":null,\"problems\":[],"
                + "\"warnings\":[\"conf/io.fastpool.transport.cfg: unknown key 'maxConections' is ignored; did you mean"
                + " 'maxConnections'?\"]}");
    }

    @Test
    void aRefusedFileIsAWarningInTheAdviceNamingTheFileAndTheFirstProblem() {
        List<Advice> advice = new Advisor().advise(reportWith(List.of(REFUSED, FINE)));
        assertThat(advice).filteredOn(a -> a.rule().equals("configurationRefused")).singleElement().satisfies(a -> {
            assertThat(a.severity()).isEqualTo(Advice.Severity.WARNING);
            assertThat(a.pool()).isEqualTo("shop");
            assertThat(a.message()).isEqualTo("conf/io.fastpool.pool~shop.cfg is refused and not running: conf/io.fastpool.pool~shop.cfg:"
                    + " queueLength = 'seven' is refused: allowed is a whole number from 1 (and 1 more); fix the file (fastpool:config"
                    + " io.fastpool.pool~shop lists every problem); until then the last good configuration runs");
        });
        assertThat(new Advisor().advise(reportWith(List.of(FINE)))).noneMatch(a -> a.rule().equals("configurationRefused"));
    }
}
