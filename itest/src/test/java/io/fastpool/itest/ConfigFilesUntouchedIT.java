package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * conf/ and deploy/ belong to the operator: the server reads them and never writes into them. A
 * FileInstall default (enableConfigSave) once wrote every configuration back into its .cfg file at
 * each start, truncating it first, so files were rewritten at every start and now and then left
 * empty. Here the built distribution runs as an operator runs it (a copy, bin/fastpool, SIGTERM),
 * many times, and every file under conf/ and deploy/ (bytes, size, modification time to the
 * nanosecond the file system keeps, and the folders' own times, which any file created, renamed or
 * deleted in them moves) must be as it was, both while the server serves and after it stopped; and
 * a file the operator replaces while the server starts is the one the server ends up running.
 *
 * <p>The shipped configuration listens on a fixed TCP port (127.0.0.1:9000), so one server runs at a
 * time: each is waited for until it exited and its port is free again. The timeouts are sized for
 * the default counts ({@code configfiles.fresh}, {@code configfiles.restarts},
 * {@code configfiles.rewrites}).
 */
class ConfigFilesUntouchedIT {

    static final int FRESH = Integer.getInteger("configfiles.fresh", 50);
    static final int RESTARTS = Integer.getInteger("configfiles.restarts", 50);
    static final int REWRITES = Integer.getInteger("configfiles.rewrites", 10);
    static final Duration TO_SERVE = Duration.ofSeconds(30);
    static final String STATUS_CFG = "conf/io.fastpool.status.cfg";
    static final String SHIPPED_PING = "/fastpool-ping";

    /** Every server this class started, so none outlives a failed test. */
    static final List<Process> started = new CopyOnWriteArrayList<>();

    static Path built;
    static Path work;
    /** conf/ and deploy/ of the built distribution, checked against the sources; every copy starts as this. */
    static Map<String, Entry> shipped;

    @BeforeAll
    static void checkTheBuiltDistribution() throws Exception {
        built = Path.of(System.getProperty("distribution.dir", "../distribution/target/fastpool")).toAbsolutePath().normalize();
        if (!Files.isExecutable(built.resolve("bin/fastpool"))) {
            throw new IllegalStateException(built + " has no bin/fastpool: build the distribution module first");
        }
        work = Files.createTempDirectory(Path.of("target"), "config-files-it").toAbsolutePath();
        shipped = snapshot(built);
        // target/fastpool is a build output someone may have started in place: a copy of it is "as shipped"
        // only if conf/ holds exactly the files of src/dist/conf, byte for byte, and deploy/ only the
        // sample bundles the build puts there.
        Path sources = built.resolve("../../src/dist/conf").normalize();
        assertThat(sources).as("the distribution's sources next to " + built).isDirectory();
        Map<String, Entry> fromSources = new TreeMap<>();
        try (Stream<Path> files = Files.list(sources)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals(".keep"))::iterator) {
                fromSources.put("conf/" + file.getFileName(), Entry.of(file, Files.readAttributes(file, BasicFileAttributes.class)));
            }
        }
        Map<String, String> builtConf = new TreeMap<>();
        Map<String, String> sourceConf = new TreeMap<>();
        shipped.forEach((path, entry) -> {
            if (path.startsWith("conf/")) {
                builtConf.put(path, entry.content());
            }
        });
        fromSources.forEach((path, entry) -> sourceConf.put(path, entry.content()));
        assertThat(builtConf).as("conf/ of " + built + " (sha-256 and size) against " + sources
                + ": rebuild the distribution (mvn clean package -pl distribution -am)").isEqualTo(sourceConf);
        List<String> jars = new ArrayList<>();
        for (Map.Entry<String, Entry> entry : shipped.entrySet()) {
            String path = entry.getKey();
            if (path.startsWith("deploy/") && !entry.getValue().kind().equals("dir")) {
                jars.add(path);
                try (JarFile jar = new JarFile(built.resolve(path).toFile())) {
                    String name = jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
                    assertThat(path).as("a file in the shipped deploy/ is a sample bundle named after itself")
                            .isEqualTo("deploy/" + name + ".jar").startsWith("deploy/io.fastpool.samples.");
                }
            }
        }
        assertThat(jars).as("the shipped deploy/").contains("deploy/io.fastpool.samples.hello.jar");
        String hello = System.getProperty("sample.hello");
        if (hello != null && !hello.contains("${")) {
            assertThat(shipped.get("deploy/io.fastpool.samples.hello.jar").content())
                    .as("deploy/io.fastpool.samples.hello.jar against the built sample " + hello)
                    .isEqualTo(Entry.of(Path.of(hello), Files.readAttributes(Path.of(hello), BasicFileAttributes.class)).content());
        }
    }

    @AfterEach
    void stopServers() throws Exception {
        for (Process process : started) {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    @AfterAll
    static void noServerOutlivesTheClass() throws Exception {
        for (Process process : started) {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void freshCopiesNeverChangeConfOrDeploy() throws Exception {
        Runs runs = new Runs();
        for (int start = 1; start <= FRESH; start++) {
            Path home = work.resolve("fresh-" + start + "/fastpool");
            copyShipped(home);
            runs.startStopAndCompare(start, home);
            if (runs.changed.isEmpty()) {
                deleteTree(home); // the log (next to it) stays; the copy would only take room
            }
        }
        runs.report(FRESH + " fresh starts");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void oneInstallationRestartedNeverChangesConfOrDeploy() throws Exception {
        Path home = work.resolve("restarted/fastpool");
        copyShipped(home);
        Map<String, Entry> first = snapshot(home);
        Runs runs = new Runs();
        for (int start = 1; start <= RESTARTS; start++) {
            runs.startStopAndCompare(start, home);
        }
        runs.report(RESTARTS + " restarts of one copy");
        assertThat(differences(first, snapshot(home))).as("conf/ and deploy/ after %d restarts against the copy as shipped", RESTARTS)
                .isEmpty();
    }

    /**
     * The operator replaces io.fastpool.status.cfg (atomically, as one should) while the server
     * starts, at a different moment each round: from before the JVM runs, through FileInstall's first
     * scan of conf/ and the configurations it creates, to after the server answers. Whatever the
     * moment, the server ends up running what the file says, and the file stays what the operator
     * wrote.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aFileRewrittenWhileTheServerStartsIsWhatRuns() throws Exception {
        Path home = work.resolve("rewritten/fastpool");
        copyShipped(home);
        Path cfg = home.resolve(STATUS_CFG);
        String shippedText = Files.readString(cfg, StandardCharsets.UTF_8);
        assertThat(shippedText).contains("\npingPath = " + SHIPPED_PING + "\n");
        List<String> changed = new ArrayList<>();
        List<Long> delays = new ArrayList<>();
        int landedBeforeServing = 0;
        long stepMillis = 50;
        long totalNanos = 0;
        for (int round = 1; round <= REWRITES; round++) {
            if (round > 1) {
                replaceAtomically(home, cfg, shippedText); // each round starts from the shipped file
            }
            Map<String, Entry> before = snapshot(home);
            String ping = "/ping-" + round;
            String text = shippedText.replace("\npingPath = " + SHIPPED_PING + "\n", "\npingPath = " + ping + "\n");
            Path temporary = home.resolve("run/io.fastpool.status.cfg.tmp");
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Entry written = Entry.of(temporary, Files.readAttributes(temporary, BasicFileAttributes.class));
            long delayMillis = (round - 1) * stepMillis;
            delays.add(delayMillis);

            Path log = home.resolveSibling("server-" + round + ".log");
            Process server = launch(home, log);
            long launched = System.nanoTime();
            LockSupport.parkNanos(launched + delayMillis * 1_000_000 - System.nanoTime()); // the moment under test, not an ordering
            boolean serving = Files.exists(home.resolve("run/fastpool.sock"));
            Files.move(temporary, cfg, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            landedBeforeServing += serving ? 0 : 1;
            Map<String, Entry> expected = new TreeMap<>(before);
            expected.put(STATUS_CFG, written);
            expected.put("conf", Entry.of(home.resolve("conf"), Files.readAttributes(home.resolve("conf"), BasicFileAttributes.class)));

            String where = "round " + round + " (file replaced " + delayMillis + " ms after the start, log " + log + ")";
            long servedMillis;
            try {
                awaitServing(server, home, log, where, expected, "/hello", ping);
                servedMillis = (System.nanoTime() - launched) / 1_000_000;
                awaitAnswer(Duration.ofSeconds(10), where + ", the shipped ping path gone", server, log, home, SHIPPED_PING,
                        answer -> answer.startsWith("404 "));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + (changed.isEmpty() ? "" : "; earlier rounds changed files: " + changed), e);
            }
            List<String> running = differences(expected, snapshot(home));
            stop(server, where, home);
            totalNanos += System.nanoTime() - launched;
            List<String> stopped = differences(expected, snapshot(home));
            if (!running.isEmpty() || !stopped.isEmpty()) {
                changed.add(where + ": while running: " + running + "; after the stop: " + stopped);
            }
            if (round == 1) {
                // Spread the rounds over the whole start: from before the JVM runs to past the first answer
                // plus one FileInstall poll (500 ms), in steps of at least 50 ms.
                stepMillis = Math.max(50, (servedMillis + 500) / Math.max(1, REWRITES - 1));
            }
        }
        System.out.printf("config files: %d rewrites of %s during the start (%d ms to %d ms after it; %d before the server listened), "
                + "%d changed, %.2f s per start-stop%n", REWRITES, STATUS_CFG, delays.get(0), delays.get(delays.size() - 1),
                landedBeforeServing, changed.size(), totalNanos / 1e9 / REWRITES);
        assertThat(changed).as("rounds whose conf/ or deploy/ differs from what the test wrote").isEmpty();
    }

    /** Starts, stops and compares, counting the starts that changed something. */
    final class Runs {
        final List<String> changed = new ArrayList<>();
        long totalNanos;
        long servingNanos;
        long stoppingNanos;
        int count;

        void startStopAndCompare(int start, Path home) throws Exception {
            Map<String, Entry> before = snapshot(home);
            Path log = home.resolveSibling("server-" + start + ".log");
            String where = "start " + start + " (log " + log + ")";
            Process server = launch(home, log);
            long launched = System.nanoTime();
            try {
                awaitServing(server, home, log, where, before, "/hello", SHIPPED_PING);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + (changed.isEmpty() ? "" : "; earlier starts changed files: " + changed), e);
            }
            long served = System.nanoTime();
            List<String> running = differences(before, snapshot(home));
            long stopping = System.nanoTime();
            stop(server, where, home);
            long stopped = System.nanoTime();
            servingNanos += served - launched;
            stoppingNanos += stopped - stopping;
            totalNanos += stopped - launched;
            count++;
            List<String> afterStop = differences(before, snapshot(home));
            List<String> all = new ArrayList<>();
            running.forEach(d -> all.add("start " + start + ": " + d + " (while running)"));
            afterStop.stream().filter(d -> !running.contains(d)).forEach(d -> all.add("start " + start + ": " + d + " (after the stop)"));
            if (!all.isEmpty()) {
                changed.add(String.join("\n", all));
            }
        }

        void report(String what) {
            System.out.printf("config files: %s, %d changed, %.2f s per start-stop (%.2f s to serve, %.2f s to stop)%n", what,
                    changed.size(), totalNanos / 1e9 / count, servingNanos / 1e9 / count, stoppingNanos / 1e9 / count);
            assertThat(changed).as("starts that changed conf/ or deploy/").isEmpty();
        }
    }

    static Process launch(Path home, Path log) throws Exception {
        InetSocketAddress tcp = tcpListener(home);
        if (tcp != null) {
            Waits.await(Duration.ofSeconds(30), tcp + " (the shipped TCP listener) to be free: another process holds it", () -> free(tcp));
        }
        Process process = new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        started.add(process);
        return process;
    }

    /**
     * Waits until the server answers 200 for {@code app} and pong for {@code ping} on its unix socket;
     * if it never does, the failure says what changed in conf/ and deploy/ against {@code expected}
     * (a configuration lost on the way is the likely reason).
     */
    static void awaitServing(Process server, Path home, Path log, String where, Map<String, Entry> expected, String app, String ping)
            throws Exception {
        Path socket = home.resolve("run/fastpool.sock");
        try {
            Waits.await(TO_SERVE, where + ": the socket " + socket, () -> alive(server, where, log) && Files.exists(socket));
            awaitAnswer(TO_SERVE, where, server, log, home, app, answer -> answer.startsWith("200 "));
            awaitAnswer(TO_SERVE, where, server, log, home, ping, "200 OK pong"::equals);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; conf/ and deploy/ now: " + differences(expected, snapshot(home)), e);
        }
    }

    /** Waits until the answer to {@code uri} passes {@code test}; on a timeout, the message has the last answer. */
    static void awaitAnswer(Duration timeout, String where, Process server, Path log, Path home, String uri,
            java.util.function.Predicate<String> test) throws InterruptedException {
        String[] last = {"nothing yet"};
        try {
            Waits.await(timeout, where + ": " + uri, () -> alive(server, where, log) && test.test(last[0] = answer(home, uri)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (its last answer: " + last[0] + ")", e);
        }
    }

    /**
     * Fails at once if the server exited, or could not bind an address: the shipped configuration has
     * a fixed TCP port, which a process outside this test may have taken since the test saw it free.
     */
    static boolean alive(Process server, String where, Path log) {
        if (!server.isAlive()) {
            throw new AssertionError(where + ": the server exited with " + server.exitValue() + "; its output ends:\n" + tail(log));
        }
        try (Stream<String> lines = Files.lines(log)) {
            lines.filter(line -> line.contains("Address already in use")).findFirst().ifPresent(line -> {
                throw new AssertionError(where + ": the server could not listen, another process holds the address: " + line);
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // not written yet
        }
        return true;
    }

    /** SIGTERM (as systemd and Ctrl-C stop it), then waits for the exit and for the TCP port to be free. */
    static void stop(Process server, String where, Path home) throws Exception {
        server.destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).as(where + ": the server exited within 30 s of SIGTERM").isTrue();
        InetSocketAddress tcp = tcpListener(home);
        if (tcp != null) {
            Waits.await(Duration.ofSeconds(30), where + ": " + tcp + " to be free after the exit", () -> free(tcp));
        }
    }

    static String answer(Path home, String uri) {
        try (RawFcgiClient client = RawFcgiClient.unix(home.resolve("run/fastpool.sock"))) {
            RawFcgiClient.Response response = client.get(1, true, uri);
            return response.httpStatus() + " " + response.body();
        } catch (IOException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    static final Pattern TCP_LISTEN = Pattern.compile("tcp:([0-9.]+):(\\d+)");

    /** The TCP address in the copy's transport configuration (the shipped one has 127.0.0.1:9000), or null. */
    static InetSocketAddress tcpListener(Path home) throws IOException {
        Path cfg = home.resolve("conf/io.fastpool.transport.cfg");
        if (!Files.exists(cfg)) {
            return null;
        }
        for (String line : Files.readAllLines(cfg)) {
            if (line.strip().startsWith("listen")) {
                Matcher matcher = TCP_LISTEN.matcher(line);
                if (matcher.find()) {
                    return new InetSocketAddress(matcher.group(1), Integer.parseInt(matcher.group(2)));
                }
            }
        }
        return null;
    }

    static boolean free(InetSocketAddress address) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the transport binds (SO_REUSEADDR)
            socket.bind(address);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What the test knows of one file or folder under conf/ and deploy/. */
    record Entry(String kind, long size, String sha256, FileTime modified) {

        static Entry of(Path path, BasicFileAttributes attributes) throws IOException {
            if (attributes.isDirectory()) {
                return new Entry("dir", 0, "", attributes.lastModifiedTime());
            }
            if (!attributes.isRegularFile()) {
                return new Entry(attributes.isSymbolicLink() ? "symlink" : "other", attributes.size(), "", attributes.lastModifiedTime());
            }
            return new Entry("file", attributes.size(), digest(path), attributes.lastModifiedTime());
        }

        /** Size and digest, without the time. */
        String content() {
            return kind + " " + size + " " + sha256;
        }
    }

    /**
     * Every file and folder under conf/ and deploy/ of {@code home} (paths relative to it): regular
     * files with size, SHA-256 of their bytes and modification time, folders with theirs.
     */
    static Map<String, Entry> snapshot(Path home) throws IOException {
        Map<String, Entry> entries = new TreeMap<>();
        for (String folder : new String[] {"conf", "deploy"}) {
            try (Stream<Path> paths = Files.walk(home.resolve(folder))) {
                for (Path path : (Iterable<Path>) paths::iterator) {
                    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    entries.put(home.relativize(path).toString(), Entry.of(path, attributes));
                }
            }
        }
        return entries;
    }

    /** What differs, one line per file, e.g. "conf/io.fastpool.transport.cfg: size 512 -> 0". */
    static List<String> differences(Map<String, Entry> before, Map<String, Entry> after) {
        List<String> found = new ArrayList<>();
        TreeSet<String> paths = new TreeSet<>(before.keySet());
        paths.addAll(after.keySet());
        for (String path : paths) {
            Entry was = before.get(path);
            Entry is = after.get(path);
            if (is == null) {
                found.add(path + ": removed (was " + was.kind() + ", " + was.size() + " bytes)");
            } else if (was == null) {
                found.add(path + ": added (" + is.kind() + ", " + is.size() + " bytes, modified " + is.modified() + ")");
            } else if (!was.equals(is)) {
                List<String> what = new ArrayList<>();
                if (!was.kind().equals(is.kind())) {
                    what.add("kind " + was.kind() + " -> " + is.kind());
                }
                if (was.size() != is.size()) {
                    what.add("size " + was.size() + " -> " + is.size());
                }
                if (!was.sha256().equals(is.sha256())) {
                    what.add(was.size() == is.size() ? "bytes changed (same size)" : "bytes changed");
                }
                if (!Objects.equals(was.modified(), is.modified())) {
                    what.add("modified " + was.modified() + " -> " + is.modified());
                }
                found.add(path + ": " + String.join(", ", what));
            }
        }
        return found;
    }

    static String digest(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A copy of the built distribution as the archive ships it: everything but what run/ and log/
     * hold (they ship empty), with conf/ and deploy/ then checked against the shipped ones.
     */
    static void copyShipped(Path home) throws IOException {
        try (Stream<Path> paths = Files.walk(built)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path relative = built.relativize(path);
                if (relative.getNameCount() > 1 && (relative.startsWith("run") || relative.startsWith("log"))) {
                    continue;
                }
                Path target = home.resolve(relative.toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Map<String, String> copied = new TreeMap<>();
        Map<String, String> expected = new TreeMap<>();
        snapshot(home).forEach((path, entry) -> copied.put(path, entry.content()));
        shipped.forEach((path, entry) -> expected.put(path, entry.content()));
        assertThat(copied).as("conf/ and deploy/ of the fresh copy " + home).isEqualTo(expected);
    }

    /** As an operator replaces a file: the new content written in run/, then renamed over the old. */
    static void replaceAtomically(Path home, Path target, String text) throws IOException {
        Path temporary = home.resolve("run/" + target.getFileName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
