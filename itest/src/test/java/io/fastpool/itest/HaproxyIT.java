package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.Haproxy;
import io.fastpool.itest.support.WebServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real HAProxy 2.6 in front of the built distribution, run with conf/haproxy-fastpool.conf as shipped
 * but for the Fastpool folder and the port: HAProxy's own FastCGI client (fcgi-app) over the unix
 * socket, with keep-conn, multiplexing, get-values and http-reuse always. Besides the checks every
 * front passes ({@link FrontChecks}): HAProxy keeps and shares its FastCGI connections, puts
 * requests of different clients on one connection at the same time, and is told the right limit
 * per connection when it asks with FCGI_GET_VALUES.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HaproxyIT extends FrontChecks {

    HaproxyIT() {
        super("HAProxy", false);
    }

    @Override
    WebServerProcess startFront(Path prefix) throws Exception {
        String adapted = fastpool.shippedFront("haproxy-fastpool.conf", "PORT");
        assertThat(adapted).contains("server fastpool unix@" + fastpool.home() + "/run/fastpool.sock proto fcgi")
                .contains("bind 127.0.0.1:PORT");
        return Haproxy.start(prefix, adapted);
    }

    /**
     * HAProxy sends FCGI_GET_VALUES on each new connection (option get-values) and takes
     * FCGI_MAX_REQS as the most requests it may put on that connection at once; Fastpool's limit is
     * per connection: maxRequestsPerConnection of conf/io.fastpool.listener.cfg.
     */
    @Test
    @Order(1)
    void getValuesTellsTheLimitPerConnectionThatHaproxyUses() throws Exception {
        String perConnection = fastpool.shippedSetting("io.fastpool.listener.cfg", "maxRequestsPerConnection");
        Map<String, String> values = fastpool.getValues();
        System.out.printf("HAProxy: Fastpool answers FCGI_GET_VALUES with %s (maxRequestsPerConnection = %s)%n", values, perConnection);
        assertThat(values).containsEntry("FCGI_MPXS_CONNS", "1");
        assertThat(values).as("FCGI_MAX_REQS is a limit per connection").containsEntry("FCGI_MAX_REQS", perConnection);
    }

    @Test
    @Order(1)
    void haproxyTakesTheConfigurationAndGetValuesWithoutAnyErrorOrWarning() throws Exception {
        // HAProxy asks with GET_VALUES on each new connection, so the whole log is looked at, from its start.
        assertThat(get(url("/hello")).statusCode()).isEqualTo(200);
        assertThat(((Number) fastpool.unixListener().get("open")).longValue()).as("FastCGI connections HAProxy keeps open")
                .isGreaterThan(0);
        List<String> trouble = webServer.log().lines().filter(line -> line.contains("[ALERT]") || line.contains("[WARNING]")
                || line.toLowerCase(java.util.Locale.ROOT).contains("fcgi") || line.contains("GET_VALUES")).toList();
        assertThat(trouble).as("HAProxy's alerts, warnings and FastCGI complaints").isEmpty();
    }

    @Test
    @Order(2)
    void fiftySequentialRequestsUseAtMostOneNewFastCgiConnection() throws Exception {
        long used = newFastCgiConnectionsFor(50);
        System.out.printf("HAProxy: 50 sequential requests, %d new FastCGI connections (open now: %s)%n", used,
                fastpool.unixListener().get("open"));
        assertThat(used).as("new FastCGI connections for 50 sequential requests").isLessThanOrEqualTo(1);
    }

    /**
     * Eight clients, each with its own client connection, ask /slow?ms=500 at once. Fastpool's slow
     * pool holds them (running or queued) while HAProxy has them in flight: the figures show all eight
     * inside Fastpool at a moment when fewer than eight FastCGI connections are open, so requests of
     * different clients were on one connection at the same time.
     */
    @Test
    @Order(3)
    void eightSlowRequestsOfEightClientsAreInFlightTogetherOnSharedConnections() throws Exception {
        long before = fastpool.acceptedOnUnixSocket();
        AtomicBoolean running = new AtomicBoolean(true);
        long[] busiest = {0, 0}; // requests inside the slow pool, and the unix socket's open connections then
        ExecutorService clients = Executors.newFixedThreadPool(9);
        long startedNanos = System.nanoTime();
        long elapsedMillis;
        try {
            Future<?> sampler = clients.submit(() -> {
                while (running.get()) {
                    Map<String, Object> status = fastpool.status();
                    long inPool = slowPoolRequests(status);
                    if (inPool > busiest[0]) {
                        busiest[0] = inPool;
                        busiest[1] = ((Number) FrontedDistribution.listenerIn(status, FrontedDistribution.UNIX_LISTENER)
                                .get("open")).longValue();
                    }
                    Thread.sleep(10);
                }
                return null;
            });
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                answers.add(clients.submit(() -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                        .send(HttpRequest.newBuilder(URI.create(url("/slow?ms=500"))).timeout(Duration.ofSeconds(20)).build(),
                                HttpResponse.BodyHandlers.ofString())));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("slept 500 ms");
            }
            elapsedMillis = (System.nanoTime() - startedNanos) / 1_000_000;
            running.set(false);
            sampler.get(10, TimeUnit.SECONDS);
        } finally {
            running.set(false);
            clients.shutdownNow();
        }
        long used = fastpool.acceptedOnUnixSocket() - before;
        System.out.printf("HAProxy: 8 concurrent /slow?ms=500 from 8 clients took %d ms; at most %d were inside Fastpool at once,"
                + " over %d open FastCGI connections; %d new connections in all%n", elapsedMillis, busiest[0], busiest[1], used);
        assertThat(elapsedMillis).as("ms for 8 x 500 ms of work").isLessThan(2_500);
        assertThat(busiest[0]).as("requests inside Fastpool at once").isEqualTo(8);
        assertThat(busiest[1]).as("FastCGI connections open while all 8 were in flight").isLessThan(8);
        assertThat(used).as("new FastCGI connections for 8 concurrent requests").isLessThan(8);
    }

    @SuppressWarnings("unchecked")
    private static long slowPoolRequests(Map<String, Object> status) {
        for (Object pool : (List<Object>) status.get("pools")) {
            Map<String, Object> figures = (Map<String, Object>) pool;
            if ("io.fastpool.samples.slow".equals(figures.get("name"))) {
                return ((Number) figures.get("busyThreads")).longValue() + ((Number) figures.get("queued")).longValue();
            }
        }
        throw new AssertionError("no pool io.fastpool.samples.slow in " + status.get("pools"));
    }
}
