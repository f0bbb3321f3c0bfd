package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.LargeAnswer;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.TestBundles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What every web server in front of the built distribution must do, checked through the front
 * with an HTTP client: the distribution is copied and started with bin/fastpool as an operator
 * runs it (only its TCP port changed to a free one, and its socket given to www-data, the front's
 * group), the front runs the configuration shipped in conf/ with only paths and ports changed.
 * A subclass starts its front and says what it does with FastCGI connections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FastCgiFrontChecks {

    static final int MIB = 1024 * 1024;
    static final String SOCKET_LISTENER = "unix:run/fastpool.sock";

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    Path work;
    Path home;
    Process server;
    Path serverOutput;
    int tcpPort;

    /** The front's name, for folders and messages. */
    abstract String front();

    /** Starts the front in {@code prefix} with the shipped configuration ({@link #home}, {@link #tcpPort} are set). */
    abstract void startFront(Path prefix) throws Exception;

    abstract void stopFront() throws Exception;

    /** {@code path} through the front to Fastpool's unix socket (the shipped configuration). */
    abstract String url(String path);

    /** {@code path} through the front to Fastpool's TCP listener (the shipped TCP alternative). */
    abstract String tcpUrl(String path);

    abstract Path frontErrorLog();

    /** Whether a line of the front's error log reports an error. */
    abstract boolean isFrontError(String line);

    @BeforeAll
    void startDistributionAndFront() throws Exception {
        Path built = Path.of(System.getProperty("distribution.dir"));
        if (!Files.isExecutable(built.resolve("bin/fastpool"))) {
            throw new IllegalStateException(built + " has no bin/fastpool: build the distribution module first");
        }
        work = Files.createTempDirectory(Path.of("target"), front() + "-it").toAbsolutePath();
        // The front's workers run as www-data and must reach run/fastpool.sock; a temporary folder is owner-only.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = work.resolve("fastpool");
        DistributionIT.copyTree(built, home);
        tcpPort = Nginx.freePort();
        Path transport = home.resolve("conf/io.fastpool.transport.cfg");
        String shipped = Files.readString(transport);
        Files.writeString(transport, replaceRequired(replaceRequired(shipped, "tcp:127.0.0.1:9000", "tcp:127.0.0.1:" + tcpPort, transport),
                "#unixSocketGroup = www-data", "unixSocketGroup = www-data", transport));
        // No shipped sample answers more than a few kB: an app that does, deployed as operators do.
        Path large = TestBundles.buildComponent(work.resolve("jars"), "io.fastpool.itest.large", "1.0.0",
                "io.fastpool.api;version=\"[1,2)\"", null, LargeAnswer.component("/large"), LargeAnswer.class);
        Files.copy(large, home.resolve("deploy/large.jar"));

        serverOutput = work.resolve("server.log");
        server = new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true)
                .redirectOutput(serverOutput.toFile()).start();
        Platform.await(Duration.ofSeconds(30), "/hello to answer over the socket (log: " + serverOutput + ")",
                () -> DistributionIT.answerFrom(home, "/hello").startsWith("200 OK Hello, world!"));
        Platform.await(Duration.ofSeconds(15), "the deployed /large app", () -> DistributionIT.answerFrom(home, "/large?bytes=3")
                .equals("200 OK abc"));
        assertThat(Files.getAttribute(home.resolve("run/fastpool.sock"), "posix:group").toString()).isEqualTo("www-data");
        startFront(work.resolve(front()));
    }

    @AfterAll
    void stopFrontAndDistribution() throws Exception {
        try {
            stopFront();
        } finally {
            if (server != null && server.isAlive()) {
                server.destroy();
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    @Order(2)
    void aNonAsciiPathAndQueryAndACustomHeaderReachTheAppAsSent() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                url("/echo/J%C3%BCrgen%20x?name=J%C3%BCrgen&z=%E2%82%AC"))).header("X-Custom", "abc")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(frontLog()).isEqualTo(200);
        assertThat(response.body()).contains("method: GET\n", "path: /echo/Jürgen x\n", "context path: /echo\n",
                "path info: /Jürgen x\n", "query string: name=J%C3%BCrgen&z=%E2%82%AC\n", "  name: Jürgen\n", "  z: €\n",
                "  X-Custom: abc\n", "body length: 0\n");
    }

    @Test
    @Order(2)
    void fastpoolsStatusLineIsTakenByTheFrontNotPassedOnAsAHeader() throws Exception {
        // Fastpool answers "Status: 200 OK" even for 200; the front makes it the status line.
        HttpResponse<String> response = get(url("/hello"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("Hello, world!");
        assertThat(response.headers().map().keySet()).as("headers").noneMatch(name -> name.equalsIgnoreCase("status"));
        System.out.printf("%s: the answer's headers for /hello: %s%n", front(), response.headers().map());
    }

    @Test
    @Order(2)
    void aOneMebibytePostReachesTheAppWhole() throws Exception {
        byte[] body = randomBytes(MIB, 1);
        HttpResponse<String> response = post(url("/echo/upload"), body);
        assertThat(response.statusCode()).as(frontLog()).isEqualTo(200);
        assertThat(response.body()).contains("method: POST\n", "path: /echo/upload\n", "body length: " + MIB + "\n",
                "body sha-256: " + sha256(body) + "\n");
    }

    @Test
    @Order(2)
    void anAnswerOfEightMegabytesArrivesWhole() throws Exception {
        int size = 8_000_000;
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url("/large?bytes=" + size)))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(frontLog()).isEqualTo(200);
        assertThat(response.body()).hasSize(size);
        byte[] expected = new byte[size];
        byte[] pattern = LargeAnswer.pattern();
        for (int at = 0; at < size; at += pattern.length) {
            System.arraycopy(pattern, 0, expected, at, Math.min(pattern.length, size - at));
        }
        assertThat(Arrays.equals(response.body(), expected)).as("the answer is the app's bytes, in order").isTrue();
    }

    @Test
    @Order(2)
    void anUnknownPathIsFastpools404() throws Exception {
        HttpResponse<String> response = get(url("/no-such-app"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).startsWith("404 Not Found");
    }

    @Test
    @Order(3)
    void aPostAnsweredBeforeItsBodyIsReadGetsFastpoolsAnswerAndTheFrontLogsNoError() throws Exception {
        // Fastpool's router answers 404 before any body is read; /hello answers without reading it.
        // Whether the front is still writing the body when Fastpool is done is a matter of timing:
        // up to 200 POSTs (at most 5 s) make a fault there show in every run.
        byte[] body = randomBytes(MIB, 2);
        long logFrom = logSize();
        List<String> wrong = new ArrayList<>();
        int posts = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (int i = 0; i < 100 && System.nanoTime() < deadline; i++) {
            for (String path : List.of("/no-such-app", "/hello")) {
                posts++;
                String expected = path.equals("/hello") ? "200 Hello, world!" : "404 404 Not Found";
                try {
                    HttpResponse<String> response = post(url(path), body);
                    String answer = response.statusCode() + " " + response.body();
                    if (!answer.startsWith(expected)) {
                        wrong.add("POST " + path + ": " + answer);
                    }
                } catch (IOException e) {
                    wrong.add("POST " + path + ": " + e);
                }
            }
        }
        List<String> errors = frontErrorsSince(logFrom);
        int sent = posts;
        errors.forEach(line -> System.out.printf("%s: error during %d early-answered POSTs: %s%n", front(), sent, line));
        System.out.printf("%s: %d POSTs of 1 MiB answered before their body was read: %d wrong answers, %d front errors%n",
                front(), sent, wrong.size(), errors.size());
        assertThat(wrong).as("answers other than Fastpool's (front log: %s)", errors).isEmpty();
        assertThat(errors).as("errors in the front's log for %d POSTs answered before their body was read", sent).isEmpty();
    }

    @Test
    @Order(4)
    void twentyConcurrentClientsForThreeSecondsGetOnly2xxAndTheFrontLogsNoError() throws Exception {
        long logFrom = logSize();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(20);
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        int answered = 0;
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < 20; c++) {
                results.add(clients.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 5_000 && System.nanoTime() < deadline; i++) {
                        try {
                            HttpResponse<String> response = get(url("/hello"));
                            if (response.statusCode() / 100 == 2 && response.body().equals("Hello, world!")) {
                                ok++;
                            } else {
                                failures.add(response.statusCode() + " " + response.body());
                            }
                        } catch (IOException e) {
                            failures.add(e.toString());
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> result : results) {
                answered += result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        List<String> errors = frontErrorsSince(logFrom);
        errors.forEach(line -> System.out.printf("%s: error under load: %s%n", front(), line));
        System.out.printf("%s: 20 clients for 3 s: %d answers (%d/s), %d failures%n", front(), answered, answered / 3, failures.size());
        assertThat(failures).as("answers other than 2xx, or failed requests").isEmpty();
        assertThat(answered).isGreaterThan(20);
        assertThat(errors).as("errors in the front's log under load").isEmpty();
    }

    @Test
    @Order(5)
    void theShippedTcpAlternativeServesAGetOverFastpoolsTcpListener() throws Exception {
        String listener = "tcp:127.0.0.1:" + tcpPort;
        long before = accepted(listener);
        HttpResponse<String> response = get(tcpUrl("/echo/tcp?via=tcp"));
        assertThat(response.statusCode()).as(frontLog()).isEqualTo(200);
        assertThat(response.body()).contains("path: /echo/tcp\n", "query string: via=tcp\n");
        assertThat(accepted(listener) - before).as("connections accepted on " + listener).isGreaterThanOrEqualTo(1);
    }

    /**
     * Sends {@code requests} GETs one after the other through the front and returns how many
     * FastCGI connections Fastpool accepted on its socket meanwhile (fastpool:connections).
     */
    long fastCgiConnectionsFor(int requests) throws Exception {
        long before = accepted(SOCKET_LISTENER);
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = get(url("/hello?name=" + i));
            assertThat(response.statusCode()).as(frontLog()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("Hello, " + i + "!");
        }
        return accepted(SOCKET_LISTENER) - before;
    }

    /** The ACCEPTED figure of a listen address, from bin/fastpool exec fastpool:connections. */
    long accepted(String listen) throws Exception {
        Process process = new ProcessBuilder(home.resolve("bin/fastpool").toString(), "exec", "fastpool:connections")
                .redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> lines = printed.lines().toList();
        assertThat(lines).as(printed).isNotEmpty();
        int column = Arrays.asList(lines.get(0).trim().split("\\s+")).indexOf("ACCEPTED");
        assertThat(column).as(printed).isPositive();
        return lines.stream().filter(line -> line.startsWith(listen + " ")).findFirst()
                .map(line -> Long.parseLong(line.trim().split("\\s+")[column]))
                .orElseThrow(() -> new AssertionError("no line for " + listen + " in:\n" + printed));
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String url, byte[] body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    long logSize() throws IOException {
        return Files.exists(frontErrorLog()) ? Files.size(frontErrorLog()) : 0;
    }

    /** The error lines the front logged after {@code offset} (a size of its log). */
    List<String> frontErrorsSince(long offset) throws IOException {
        if (!Files.exists(frontErrorLog())) {
            return List.of();
        }
        byte[] added;
        try (RandomAccessFile file = new RandomAccessFile(frontErrorLog().toFile(), "r")) {
            added = new byte[(int) Math.max(0, file.length() - offset)];
            file.seek(offset);
            file.readFully(added);
        }
        return new String(added, StandardCharsets.UTF_8).lines().filter(this::isFrontError).toList();
    }

    String frontLog() {
        try {
            return front() + "'s error log:\n" + (Files.exists(frontErrorLog()) ? Files.readString(frontErrorLog()) : "(none)");
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The shipped conf/NAME with FASTPOOL_HOME set and its address 127.0.0.1:8080 made 127.0.0.1:{@code port}. */
    String shipped(String name, String port) throws IOException {
        Path file = home.resolve("conf").resolve(name);
        return replaceRequired(Files.readString(file), "127.0.0.1:8080", "127.0.0.1:" + port, file).replace("FASTPOOL_HOME", home.toString());
    }

    /**
     * {@code text} with the line that starts (after blanks) with {@code active} commented out and
     * the one that starts with {@code "#" + commented} active instead: a shipped alternative.
     */
    static String switchLines(String text, String active, String commented) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        int off = -1;
        int on = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).stripLeading();
            if (line.startsWith(active)) {
                off = i;
            } else if (line.startsWith("#" + commented)) {
                on = i;
            }
        }
        if (off < 0 || on < 0) {
            throw new IllegalStateException("the shipped configuration no longer has the line '" + active
                    + "' and the commented alternative '#" + commented + "': adapt this test");
        }
        lines.set(off, "#" + lines.get(off));
        lines.set(on, lines.get(on).replaceFirst("#", ""));
        return String.join("\n", lines) + "\n";
    }

    static String replaceRequired(String text, String from, String to, Path file) {
        if (!text.contains(from)) {
            throw new IllegalStateException(file + " no longer has '" + from + "': adapt this test");
        }
        return text.replace(from, to);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
