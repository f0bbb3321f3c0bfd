package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.Caddy;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.Platform;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Real Caddy 2.6 in front of the built distribution, run with conf/Caddyfile-fastpool as shipped but
 * for the Fastpool folder and the port: reverse_proxy with the fastcgi transport over the unix
 * socket. Besides the checks every front passes ({@link FrontChecks}): Caddy's fastcgi transport
 * opens a FastCGI connection per request and does not ask Fastpool to keep it (no FCGI_KEEP_CONN),
 * so Fastpool closes each one after answering.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CaddyIT extends FrontChecks {

    static FrontedDistribution fastpool;
    static Caddy caddy;
    static long started;

    @BeforeAll
    static void start() throws Exception {
        started = System.nanoTime();
        Path work = Files.createTempDirectory(Path.of("target"), "caddy-it").toAbsolutePath();
        fastpool = FrontedDistribution.start(work);
        String shipped = Files.readString(fastpool.home().resolve("conf/Caddyfile-fastpool"), StandardCharsets.UTF_8);
        int port = Nginx.freePort();
        String adapted = shipped.replace("FASTPOOL_HOME", fastpool.home().toString())
                .replace("http://127.0.0.1:8080 {", "http://127.0.0.1:" + port + " {");
        assertThat(adapted).contains("reverse_proxy unix/" + fastpool.home() + "/run/fastpool.sock {")
                .contains("http://127.0.0.1:" + port + " {");
        caddy = Caddy.start(work.resolve("caddy"), adapted, port);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (caddy != null) {
                caddy.close();
            }
        } finally {
            if (fastpool != null) {
                fastpool.close();
            }
        }
        System.out.printf("CaddyIT: %d ms from the start of the class to both processes stopped (Caddy log: %s)%n",
                (System.nanoTime() - started) / 1_000_000, caddy == null ? "-" : caddy.logPath());
    }

    @Override
    String front() {
        return "Caddy";
    }

    @Override
    FrontedDistribution fastpool() {
        return fastpool;
    }

    @Override
    String url(String path) {
        return caddy.url(path);
    }

    @Override
    String frontLog() {
        return caddy.log();
    }

    @Override
    long frontLogMark() {
        return caddy.mark();
    }

    @Override
    List<String> frontErrorsSince(long mark) {
        return caddy.errorLinesSince(mark);
    }

    @Override
    String frontLogSince(long mark) {
        return caddy.logSince(mark);
    }

    @Test
    @Order(1)
    void caddyStartsFromTheShippedSiteWithoutAnyErrorOrWarning() {
        // The only warning allowed is the one the test asked for: the admin endpoint is off.
        List<String> trouble = caddy.log().lines().filter(line -> !line.startsWith("{") || line.contains("\"level\":\"warn\"")
                || line.contains("\"level\":\"error\"")).filter(line -> !line.contains("admin endpoint disabled")).toList();
        assertThat(trouble).as("Caddy's warnings and errors at start").isEmpty();
    }

    @Test
    @Order(2)
    void twentySequentialRequestsOpenTwentyFastCgiConnectionsThatFastpoolCloses() throws Exception {
        long before = fastpool.acceptedOnUnixSocket();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = get(url("/hello?name=n" + i));
            assertThat(response.statusCode()).as(caddy.log()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("Hello, n" + i + "!");
        }
        long used = fastpool.acceptedOnUnixSocket() - before;
        Platform.await(Duration.ofSeconds(5), "Caddy's FastCGI connections to be closed",
                () -> ((Number) uncheckedUnixListener().get("open")).longValue() == 0);
        System.out.printf("Caddy: 20 sequential requests, %d new FastCGI connections, none left open%n", used);
        assertThat(used).as("new FastCGI connections for 20 sequential requests").isEqualTo(20);
    }

    private static java.util.Map<String, Object> uncheckedUnixListener() {
        try {
            return fastpool.unixListener();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
