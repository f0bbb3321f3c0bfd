package io.fastpool.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.RecordingLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileInstall's deploy watcher configuration is checked like Fastpool's own, and a refused one never reaches it. */
class FileInstallCheckTest {

    @TempDir
    Path home;
    String before;
    final RecordingLogger log = new RecordingLogger();
    final FileInstallCheck check = new FileInstallCheck(log);

    @BeforeEach
    void setHome() throws Exception {
        before = System.getProperty("fastpool.home");
        System.setProperty("fastpool.home", home.toString());
        Files.createDirectories(home.resolve("deploy"));
    }

    @AfterEach
    void restoreHome() {
        if (before == null) {
            System.clearProperty("fastpool.home");
        } else {
            System.setProperty("fastpool.home", before);
        }
    }

    Hashtable<String, Object> watcher(String... keysAndValues) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("service.pid", "org.apache.felix.fileinstall~deploy");
        properties.put("service.factoryPid", "org.apache.felix.fileinstall");
        properties.put("felix.fileinstall.filename", home.resolve("conf/org.apache.felix.fileinstall-deploy.cfg").toUri().toString());
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    @Test
    void theShippedWatcherPassesUntouched() {
        Hashtable<String, Object> shipped = watcher("felix.fileinstall.dir", "deploy", "felix.fileinstall.filter", ".*\\.jar",
                "felix.fileinstall.poll", "500", "felix.fileinstall.noInitialDelay", "true", "felix.fileinstall.bundles.new.start", "true",
                "felix.fileinstall.log.level", "3");
        Hashtable<String, Object> copy = new Hashtable<>(shipped);
        check.modifyConfiguration(null, shipped);
        assertThat(shipped).isEqualTo(copy);
        assertThat(log.lines).isEmpty();
    }

    @Test
    void aRefusedWatcherNeverReachesFileInstallAndTheLastGoodOneRuns() {
        check.modifyConfiguration(null, watcher("felix.fileinstall.dir", "deploy", "felix.fileinstall.poll", "750"));
        Hashtable<String, Object> bad = watcher("felix.fileinstall.dir", "deplyo", "felix.fileinstall.poll", "soon",
                "felix.fileinstall.start.new.bundles", "true", "felix.fileinstall.filter", "*.jar");
        check.modifyConfiguration(null, bad);
        assertThat(bad).containsEntry("felix.fileinstall.dir", "deploy").containsEntry("felix.fileinstall.poll", "750")
                .doesNotContainKey("felix.fileinstall.filter").containsEntry("service.pid", "org.apache.felix.fileinstall~deploy");
        String file = "conf/org.apache.felix.fileinstall-deploy.cfg";
        assertThat(log.lines).containsExactly(
                "WARNING " + file + ": unknown key 'felix.fileinstall.start.new.bundles' is ignored; did you mean"
                        + " 'felix.fileinstall.bundles.new.start'?",
                "ERROR " + file + ": felix.fileinstall.dir = 'deplyo' is refused: no such folder: " + home.resolve("deplyo")
                        + " (create it, or fix the path)",
                "ERROR " + file + ": felix.fileinstall.filter = '*.jar' is refused: not a regular expression: Dangling meta character '*'"
                        + " at index 0",
                "ERROR " + file + ": felix.fileinstall.poll = 'soon' is refused: allowed is a whole number from 1",
                "ERROR " + file + " is refused (3 problems); the watcher keeps running on the last good " + file);
        assertThat(check.configurationReports()).singleElement().satisfies(report -> {
            assertThat(report.pid()).isEqualTo("org.apache.felix.fileinstall~deploy");
            assertThat(report.refused()).hasSize(3);
        });
    }

    @Test
    void aWatcherRefusedAtTheFirstStartRunsOnTheShippedDefaults() {
        Hashtable<String, Object> bad = watcher("felix.fileinstall.dir", "deploy", "felix.fileinstall.enableConfigSave", "true");
        check.modifyConfiguration(null, bad);
        assertThat(bad).containsEntry("felix.fileinstall.dir", "deploy").containsEntry("felix.fileinstall.filter", ".*\\.jar")
                .containsEntry("felix.fileinstall.poll", "500").containsEntry("felix.fileinstall.enableConfigSave", "false");
    }

    @Test
    void anEmptiedWatcherFileRunsOnTheDefaultsWithAWarning() {
        Hashtable<String, Object> empty = watcher();
        check.modifyConfiguration(null, empty);
        assertThat(empty).containsEntry("felix.fileinstall.dir", "deploy");
        assertThat(log.lines).singleElement().asString().startsWith("WARNING conf/org.apache.felix.fileinstall-deploy.cfg is empty:"
                + " treated as removed; the watcher runs on the defaults");
    }
}
