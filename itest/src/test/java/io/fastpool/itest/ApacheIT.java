package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.Apache;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real Apache httpd 2.4 (mod_proxy_fcgi, event MPM, children as www-data) in front of the built
 * distribution, with the shipped conf/apache-fastpool.conf: over the unix socket with
 * enablereuse=on, and its TCP alternative on a second port. The checks are
 * {@link FastCgiFrontChecks}'s; this class adds what Apache does with FastCGI connections.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ApacheIT extends FastCgiFrontChecks {

    /** A line Apache logs at error level or worse: "[proxy_fcgi:error]", "[proxy:error]", "[core:crit]"... */
    private static final Pattern ERROR = Pattern.compile("\\[[a-z_0-9]+:(error|crit|alert|emerg)\\]");

    Apache apache;

    @Override
    String front() {
        return "apache";
    }

    @Override
    void startFront(Path prefix) throws Exception {
        String file = "apache-fastpool.conf";
        String overSocket = shipped(file, "PORT");
        String overTcp = switchLines(shipped(file, "ALTPORT"), "ProxyPass \"/\" \"unix:", "ProxyPass \"/\" \"fcgi://127.0.0.1:9000/\"")
                .replace("127.0.0.1:9000", "127.0.0.1:" + tcpPort);
        apache = Apache.start(prefix, overSocket + "\n# The shipped TCP alternative, on a second port:\n" + overTcp);
    }

    @Override
    void stopFront() throws Exception {
        if (apache != null) {
            apache.close();
        }
    }

    @Override
    String url(String path) {
        return apache.url(path);
    }

    @Override
    String tcpUrl(String path) {
        return apache.altUrl(path);
    }

    @Override
    Path frontErrorLog() {
        return apache.errorLogPath();
    }

    @Override
    boolean isFrontError(String line) {
        return ERROR.matcher(line).find();
    }

    @Test
    @Order(1)
    void withEnablereuseApacheKeepsItsFastCgiConnectionsForLaterRequests() throws Exception {
        int requests = 50;
        long connections = fastCgiConnectionsFor(requests);
        System.out.printf("apache: %d sequential requests through enablereuse=on took %d new FastCGI connections%n",
                requests, connections);
        assertThat(connections).as("FastCGI connections Fastpool accepted for " + requests + " sequential requests")
                .isLessThan(requests);
    }
}
