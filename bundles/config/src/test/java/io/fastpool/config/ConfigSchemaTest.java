package io.fastpool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSchemaTest {

    static final ConfigSchema SCHEMA = ConfigSchema.of("io.fastpool.sample", SampleConfig.class)
            .withCheck("idleTimeout", value -> value.matches("\\d+[smh]?") ? null : "allowed is a duration such as 90s, 20m or 1h");

    @Test
    void theMetatypeGivesNamesTypesRangesOptionsAndDefaults() {
        assertThat(SCHEMA.settings()).extracting(Setting::name)
                .containsExactly("queueLength", "timeoutSeconds", "statistics", "listen", "mode", "idleTimeout");
        Setting queue = SCHEMA.settings().get(0);
        assertThat(queue.type()).isEqualTo(Setting.Type.INTEGER);
        assertThat(queue.allowed()).isEqualTo("a whole number from 1 to 1000000");
        assertThat(SCHEMA.settings().get(4).allowed()).isEqualTo("one of fast, slow");
        assertThat(SCHEMA.defaults()).containsEntry("queueLength", 1000).containsEntry("timeoutSeconds", 30L)
                .containsEntry("statistics", true).containsEntry("mode", "fast");
        assertThat((String[]) SCHEMA.defaults().get("listen")).containsExactly("unix:run/fastpool.sock", "tcp:127.0.0.1:9000");
    }

    @Test
    void everyBadValueIsReportedNotOnlyTheFirst() {
        Verdict verdict = SCHEMA.check(Map.of("queueLength", "abc", "timeoutSeconds", "0", "statistics", "maybe",
                "mode", "turbo", "idleTimeout", "3 fortnights"), "conf/sample.cfg");
        assertThat(verdict.refused()).isTrue();
        assertThat(verdict.errors()).extracting(problem -> problem.describe("conf/sample.cfg")).containsExactly(
                "conf/sample.cfg: idleTimeout = '3 fortnights' is refused: allowed is a duration such as 90s, 20m or 1h",
                "conf/sample.cfg: mode = 'turbo' is refused: allowed is one of fast, slow",
                "conf/sample.cfg: queueLength = 'abc' is refused: allowed is a whole number from 1 to 1000000",
                "conf/sample.cfg: statistics = 'maybe' is refused: allowed is true or false",
                "conf/sample.cfg: timeoutSeconds = '0' is refused: allowed is a whole number from 1");
    }

    @Test
    void aNumberBeyondItsTypeIsRefusedNotWrapped() {
        Verdict verdict = SCHEMA.check(Map.of("queueLength", "4294967297"), "f");
        assertThat(verdict.errors()).extracting(Problem::key).containsExactly("queueLength");
    }

    @Test
    void anUnknownKeyIsAWarningNamingTheClosestKnownKey() {
        Verdict verdict = SCHEMA.check(Map.of("queueLenght", "10", "QUEUELENGTH", "5", "colour", "blue"), "conf/sample.cfg");
        assertThat(verdict.refused()).isFalse();
        assertThat(verdict.warnings()).extracting(problem -> problem.describe("conf/sample.cfg")).containsExactly(
                "conf/sample.cfg: unknown key 'QUEUELENGTH' is ignored; did you mean 'queueLength'?",
                "conf/sample.cfg: unknown key 'colour' is ignored",
                "conf/sample.cfg: unknown key 'queueLenght' is ignored; did you mean 'queueLength'?");
        assertThat(verdict.values()).containsEntry("queueLength", 1000);
    }

    @Test
    void valuesAreTypedTrimmedAndListsSplitOnCommas() {
        Verdict verdict = SCHEMA.check(Map.of("queueLength", " 12 ", "statistics", "FALSE", "listen", "unix:a.sock , tcp:[::1]:9000,"),
                "f");
        assertThat(verdict.refused()).isFalse();
        assertThat(verdict.values()).containsEntry("queueLength", 12).containsEntry("statistics", false);
        assertThat((String[]) verdict.values().get("listen")).containsExactly("unix:a.sock", "tcp:[::1]:9000");
        assertThat(verdict.written()).containsExactlyInAnyOrder("queueLength", "statistics", "listen");
    }

    @Test
    void typedValuesFromConfigurationAdminAreCheckedToo() {
        Verdict verdict = SCHEMA.check(Map.of("queueLength", 0, "listen", new String[] {"unix:x.sock"}, "timeoutSeconds", 5),
                "f");
        assertThat(verdict.errors()).extracting(Problem::key).containsExactly("queueLength");
        assertThat(SCHEMA.check(Map.of("listen", List.of("unix:x.sock", "unix:y.sock")), "f").values().get("listen"))
                .isEqualTo(new String[] {"unix:x.sock", "unix:y.sock"});
    }

    @Test
    void rulesAcrossKeysRunWhenEveryValuePasses() {
        ConfigSchema ruled = SCHEMA.withRule(values -> (Integer) values.get("queueLength") > 100 && !(Boolean) values.get("statistics")
                ? List.of(Problem.refused("queueLength", values.get("queueLength"), "allowed is at most 100 without statistics"))
                : List.of());
        assertThat(ruled.check(Map.of("queueLength", "500", "statistics", "false"), "f").errors())
                .extracting(problem -> problem.describe("f"))
                .containsExactly("f: queueLength = '500' is refused: allowed is at most 100 without statistics");
        assertThat(ruled.check(Map.of("queueLength", "50", "statistics", "false"), "f").refused()).isFalse();
    }

    @Test
    void theVerdictReadsAsTheTypedConfiguration() {
        SampleConfig config = SCHEMA.check(Map.of("queueLength", "7", "listen", "unix:a.sock"), "f").as(SampleConfig.class);
        assertThat(config.queueLength()).isEqualTo(7);
        assertThat(config.timeoutSeconds()).isEqualTo(30L);
        assertThat(config.statistics()).isTrue();
        assertThat(config.listen()).containsExactly("unix:a.sock");
        assertThat(config.mode()).isEqualTo("fast");
    }

    @Test
    void aCheckForAnUndeclaredKeyIsAProgrammingError() {
        assertThatThrownBy(() -> SCHEMA.withCheck("nope", value -> null)).hasMessage("io.fastpool.sample has no setting nope");
    }

    @Test
    void suggestionsAllowATypoButNotAnotherWord() {
        assertThat(Suggestions.closest("maxThread", List.of("maxThreads", "minThreads"))).isEqualTo("maxThreads");
        assertThat(Suggestions.closest("idleTimout", List.of("idleTimeout", "requestTimeout"))).isEqualTo("idleTimeout");
        assertThat(Suggestions.closest("colour", List.of("idleTimeout", "requestTimeout"))).isNull();
        assertThat(Suggestions.closest("a.start.level.x", List.of("a.start.new.bundles"))).isNull();
        assertThat(Suggestions.closest("start.new.bundles", List.of("start.level", "bundles.new.start"))).isEqualTo("bundles.new.start");
    }
}
