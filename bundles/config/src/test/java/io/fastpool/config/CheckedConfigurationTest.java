package io.fastpool.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.RecordingLogger;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckedConfigurationTest {

    final RecordingLogger log = new RecordingLogger();
    final CheckedConfiguration<SampleConfig> configuration = new CheckedConfiguration<>(ConfigSchemaTest.SCHEMA, SampleConfig.class, log);

    static Map<String, Object> file(String name, Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", "io.fastpool.sample");
        properties.put("component.name", "sample");
        properties.put(CheckedConfiguration.FILE_PROPERTY, "file:/srv/fastpool/conf/" + name);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    @Test
    void aRefusedFileLeavesTheLastGoodConfigurationRunningAndSaysWhy() {
        assertThat(configuration.update(file("sample.cfg", "queueLength", "10")).queueLength()).isEqualTo(10);
        SampleConfig after = configuration.update(file("sample.cfg", "queueLength", "-1", "mode", "turbo", "queueLenght", "3"));
        assertThat(after.queueLength()).isEqualTo(10);
        assertThat(log.lines).containsExactly(
                "WARNING /srv/fastpool/conf/sample.cfg: unknown key 'queueLenght' is ignored; did you mean 'queueLength'?",
                "ERROR /srv/fastpool/conf/sample.cfg: mode = 'turbo' is refused: allowed is one of fast, slow",
                "ERROR /srv/fastpool/conf/sample.cfg: queueLength = '-1' is refused: allowed is a whole number from 1 to 1000000",
                "ERROR /srv/fastpool/conf/sample.cfg is refused (2 problems); io.fastpool.sample keeps running on the last good"
                        + " /srv/fastpool/conf/sample.cfg");
        ConfigurationReport report = configuration.report();
        assertThat(report.isRefused()).isTrue();
        assertThat(report.refusedSource()).isEqualTo("/srv/fastpool/conf/sample.cfg");
        assertThat(report.refused()).hasSize(2);
        assertThat(report.settings()).contains(new ConfigurationReport.Entry("queueLength", "10", "/srv/fastpool/conf/sample.cfg"),
                new ConfigurationReport.Entry("mode", "fast", "default"));

        configuration.update(file("sample.cfg", "queueLength", "20"));
        assertThat(configuration.current().queueLength()).isEqualTo(20);
        assertThat(configuration.report().isRefused()).isFalse();
    }

    @Test
    void aFileRefusedAtTheFirstUpdateLeavesTheDefaults() {
        assertThat(configuration.update(file("sample.cfg", "timeoutSeconds", "soon")).timeoutSeconds()).isEqualTo(30L);
        assertThat(log.lines).last().isEqualTo("ERROR /srv/fastpool/conf/sample.cfg is refused (1 problem); io.fastpool.sample keeps"
                + " running on its defaults");
    }

    @Test
    void aRemovedFileReturnsToTheDefaultsAndSaysSo() {
        configuration.update(file("sample.cfg", "queueLength", "10"));
        SampleConfig after = configuration.update(Map.of("service.pid", "io.fastpool.sample", "component.name", "sample"));
        assertThat(after.queueLength()).isEqualTo(1000);
        assertThat(log.lines).containsExactly("INFO /srv/fastpool/conf/sample.cfg removed: io.fastpool.sample returns to its defaults");
    }

    @Test
    void anEmptiedFileIsTreatedAsRemovedWithAWarning() {
        configuration.update(file("sample.cfg", "queueLength", "10"));
        assertThat(configuration.update(file("sample.cfg")).queueLength()).isEqualTo(1000);
        assertThat(log.lines).containsExactly("WARNING /srv/fastpool/conf/sample.cfg is empty: treated as removed; io.fastpool.sample"
                + " runs on its defaults");
        assertThat(configuration.report().settings()).allMatch(entry -> entry.origin().equals("default"));
    }

    @Test
    void noConfigurationAtAllIsQuiet() {
        assertThat(configuration.update(null).queueLength()).isEqualTo(1000);
        assertThat(log.lines).isEmpty();
    }

    @Test
    void aFileInsideTheServerFolderIsNamedRelativeToIt() {
        String before = System.getProperty("fastpool.home");
        System.setProperty("fastpool.home", "/srv/fastpool");
        try {
            assertThat(CheckedConfiguration.sourceOf("file:/srv/fastpool/conf/io.fastpool.transport.cfg"))
                    .isEqualTo("conf/io.fastpool.transport.cfg");
            assertThat(CheckedConfiguration.sourceOf("/elsewhere/x.cfg")).isEqualTo("/elsewhere/x.cfg");
        } finally {
            if (before == null) {
                System.clearProperty("fastpool.home");
            } else {
                System.setProperty("fastpool.home", before);
            }
        }
    }
}
