package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.BigResponse;
import io.fastpool.itest.support.WebServerProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What every web server in front of the built distribution must do (nginx's tests are
 * {@link NginxIT} and {@link DistributionIT}), checked through the front with {@link HttpClient}:
 * the distribution is copied and started with bin/fastpool as an operator runs it
 * ({@link FrontedDistribution}), and a subclass starts its front with the configuration shipped in
 * conf/, only the folder and the ports changed ({@link FrontedDistribution#shippedFront}), and adds
 * the checks of that front's connection handling. The checks every front passes run first
 * (order 1; a front's check that needs the front fresh has order 0), a front's own next (2 to 4),
 * then the concurrent load (5), and last the posts answered early (9), which leave requests behind
 * in some fronts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FrontChecks {

    static final int MIB = 1 << 20;

    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String front;
    private final boolean workersRunAsWwwData;
    /** The distribution behind the front. */
    FrontedDistribution fastpool;
    /** The front. */
    WebServerProcess webServer;
    private long started;

    /**
     * Checks of the front called {@code front} (for messages, and in lower case for its folders);
     * with {@code workersRunAsWwwData} (Apache, lighttpd), Fastpool's socket is given the group
     * www-data ({@link FrontedDistribution#start(Path, boolean)}).
     */
    FrontChecks(String front, boolean workersRunAsWwwData) {
        this.front = front;
        this.workersRunAsWwwData = workersRunAsWwwData;
    }

    /** Starts the front in {@code prefix} with its shipped configuration ({@link #fastpool} is running). */
    abstract WebServerProcess startFront(Path prefix) throws Exception;

    /** The folder of the distribution and the front. */
    private Path work;

    @BeforeAll
    void startDistributionAndFront() throws Exception {
        started = System.nanoTime();
        String folder = front.toLowerCase(Locale.ROOT);
        work = FrontedDistribution.workFolder(folder + "-it", workersRunAsWwwData);
        fastpool = FrontedDistribution.start(work, workersRunAsWwwData);
        webServer = startFront(work.resolve(folder));
    }

    @AfterAll
    void stopFrontAndDistribution() throws Exception {
        try {
            if (webServer != null) {
                webServer.close();
            }
        } finally {
            if (fastpool != null) {
                fastpool.close();
            }
        }
        System.out.printf("%s: %d ms from the start of the class to both processes stopped (%s log: %s)%n", getClass().getSimpleName(),
                (System.nanoTime() - started) / 1_000_000, front, webServer == null ? "-" : webServer.logPath());
        if (workersRunAsWwwData && work != null) {
            FrontedDistribution.deleteTree(work); // in the system's temporary folder, not target/
        }
    }

    String url(String path) {
        return webServer.url(path);
    }

    static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> post(String url, byte[] body, Duration timeout) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static byte[] randomBody(int size, long seed) {
        byte[] body = new byte[size];
        new Random(seed).nextBytes(body);
        return body;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    @Order(1)
    void aNonAsciiPathAndQueryACustomHeaderAndAuthorizationReachTheAppAsSent() throws Exception {
        HttpResponse<String> response = get(url("/echo/J%C3%BCrgen%20x?name=J%C3%BCrgen&z=%E2%82%AC"),
                "X-Custom", "abc", "Authorization", "Bearer t0k3n");
        assertThat(response.statusCode()).as(webServer.log()).isEqualTo(200);
        // Content-Length and Content-Type are left out: some fronts send them empty on a GET.
        assertThat(response.body()).contains("method: GET\n", "path: /echo/Jürgen x\n", "context path: /echo\n",
                "path info: /Jürgen x\n", "query string: name=J%C3%BCrgen&z=%E2%82%AC\n", "query parameters:\n  name: Jürgen\n  z: €\n",
                "  X-Custom: abc\n", "  Authorization: Bearer t0k3n\n", "body length: 0\n");
    }

    @Test
    @Order(1)
    void theCgiStatusLineBecomesTheHttpStatusAndNoStatusHeader() throws Exception {
        // Fastpool answers "Status: 200 OK" even for 200; the front makes it the status line.
        HttpResponse<String> ok = get(url("/hello"));
        HttpResponse<String> missing = get(url("/no/such/path"));
        System.out.printf("%s: GET /hello: %d, headers %s%n", front, ok.statusCode(), ok.headers().map());
        System.out.printf("%s: GET /no/such/path: %d, headers %s%n", front, missing.statusCode(), missing.headers().map());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("Hello, world!");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(ok.headers().map().keySet()).as("a Status header on the 200").noneMatch(name -> name.equalsIgnoreCase("status"));
        assertThat(missing.headers().map().keySet()).as("a Status header on the 404").noneMatch(name -> name.equalsIgnoreCase("status"));
    }

    @Test
    @Order(1)
    void aOneMebibytePostArrivesWholeAtTheApp() throws Exception {
        byte[] body = randomBody(MIB, 11);
        HttpResponse<String> response = post(url("/echo/upload"), body, Duration.ofSeconds(30));
        assertThat(response.statusCode()).as(webServer.log()).isEqualTo(200);
        assertThat(response.body()).contains("method: POST\n", "path: /echo/upload\n", "content length: " + MIB + "\n",
                "body length: " + MIB + "\n", "body sha-256: " + sha256(body) + "\n");
    }

    /** 8,000,000 bytes (not a whole number of the app's 64 KiB writes) and 8 MiB. */
    @Test
    @Order(1)
    void answersOfEightMegabytesAndOfEightMebibytesArriveWhole() throws Exception {
        for (long size : new long[] {8_000_000, 8L * MIB}) {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url("/big?bytes=" + size)))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).as(webServer.log()).isEqualTo(200);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long length = 0;
            try (InputStream in = response.body()) {
                byte[] buffer = new byte[65536];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                    length += n;
                }
            }
            assertThat(length).as("bytes of the answer to ?bytes=%d", size).isEqualTo(size);
            assertThat(HexFormat.of().formatHex(sha.digest())).as("the answer to ?bytes=%d is the app's bytes, in order (SHA-256)", size)
                    .isEqualTo(HexFormat.of().formatHex(BigResponse.sha256Of(size)));
        }
    }

    @Test
    @Order(1)
    void theShippedFrontConfigurationIsNotTakenForOneOfFastpools() {
        // FileInstall makes an OSGi configuration of every conf/*.cfg file; a front's file must not be one.
        List<String> created = fastpool.log().lines().filter(line -> line.contains("Creating configuration {")).toList();
        assertThat(created).isNotEmpty().allSatisfy(line -> assertThat(line)
                .containsPattern("Creating configuration \\{(io\\.fastpool\\.|org\\.apache\\.felix\\.fileinstall~)"));
    }

    @Test
    @Order(1)
    void anUnknownPathIsFastpools404() throws Exception {
        HttpResponse<String> response = get(url("/no/such/path"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).startsWith("404 Not Found");
    }

    /** Twenty clients, each with its own connections, send GET /hello for three seconds (at most 5,000 each). */
    @Test
    @Order(5)
    void twentyConcurrentClientsForThreeSecondsGetOnly2xxAndTheFrontLogsNoError() throws Exception {
        long mark = webServer.mark();
        Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(3).toNanos();
        ExecutorService clients = Executors.newFixedThreadPool(20);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 20; c++) {
                done.add(clients.submit(() -> {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(5)).build();
                    for (int i = 0; i < 5_000 && System.nanoTime() < deadline; i++) {
                        String outcome;
                        try {
                            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url("/hello")))
                                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                            outcome = response.statusCode() / 100 == 2 && response.body().equals("Hello, world!")
                                    ? "200" : response.statusCode() + " " + response.body().strip();
                        } catch (Exception e) {
                            outcome = e.toString();
                        }
                        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long total = outcomes.values().stream().mapToLong(AtomicLong::get).sum();
        Map<String, Long> failures = new TreeMap<>();
        outcomes.forEach((outcome, count) -> {
            if (!outcome.equals("200")) {
                failures.put(outcome, count.get());
            }
        });
        System.out.printf("%s: 20 clients, %.1f s: %d requests (%.0f/s), %d answered 200, other outcomes: %s%n", front, seconds,
                total, total / seconds, outcomes.getOrDefault("200", new AtomicLong()).get(), failures);
        Thread.sleep(200); // the front writes its log lines after the answers: let the last ones arrive
        List<String> errors = webServer.errorLinesSince(mark);
        errors.stream().limit(20).forEach(line -> System.out.printf("%s log: %s%n", front, line));
        assertThat(failures).as("answers other than 200 out of %d requests", total).isEmpty();
        assertThat(errors).as("error lines in %s's log", front).isEmpty();
        assertThat(total).isGreaterThan(20);
    }

    /**
     * 1 MiB POSTs that Fastpool answers before reading their body: to an unknown path (the router
     * answers 404 at once) and to /hello (which never reads its body), twenty times each and on for up
     * to 5 s (at most a hundred times each), since whether the front is still writing the body when
     * Fastpool is done is a matter of timing. The client must get Fastpool's answer each time within
     * 5 s, never the front's 502 or 503, nor silence, and the front must log no error. Runs last: some
     * fronts leave such requests behind.
     */
    @Test
    @Order(9)
    void postsAnsweredBeforeTheirBodyIsReadGetFastpoolsAnswerAndTheFrontLogsNoError() throws Exception {
        byte[] body = randomBody(MIB, 12);
        long mark = webServer.mark();
        List<String> failures = new ArrayList<>();
        int sent = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (int i = 0; (i < 20 || i < 100 && System.nanoTime() < deadline) && failures.size() < 3; i++) {
            for (String[] expected : new String[][] {{"/no/such/path", "404", "404 Not Found"}, {"/hello", "200", "Hello, world!"}}) {
                sent++;
                long started = System.nanoTime();
                try {
                    HttpResponse<String> response = post(url(expected[0]), body, Duration.ofSeconds(5));
                    if (!Integer.toString(response.statusCode()).equals(expected[1]) || !response.body().startsWith(expected[2])) {
                        failures.add("POST " + expected[0] + " #" + i + ": " + response.statusCode() + " " + response.body().strip());
                    }
                } catch (Exception e) {
                    failures.add("POST " + expected[0] + " #" + i + ": " + e + " after "
                            + (System.nanoTime() - started) / 1_000_000 + " ms");
                }
            }
        }
        Thread.sleep(200);
        List<String> logged = webServer.logSince(mark).lines().limit(20).toList();
        List<String> errors = webServer.errorLinesSince(mark);
        System.out.printf("%s: %d early-answered 1 MiB POSTs, %d failed: %s; %d error lines in its log%n", front, sent,
                failures.size(), failures, errors.size());
        logged.forEach(line -> System.out.printf("%s log: %s%n", front, line));
        assertThat(failures).as("POSTs (out of %d sent; stopping after 3 failures) that did not get Fastpool's answer;"
                + " %s logged meanwhile:%n%s", sent, front, String.join("\n", logged)).isEmpty();
        assertThat(errors).as("error lines in %s's log for %d POSTs answered before their body was read", front, sent).isEmpty();
    }

    /**
     * Sends {@code requests} GETs of /hello one after the other through the front and returns how
     * many FastCGI connections Fastpool's unix socket accepted meanwhile.
     */
    long newFastCgiConnectionsFor(int requests) throws Exception {
        long before = fastpool.acceptedOnUnixSocket();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = get(url("/hello?name=n" + i));
            assertThat(response.statusCode()).as(webServer.log()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("Hello, n" + i + "!");
        }
        return fastpool.acceptedOnUnixSocket() - before;
    }

    /**
     * The shipped conf/{@code file} over the unix socket on {@code PORT}, then again on
     * {@code ALTPORT} with its shipped TCP alternative: the line starting with {@code socketLine}
     * commented out, the commented {@code tcpLine} active with its port 9000 made Fastpool's TCP port.
     */
    String shippedWithTcpAlternative(String file, String socketLine, String tcpLine) throws Exception {
        String overTcp = switchLines(fastpool.shippedFront(file, "ALTPORT"), socketLine, tcpLine)
                .replace(tcpLine, tcpLine.replace("9000", Integer.toString(fastpool.tcpPort())));
        return fastpool.shippedFront(file, "PORT") + "\n# The shipped TCP alternative, on a second port:\n" + overTcp;
    }

    /** A GET on {@code ALTPORT}, the TCP alternative of {@link #shippedWithTcpAlternative}, reaches the app over Fastpool's TCP listener. */
    void assertTheTcpAlternativeServesAGetOverFastpoolsTcpListener() throws Exception {
        String listener = fastpool.tcpListener();
        long before = fastpool.accepted(listener);
        HttpResponse<String> response = get(webServer.altUrl("/echo/tcp?via=tcp"));
        assertThat(response.statusCode()).as(webServer.log()).isEqualTo(200);
        assertThat(response.body()).contains("path: /echo/tcp\n", "query string: via=tcp\n");
        assertThat(fastpool.accepted(listener) - before).as("connections accepted on " + listener).isGreaterThanOrEqualTo(1);
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
}
