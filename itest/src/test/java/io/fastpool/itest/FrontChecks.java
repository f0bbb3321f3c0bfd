package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.BigResponse;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * What every web server in front of the built distribution must do, checked through the front with
 * {@link HttpClient}: a subclass starts the distribution ({@link FrontedDistribution}) and the front
 * with its shipped configuration, and adds the checks of that front's connection handling. The
 * concurrent-load check runs before the check of posts answered early, which leaves requests behind
 * in some fronts; a subclass orders its own checks between them.
 */
abstract class FrontChecks {

    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** The front's name, for messages. */
    abstract String front();

    abstract String url(String path);

    /** The front's log so far. */
    abstract String frontLog();

    /** A position in the front's log, for {@link #frontErrorsSince}. */
    abstract long frontLogMark();

    /** The lines of the front's log after {@code mark} that tell of an error. */
    abstract List<String> frontErrorsSince(long mark);

    /** The front's log after {@code mark}. */
    abstract String frontLogSince(long mark);

    static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
    void aNonAsciiQueryACustomHeaderAndAuthorizationReachTheApp() throws Exception {
        HttpResponse<String> response = get(url("/echo/x?name=J%C3%BCrgen&z=%E2%82%AC"),
                "X-Custom", "abc", "Authorization", "Bearer t0k3n");
        assertThat(response.statusCode()).as(frontLog()).isEqualTo(200);
        // Content-Length and Content-Type are left out: some fronts send them empty on a GET.
        assertThat(response.body()).contains("method: GET\n", "path: /echo/x\n", "context path: /echo\n", "path info: /x\n",
                "query string: name=J%C3%BCrgen&z=%E2%82%AC\n", "query parameters:\n  name: Jürgen\n  z: €\n",
                "  X-Custom: abc\n", "  Authorization: Bearer t0k3n\n", "body length: 0\n");
    }

    @Test
    @Order(1)
    void theCgiStatusLineBecomesTheHttpStatusAndNoStatusHeader() throws Exception {
        HttpResponse<String> ok = get(url("/hello"));
        HttpResponse<String> missing = get(url("/no/such/path"));
        System.out.printf("%s: GET /hello: %d, headers %s%n", front(), ok.statusCode(), ok.headers().map());
        System.out.printf("%s: GET /no/such/path: %d, headers %s%n", front(), missing.statusCode(), missing.headers().map());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("Hello, world!");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(ok.headers().firstValue("Status")).as("a Status header on the 200").isEmpty();
        assertThat(missing.headers().firstValue("Status")).as("a Status header on the 404").isEmpty();
    }

    @Test
    @Order(1)
    void aOneMebibytePostArrivesWholeAtTheApp() throws Exception {
        byte[] body = randomBody(1 << 20, 11);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url("/echo/upload")))
                .header("Content-Type", "application/octet-stream").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(frontLog()).isEqualTo(200);
        assertThat(response.body()).contains("method: POST\n", "path: /echo/upload\n", "content length: 1048576\n",
                "body length: 1048576\n", "body sha-256: " + sha256(body) + "\n");
    }

    @Test
    @Order(1)
    void anEightMebibyteResponseArrivesWhole() throws Exception {
        long size = 8L << 20;
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url("/big?bytes=" + size)))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long length = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                length += n;
            }
        }
        assertThat(length).isEqualTo(size);
        assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(HexFormat.of().formatHex(BigResponse.sha256Of(size)));
    }

    /** The distribution behind the front. */
    abstract FrontedDistribution fastpool();

    @Test
    @Order(1)
    void theShippedFrontConfigurationIsNotTakenForOneOfFastpools() {
        // FileInstall makes an OSGi configuration of every conf/*.cfg file; a front's file must not be one.
        List<String> created = fastpool().log().lines().filter(line -> line.contains("Creating configuration {")).toList();
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
        long mark = frontLogMark();
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
                future.get(30, TimeUnit.SECONDS);
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
        System.out.printf("%s: 20 clients, %.1f s: %d requests (%.0f/s), %d answered 200, other outcomes: %s%n", front(), seconds,
                total, total / seconds, outcomes.getOrDefault("200", new AtomicLong()).get(), failures);
        Thread.sleep(200); // the front writes its log lines after the answers: let the last ones arrive
        List<String> errors = frontErrorsSince(mark);
        errors.stream().limit(20).forEach(line -> System.out.printf("%s log: %s%n", front(), line));
        assertThat(failures).as("answers other than 200 out of %d requests", total).isEmpty();
        assertThat(errors).as("error lines in %s's log", front()).isEmpty();
        assertThat(total).isGreaterThan(20);
    }

    /**
     * A 1 MiB POST that Fastpool answers before reading its body: to an unknown path (the router
     * answers 404 at once) and to /hello (which never reads its body), twenty times each. The
     * client must get Fastpool's answer each time, never the front's 502 or 503, nor silence.
     * Runs last: some fronts leave such requests behind.
     */
    @Test
    @Order(9)
    void postsAnsweredBeforeTheirBodyIsReadGetFastpoolsAnswer() throws Exception {
        byte[] body = randomBody(1 << 20, 12);
        long mark = frontLogMark();
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (int i = 0; i < 20 && failures.size() < 3; i++) {
            for (String[] expected : new String[][] {{"/no/such/path", "404", "404 Not Found"}, {"/hello", "200", "Hello, world!"}}) {
                sent++;
                long started = System.nanoTime();
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url(expected[0])))
                            .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
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
        List<String> logged = frontLogSince(mark).lines().limit(20).toList();
        System.out.printf("%s: %d early-answered 1 MiB POSTs, %d failed: %s%n", front(), sent, failures.size(), failures);
        logged.forEach(line -> System.out.printf("%s log: %s%n", front(), line));
        assertThat(failures).as("POSTs (out of %d sent; stopping after 3 failures) that did not get Fastpool's answer;"
                + " %s logged meanwhile:%n%s", sent, front(), String.join("\n", logged)).isEmpty();
        assertThat(frontErrorsSince(mark)).as("error lines in %s's log", front()).isEmpty();
    }
}
