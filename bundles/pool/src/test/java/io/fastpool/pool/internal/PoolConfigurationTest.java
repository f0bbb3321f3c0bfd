package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.Verdict;
import io.fastpool.pool.PoolSettings;
import java.util.Hashtable;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every key of io.fastpool.pool~NAME is checked; a refused file leaves the pool on its last good settings. */
class PoolConfigurationTest {

    static final String FILE = "conf/io.fastpool.pool~shop.cfg";

    @Test
    void eachBadValueIsOneProblemNamingFileKeyValueAndReason() {
        Verdict verdict = PoolConfiguration.SCHEMA.check(Map.of("idleTimeout", "3 fortnights", "queueLength", "0", "startMode",
                "Sometimes", "requestTimeout", "-5s", "statistics", "maybe", "accessFormat", "%Z"), FILE);
        assertThat(verdict.errors()).extracting(problem -> problem.describe(FILE)).containsExactly(
                FILE + ": accessFormat = '%Z' is refused: " + reasonOf(() -> AccessLogFormat.compile("%Z")),
                FILE + ": idleTimeout = '3 fortnights' is refused: idleTimeout must be a duration like 500ms, 90s, 20m, 1h or a"
                        + " number of seconds, was '3 fortnights'",
                FILE + ": queueLength = '0' is refused: allowed is a whole number from 1",
                FILE + ": requestTimeout = '-5s' is refused: requestTimeout must not be negative, was '-5s'",
                FILE + ": startMode = 'Sometimes' is refused: startMode must be OnDemand or AlwaysRunning, was 'Sometimes'",
                FILE + ": statistics = 'maybe' is refused: allowed is true or false");
    }

    @Test
    void theMetatypesDefaultsAreThePoolsDefaults() {
        // Declared twice (the metatype must have constants; the record computes maxThreads): they must agree.
        Verdict defaults = PoolConfiguration.SCHEMA.check(Map.of(), "defaults");
        Map<String, Object> all = new java.util.HashMap<>(defaults.values());
        all.remove("name");
        all.remove("maxThreads"); // 0 in the metatype: two per core
        assertThat(PoolSettingsParser.apply(PoolSettings.DEFAULTS, all)).isEqualTo(PoolSettings.DEFAULTS);
        assertThat(defaults.values()).containsEntry("maxThreads", 0);
    }

    @Test
    void anUnknownKeyIsAWarningWithTheClosestKey() {
        Verdict verdict = PoolConfiguration.SCHEMA.check(Map.of("queueLenght", "10"), FILE);
        assertThat(verdict.refused()).isFalse();
        assertThat(verdict.warnings()).extracting(problem -> problem.describe(FILE))
                .containsExactly(FILE + ": unknown key 'queueLenght' is ignored; did you mean 'queueLength'?");
    }

    @Test
    void aRefusedFileKeepsTheLastGoodSettingsAndTheReportSaysWhy() {
        PoolManagerComponent manager = new PoolManagerComponent();
        manager.updated("io.fastpool.pool~shop", file("queueLength", "7", "idleTimeout", "5m"));
        manager.updated("io.fastpool.pool~shop", file("queueLength", "seven", "minThreads", "2"));
        ConfigurationReport report = manager.configurationReports().get(0);
        assertThat(report.pid()).isEqualTo("io.fastpool.pool~shop");
        assertThat(report.settings()).contains(new ConfigurationReport.Entry("queueLength", "7", "/srv/" + FILE),
                new ConfigurationReport.Entry("idleTimeout", "5m", "/srv/" + FILE),
                new ConfigurationReport.Entry("minThreads", "0", "default"),
                new ConfigurationReport.Entry("requestTimeout", "90s", "default"));
        assertThat(report.refused()).containsExactly(
                "/srv/" + FILE + ": queueLength = 'seven' is refused: allowed is a whole number from 1");

        manager.updated("io.fastpool.pool~shop", file("queueLength", "9", "minThreads", "5", "maxThreads", "2"));
        assertThat(manager.configurationReports().get(0).refused()).containsExactly(
                "/srv/" + FILE + ": minThreads = '5' is refused: minThreads (5) is above maxThreads (2)");

        manager.updated("io.fastpool.pool~shop", file("queueLength", "9"));
        report = manager.configurationReports().get(0);
        assertThat(report.isRefused()).isFalse();
        assertThat(report.settings()).contains(new ConfigurationReport.Entry("queueLength", "9", "/srv/" + FILE),
                new ConfigurationReport.Entry("idleTimeout", "20m", "default"));

        manager.deleted("io.fastpool.pool~shop");
        assertThat(manager.configurationReports()).isEmpty();
    }

    @Test
    void anEmptiedFileCountsAsRemoved() {
        PoolManagerComponent manager = new PoolManagerComponent();
        manager.updated("io.fastpool.pool~shop", file("queueLength", "7"));
        manager.updated("io.fastpool.pool~shop", file());
        assertThat(manager.configurationReports()).isEmpty();
    }

    @Test
    void theManifestHeaderKeepsCommasInsideAValue() {
        assertThat(PoolHeaders.parse("queueLength=100, accessFormat=%R, %s %{milli}d,maxThreads = 4"))
                .containsExactly(java.util.Map.entry("queueLength", "100"), java.util.Map.entry("accessFormat", "%R, %s %{milli}d"),
                        java.util.Map.entry("maxThreads", "4"));
        // A stray word after a value belongs to it, and the value's check refuses it by name.
        assertThat(PoolConfiguration.SCHEMA.check(PoolHeaders.parse("queueLength=1, oops"), "the header").errors())
                .extracting(problem -> problem.describe("the header"))
                .containsExactly("the header: queueLength = '1, oops' is refused: allowed is a whole number from 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PoolHeaders.parse("oops, queueLength=1"))
                .hasMessage("Fastpool-Pool entry 'oops' is not name=value");
    }

    @Test
    void durationsReadAsAnOperatorWritesThem() {
        assertThat(PoolConfiguration.text(java.time.Duration.ofMinutes(20))).isEqualTo("20m");
        assertThat(PoolConfiguration.text(java.time.Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(PoolConfiguration.text(java.time.Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(PoolConfiguration.text(java.time.Duration.ofHours(2))).isEqualTo("2h");
    }

    static Hashtable<String, Object> file(String... keysAndValues) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("service.pid", "io.fastpool.pool~shop");
        properties.put("felix.fileinstall.filename", "file:/srv/" + FILE.replace("~", "%7E"));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    private static String reasonOf(Runnable parse) {
        try {
            parse.run();
            return "(accepted)";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
