package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.Lighttpd;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real lighttpd 1.4 (mod_fastcgi, running as www-data) in front of the built distribution, with
 * the shipped conf/lighttpd-fastpool.conf: over the unix socket, and its TCP alternative
 * ("host"/"port") on a second port. The checks are {@link FastCgiFrontChecks}'s; this class adds
 * what lighttpd does with FastCGI connections.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LighttpdIT extends FastCgiFrontChecks {

    Lighttpd lighttpd;

    @Override
    String front() {
        return "lighttpd";
    }

    @Override
    void startFront(Path prefix) throws Exception {
        String file = "lighttpd-fastpool.conf";
        String overSocket = shipped(file, "PORT");
        String overTcp = switchLines(shipped(file, "ALTPORT"), "\"socket\" =>", "\"host\" => \"127.0.0.1\", \"port\" => 9000,")
                .replace("\"port\" => 9000", "\"port\" => " + tcpPort);
        lighttpd = Lighttpd.start(prefix, overSocket + "\n# The shipped TCP alternative, on a second port:\n" + overTcp);
    }

    @Override
    void stopFront() throws Exception {
        if (lighttpd != null) {
            lighttpd.close();
        }
    }

    @Override
    String url(String path) {
        return lighttpd.url(path);
    }

    @Override
    String tcpUrl(String path) {
        return lighttpd.altUrl(path);
    }

    @Override
    Path frontErrorLog() {
        return lighttpd.errorLogPath();
    }

    /** lighttpd logs only errors and its start and stop, e.g. "(gw_backend.c.2026) connection was dropped after accept()". */
    @Override
    boolean isFrontError(String line) {
        return !line.isBlank() && !line.contains("server started") && !line.contains("server stopped");
    }

    @Test
    @Order(1)
    void lighttpdOpensOneFastCgiConnectionPerRequest() throws Exception {
        int requests = 50;
        long connections = fastCgiConnectionsFor(requests);
        System.out.printf("lighttpd: %d sequential requests took %d new FastCGI connections%n", requests, connections);
        assertThat(connections).as("FastCGI connections Fastpool accepted for " + requests + " sequential requests")
                .isEqualTo(requests);
    }
}
