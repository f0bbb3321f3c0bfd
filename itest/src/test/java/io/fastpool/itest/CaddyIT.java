package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.Caddy;
import io.fastpool.itest.support.Waits;
import io.fastpool.itest.support.WebServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real Caddy 2.6 in front of the built distribution, run with conf/Caddyfile-fastpool as shipped but
 * for the Fastpool folder and the port: reverse_proxy with the fastcgi transport over the unix
 * socket. Besides the checks every front passes ({@link FrontChecks}): Caddy's fastcgi transport
 * opens a FastCGI connection per request and does not ask Fastpool to keep it (no FCGI_KEEP_CONN),
 * so Fastpool closes each one after answering.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaddyIT extends FrontChecks {

    CaddyIT() {
        super("Caddy", false);
    }

    @Override
    WebServerProcess startFront(Path prefix) throws Exception {
        String adapted = fastpool.shippedFront("Caddyfile-fastpool", "PORT");
        assertThat(adapted).contains("reverse_proxy unix/" + fastpool.home() + "/run/fastpool.sock {")
                .contains("http://127.0.0.1:PORT {");
        return Caddy.start(prefix, adapted);
    }

    @Test
    @Order(1)
    void caddyStartsFromTheShippedSiteWithoutAnyErrorOrWarning() {
        // The only warning allowed is the one the test asked for: the admin endpoint is off.
        List<String> trouble = webServer.log().lines().filter(line -> !line.startsWith("{") || line.contains("\"level\":\"warn\"")
                || line.contains("\"level\":\"error\"")).filter(line -> !line.contains("admin endpoint disabled")).toList();
        assertThat(trouble).as("Caddy's warnings and errors at start").isEmpty();
    }

    @Test
    @Order(2)
    void twentySequentialRequestsOpenTwentyFastCgiConnectionsThatFastpoolCloses() throws Exception {
        long used = newFastCgiConnectionsFor(20);
        Waits.await(Duration.ofSeconds(5), "Caddy's FastCGI connections to be closed",
                () -> ((Number) uncheckedUnixListener().get("open")).longValue() == 0);
        System.out.printf("Caddy: 20 sequential requests, %d new FastCGI connections, none left open%n", used);
        assertThat(used).as("new FastCGI connections for 20 sequential requests").isEqualTo(20);
    }

    private Map<String, Object> uncheckedUnixListener() {
        try {
            return fastpool.unixListener();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
