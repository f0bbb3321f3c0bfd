package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.PooledApps;
import io.fastpool.itest.apps.PooledHello;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.TestBundles;
import io.fastpool.itest.support.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Configuration an operator can trust, on the built distribution run as a process: the shipped
 * files pass every check; each bad value and unknown key is one log line naming file, key, value
 * and what is allowed; a refused file leaves the last good configuration serving and shows in
 * fastpool:config, fastpool:pool and the status JSON until it is fixed; a removed or emptied file
 * returns to the defaults and says so; FileInstall's watcher and an app's Fastpool-Pool header are
 * checked the same way.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigurationIT {

    static final String HELLO_POOL = "io.fastpool.samples.hello";
    static final String HELLO_FILE = "conf/io.fastpool.pool~" + HELLO_POOL + ".cfg";
    static Path home;
    static Process server;
    static Path output;

    @BeforeAll
    static void start() throws Exception {
        Path built = Path.of(System.getProperty("distribution.dir"));
        Path work = Files.createTempDirectory(Path.of("target"), "configuration-it").toAbsolutePath();
        home = work.resolve("fastpool");
        output = work.resolve("server.log");
        server = DistributionIT.copyAndStart(built, home, output);
        Waits.await(Duration.ofSeconds(20), "/hello to answer (log: " + output + ")", () -> answer("/hello").startsWith("200"));
        Waits.await(Duration.ofSeconds(10), "every configuration to be read", () -> exec("fastpool:config")
                .contains("org.apache.felix.fileinstall~deploy"));
    }

    @AfterAll
    static void stop() throws Exception {
        DistributionIT.stopServer(server);
    }

    @Test
    @Order(1)
    void theShippedFilesPassEveryCheck() throws Exception {
        String config = exec("fastpool:config");
        assertThat(config).startsWith("0 PID").contains("io.fastpool.transport", "io.fastpool.listener", "io.fastpool.status",
                "io.fastpool.pool~" + HELLO_POOL, "org.apache.felix.fileinstall~deploy").doesNotContain("REFUSED", "unknown key");
        assertThat(log()).doesNotContain("is refused", "unknown key", "is empty");
        assertThat(exec("fastpool:config " + HELLO_POOL)).containsPattern("maxThreads\\s+4\\s+" + HELLO_FILE.replace("~", "~"))
                .containsPattern("queueLength\\s+1000\\s+default");
    }

    @Test
    @Order(2)
    void aRefusedTransportFileLeavesTheListenersServingAndSaysWhyOnceEach() throws Exception {
        String shipped = read("conf/io.fastpool.transport.cfg");
        write("conf/io.fastpool.transport.cfg", shipped.replace("listen = unix:run/fastpool.sock, tcp:127.0.0.1:9000",
                "listen = tcp:999.1.1.1:99999, unix:run/fastpool.sock") + "maxConections = 5\nidleTimeoutSeconds = 3 fortnights\n");
        String file = "conf/io.fastpool.transport.cfg";
        String logger = "io.fastpool.transport.internal.TransportComponent: ";
        awaitLog(logger + file + " is refused (2 problems); io.fastpool.transport keeps running on the last good " + file);
        assertThat(logLines()).contains(
                "WARNING " + logger + file + ": unknown key 'maxConections' is ignored; did you mean 'maxConnections'?",
                "SEVERE " + logger + file + ": idleTimeoutSeconds = '3 fortnights' is refused: allowed is a whole number from 1",
                "SEVERE " + logger + file + ": listen = 'tcp:999.1.1.1:99999, unix:run/fastpool.sock' is refused: listen address"
                        + " 'tcp:999.1.1.1:99999' has '999.1.1.1', which is not an IPv4 address; expected tcp:HOST:PORT or unix:PATH");
        assertThat(answer("/hello")).startsWith("200");
        try (RawFcgiClient tcp = RawFcgiClient.tcp(9000)) {
            assertThat(tcp.get(1, true, "/hello").httpStatus()).startsWith("200");
        }
        assertThat(exec("fastpool:config")).containsPattern("io.fastpool.transport\\s+REFUSED");
        assertThat(exec("fastpool:config io.fastpool.transport")).contains("REFUSED file, running the last good configuration")
                .containsPattern("listen\\s+unix:run/fastpool.sock, tcp:127.0.0.1:9000\\s+" + file);
        assertThat(answer("/fastpool-status?json")).contains("{\"pid\":\"io.fastpool.transport\",\"refused\":true,\"refusedFile\":\""
                + file + "\"").contains("\"rule\":\"configurationRefused\"");

        write("conf/io.fastpool.transport.cfg", shipped);
        Waits.await(Duration.ofSeconds(10), "the fixed file to run", () -> exec("fastpool:config")
                .matches("(?s).*io.fastpool.transport\\s+ok.*"));
        assertThat(answer("/fastpool-status?json")).contains("{\"pid\":\"io.fastpool.transport\",\"refused\":false");
    }

    @Test
    @Order(3)
    void aRefusedPoolFileKeepsTheLastGoodSettingsAndAFixedOneApplies() throws Exception {
        String shipped = read(HELLO_FILE);
        write(HELLO_FILE, "maxThreads = 3\nqueueLenght = 10\nidleTimeout = 3 fortnights\nstartMode = Sometimes\n");
        String logger = "io.fastpool.pool.internal.PoolManagerComponent: ";
        awaitLog(logger + HELLO_FILE + " is refused (2 problems); pool " + HELLO_POOL + " keeps running on the last good " + HELLO_FILE);
        assertThat(logLines()).contains(
                "WARNING " + logger + HELLO_FILE + ": unknown key 'queueLenght' is ignored; did you mean 'queueLength'?",
                "SEVERE " + logger + HELLO_FILE + ": idleTimeout = '3 fortnights' is refused: idleTimeout must be a duration like 500ms,"
                        + " 90s, 20m, 1h or a number of seconds, was '3 fortnights'",
                "SEVERE " + logger + HELLO_FILE + ": startMode = 'Sometimes' is refused: startMode must be OnDemand or AlwaysRunning,"
                        + " was 'Sometimes'");
        assertThat(answer("/hello")).startsWith("200");
        assertThat(exec("fastpool:pool " + HELLO_POOL)).contains("maxThreads=4")
                .contains("refused: " + HELLO_FILE + " (fix it; until then the values above run)");

        write(HELLO_FILE, "maxThreads = 3\nrequestTimeout = 45s\n");
        Waits.await(Duration.ofSeconds(10), "the fixed pool file to run", () -> exec("fastpool:config " + HELLO_POOL)
                .matches("(?s).*maxThreads\\s+3\\s+" + java.util.regex.Pattern.quote(HELLO_FILE) + ".*"));
        assertThat(exec("fastpool:config " + HELLO_POOL)).doesNotContain("REFUSED")
                .containsPattern("requestTimeout\\s+45s\\s+" + java.util.regex.Pattern.quote(HELLO_FILE))
                .containsPattern("idleTimeout\\s+20m\\s+default");
        assertThat(answer("/hello")).startsWith("200");

        Files.delete(home.resolve(HELLO_FILE));
        awaitLog(logger + HELLO_FILE + " removed: pool " + HELLO_POOL + " returns to its defaults");
        Waits.await(Duration.ofSeconds(10), "the defaults", () -> exec("fastpool:config " + HELLO_POOL)
                .matches("(?s).*maxThreads\\s+" + 2 * Runtime.getRuntime().availableProcessors() + "\\s+default.*"));
        write(HELLO_FILE, shipped);
    }

    @Test
    @Order(4)
    void anEmptiedFileIsTreatedAsRemovedWithAWarning() throws Exception {
        String shipped = read("conf/io.fastpool.status.cfg");
        write("conf/io.fastpool.status.cfg", "");
        awaitLog("WARNING io.fastpool.status.internal.StatusComponent: conf/io.fastpool.status.cfg is empty: treated as removed;"
                + " io.fastpool.status runs on its defaults");
        assertThat(answer("/fastpool-ping")).isEqualTo("200 OK pong");
        write("conf/io.fastpool.status.cfg", shipped.replace("pingPath = /fastpool-ping", "pingPath = /ping-again"));
        Waits.await(Duration.ofSeconds(10), "the restored file to apply", () -> answer("/ping-again").equals("200 OK pong"));
        write("conf/io.fastpool.status.cfg", shipped);
        Waits.await(Duration.ofSeconds(10), "the shipped ping path", () -> answer("/fastpool-ping").equals("200 OK pong"));
    }

    @Test
    @Order(5)
    void aRefusedDeployWatcherNeverStopsTheDeployFolderFromBeingWatched() throws Exception {
        String file = "conf/org.apache.felix.fileinstall-deploy.cfg";
        String shipped = read(file);
        write(file, shipped.replace("felix.fileinstall.dir = deploy", "felix.fileinstall.dir = deplyo")
                .replace("felix.fileinstall.poll = 500", "felix.fileinstall.poll = soon"));
        String logger = "io.fastpool.config.internal.FileInstallCheck: ";
        awaitLog(logger + file + " is refused (2 problems); the watcher keeps running on the last good " + file);
        assertThat(logLines()).contains("SEVERE " + logger + file + ": felix.fileinstall.poll = 'soon' is refused: allowed is a whole"
                + " number from 1");
        assertThat(log()).contains(logger + file + ": felix.fileinstall.dir = 'deplyo' is refused: no such folder: ")
                .doesNotContain("deplyo does not exist");
        Path jar = TestBundles.buildComponent(home.getParent().resolve("jars/watched"), "io.fastpool.itest.watched", "1.0.0",
                PooledApps.IMPORTS, null, PooledApps.component("/watched"), PooledHello.class);
        DistributionIT.copyAtomically(jar, home.resolve("deploy/watched.jar"));
        Waits.await(Duration.ofSeconds(10), "the jar dropped into deploy/ to serve", () -> answer("/watched").startsWith("200"));
        write(file, shipped);
        Files.delete(home.resolve("deploy/watched.jar"));
        Waits.await(Duration.ofSeconds(10), "the removed app's route to go", () -> answer("/watched").startsWith("404"));
    }

    @Test
    @Order(6)
    void aBadFastpoolPoolHeaderIsReportedAndTheAppServesOnTheDefaults() throws Exception {
        Path jar = TestBundles.buildComponent(home.getParent().resolve("jars/header"), "io.fastpool.itest.badheader", "1.0.0",
                PooledApps.IMPORTS, "Fastpool-Pool: queueLength=lots, maxThreadz=2, requestTimeout=20s",
                PooledApps.component("/badheader"), PooledHello.class);
        DistributionIT.copyAtomically(jar, home.resolve("deploy/badheader.jar"));
        Waits.await(Duration.ofSeconds(10), "the app to serve", () -> answer("/badheader").startsWith("200"));
        String source = "the Fastpool-Pool header of io.fastpool.itest.badheader 1.0.0";
        String logger = "io.fastpool.pool.internal.PoolManagerComponent: ";
        assertThat(logLines()).contains(
                "WARNING " + logger + source + ": unknown key 'maxThreadz' is ignored; did you mean 'maxThreads'?",
                "SEVERE " + logger + source + ": queueLength = 'lots' is refused: allowed is a whole number from 1");
        assertThat(exec("fastpool:config io.fastpool.itest.badheader")).containsPattern("requestTimeout\\s+90s\\s+default");
        Files.delete(home.resolve("deploy/badheader.jar"));
    }

    @Test
    @Order(7)
    void nothingWasEverWrittenIntoConfByTheServer() throws Exception {
        // Every file in conf/ is the shipped one again, byte for byte: the server wrote none of them back.
        Path built = Path.of(System.getProperty("distribution.dir"));
        try (var files = Files.list(built.resolve("conf"))) {
            for (Path shipped : (Iterable<Path>) files::iterator) {
                assertThat(home.resolve("conf").resolve(shipped.getFileName())).as(shipped.getFileName().toString())
                        .hasSameBinaryContentAs(shipped);
            }
        }
    }

    static void awaitLog(String text) throws InterruptedException {
        Waits.await(Duration.ofSeconds(10), "the log line '" + text + "'", () -> log().contains(text));
    }

    static String read(String file) throws IOException {
        return Files.readString(home.resolve(file), StandardCharsets.ISO_8859_1);
    }

    /** As an operator does: written beside, then renamed into place. */
    static void write(String file, String content) throws IOException {
        Path temporary = home.resolve("run/edit.tmp");
        Files.writeString(temporary, content, StandardCharsets.ISO_8859_1);
        Files.move(temporary, home.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String log() {
        try {
            return Files.readString(home.resolve("log/fastpool.0.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The log's lines without their time stamps: "LEVEL logger: message". */
    static List<String> logLines() {
        List<String> lines = new ArrayList<>();
        for (String line : log().split("\n")) {
            lines.add(line.length() > 20 && Character.isDigit(line.charAt(0)) ? line.substring(20) : line);
        }
        return lines;
    }

    static String answer(String uri) {
        return DistributionIT.answerFrom(home, uri);
    }

    static String exec(String command) {
        try {
            Process process = new ProcessBuilder(home.resolve("bin/fastpool").toString(), "exec", command).redirectErrorStream(true).start();
            String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return process.exitValue() + " " + printed;
        } catch (IOException | InterruptedException e) {
            return "exec failed: " + e;
        }
    }
}
