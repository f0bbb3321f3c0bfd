package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.Lighttpd;
import io.fastpool.itest.support.WebServerProcess;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real lighttpd 1.4 (mod_fastcgi, running as www-data) in front of the built distribution, with
 * the shipped conf/lighttpd-fastpool.conf: over the unix socket, and its TCP alternative
 * ("host"/"port") on a second port. Besides the checks every front passes ({@link FrontChecks}):
 * what lighttpd does with FastCGI connections, and the TCP alternative.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LighttpdIT extends FrontChecks {

    LighttpdIT() {
        super("lighttpd", true);
    }

    @Override
    WebServerProcess startFront(Path prefix) throws Exception {
        return Lighttpd.start(prefix, shippedWithTcpAlternative("lighttpd-fastpool.conf", "\"socket\" =>",
                "\"host\" => \"127.0.0.1\", \"port\" => 9000,"));
    }

    @Test
    @Order(2)
    void lighttpdOpensOneFastCgiConnectionPerRequest() throws Exception {
        int requests = 50;
        long connections = newFastCgiConnectionsFor(requests);
        System.out.printf("lighttpd: %d sequential requests took %d new FastCGI connections%n", requests, connections);
        assertThat(connections).as("FastCGI connections Fastpool accepted for " + requests + " sequential requests")
                .isEqualTo(requests);
    }

    @Test
    @Order(3)
    void theShippedTcpAlternativeServesAGetOverFastpoolsTcpListener() throws Exception {
        assertTheTcpAlternativeServesAGetOverFastpoolsTcpListener();
    }
}
