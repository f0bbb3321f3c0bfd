package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.Apache;
import io.fastpool.itest.support.WebServerProcess;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real Apache httpd 2.4 (mod_proxy_fcgi, event MPM, children as www-data) in front of the built
 * distribution, with the shipped conf/apache-fastpool.conf: over the unix socket with
 * enablereuse=on, and its TCP alternative on a second port. Besides the checks every front passes
 * ({@link FrontChecks}): what Apache does with FastCGI connections, and the TCP alternative.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ApacheIT extends FrontChecks {

    ApacheIT() {
        super("Apache", true);
    }

    @Override
    WebServerProcess startFront(Path prefix) throws Exception {
        return Apache.start(prefix, shippedWithTcpAlternative("apache-fastpool.conf", "ProxyPass \"/\" \"unix:",
                "ProxyPass \"/\" \"fcgi://127.0.0.1:9000/\""));
    }

    /** Runs first, before any other check has had Apache open FastCGI connections. */
    @Test
    @Order(0)
    void withEnablereuseApacheKeepsItsFastCgiConnectionsForLaterRequests() throws Exception {
        int requests = 50;
        long connections = newFastCgiConnectionsFor(requests);
        System.out.printf("Apache: %d sequential requests through enablereuse=on took %d new FastCGI connections%n",
                requests, connections);
        assertThat(connections).as("FastCGI connections Fastpool accepted for " + requests + " sequential requests")
                .isLessThan(requests);
    }

    @Test
    @Order(3)
    void theShippedTcpAlternativeServesAGetOverFastpoolsTcpListener() throws Exception {
        assertTheTcpAlternativeServesAGetOverFastpoolsTcpListener();
    }
}
