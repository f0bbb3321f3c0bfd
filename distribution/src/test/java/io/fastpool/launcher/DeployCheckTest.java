package io.fastpool.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployCheckTest {

    @TempDir
    Path folder;
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(DeployCheck.class.getName());
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            warnings.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void record() {
        logger.addHandler(recorder);
    }

    @AfterEach
    void stopRecording() {
        logger.removeHandler(recorder);
    }

    private Path jar(String name, String symbolicName) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            manifest.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        Path jar = folder.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest alone
        }
        return jar;
    }

    @Test
    void aBundleHasNoProblem() throws IOException {
        assertThat(DeployCheck.problemOf(jar("app.jar", "com.example.app"))).isNull();
    }

    @Test
    void aJarThatIsNotABundleIsNamedAsSuch() throws IOException {
        assertThat(DeployCheck.problemOf(jar("plain.jar", null))).contains("not an OSGi bundle").contains("Bundle-SymbolicName");
    }

    @Test
    void aFileThatIsNotAJarSaysSoAndHowToCopyAtomically() throws IOException {
        Path broken = folder.resolve("broken.jar");
        Files.writeString(broken, "not a zip");
        assertThat(DeployCheck.problemOf(broken)).contains("not a valid jar").contains("move it into deploy/");
    }

    @Test
    void aChangedJarIsJudgedOnceItHoldsStillAndLoggedOncePerVersion() throws IOException {
        Path broken = folder.resolve("broken.jar");
        Files.writeString(broken, "not a zip");
        DeployCheck check = new DeployCheck(folder);
        check.changed(broken);
        check.look();
        assertThat(warnings).isEmpty();
        assertThat(check.waiting()).isEqualTo(1);
        check.look();
        assertThat(warnings).singleElement().asString().startsWith("deploy/broken.jar is not deployed: it is not a valid jar");
        assertThat(check.waiting()).isZero();

        check.changed(broken); // an event for the same version (a touch that changed nothing, a watcher overflow)
        check.look();
        check.look();
        assertThat(warnings).hasSize(1);
    }

    @Test
    void aJarStillBeingWrittenIsNotJudged() throws IOException {
        Path growing = folder.resolve("growing.jar");
        Files.writeString(growing, "PK");
        DeployCheck check = new DeployCheck(folder);
        check.changed(growing);
        check.look();
        Files.writeString(growing, "PK and more", java.nio.file.StandardOpenOption.APPEND);
        check.look();
        assertThat(warnings).isEmpty();
        assertThat(check.waiting()).isEqualTo(1);
        check.look();
        assertThat(warnings).hasSize(1);
    }

    @Test
    void aDeletedJarIsForgotten() throws IOException {
        Path broken = folder.resolve("broken.jar");
        Files.writeString(broken, "not a zip");
        DeployCheck check = new DeployCheck(folder);
        check.changed(broken);
        Files.delete(broken);
        check.look();
        assertThat(check.waiting()).isZero();
        assertThat(warnings).isEmpty();
    }

    @Test
    void theWatcherExplainsABrokenJarMovedIntoTheFolderAndOtherwiseWaitsWithoutPolling() throws Exception {
        jar("app.jar", "com.example.app");
        Thread watcher = new Thread(new DeployCheck(folder), "deploy-check-test");
        watcher.setDaemon(true);
        watcher.start();
        try {
            // Idle: the existing (good) jar judged, the thread waits for the file system without a time-out.
            await().atMost(Duration.ofSeconds(10)).until(() -> watcher.getState() == Thread.State.WAITING);
            assertThat(warnings).isEmpty();

            Path elsewhere = folder.resolve("upload.part"); // written beside it, then renamed: as docs/apps.md says
            Files.writeString(elsewhere, "not a zip");
            Files.move(elsewhere, folder.resolve("upload.jar"), StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(10)).until(() -> !warnings.isEmpty());
            assertThat(warnings).singleElement().asString().startsWith("deploy/upload.jar is not deployed: it is not a valid jar");
            await().atMost(Duration.ofSeconds(10)).until(() -> watcher.getState() == Thread.State.WAITING);
        } finally {
            watcher.interrupt();
            watcher.join(10_000);
        }
        assertThat(watcher.isAlive()).isFalse();
    }
}
