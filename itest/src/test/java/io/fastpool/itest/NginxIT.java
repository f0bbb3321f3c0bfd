package io.fastpool.itest;

import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.WebServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Real nginx in front: with {@code fastcgi_keep_conn on} and an upstream {@code keepalive} pool
 * over the unix socket, and with keep-conn off over TCP.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NginxIT {

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    Path work;
    Path socket;
    Nginx nginx;

    @Configuration
    public Option[] platform() throws IOException {
        Path work = PlatformOptions.workFolder("nginx-it");
        int fcgiPort = WebServerProcess.freePort();
        return new Option[] {PlatformOptions.withTestApp(work.resolve("run/fastpool.sock"), fcgiPort),
            systemProperty("nginx-it.work").value(work.toString()),
            systemProperty("nginx-it.port").value(Integer.toString(fcgiPort))};
    }

    /** One platform for the class; nginx, started here inside the test, per test. */
    @Before
    public void start() throws Exception {
        work = Path.of(System.getProperty("nginx-it.work"));
        socket = work.resolve("run/fastpool.sock");
        int fcgiPort = Integer.getInteger("nginx-it.port");
        await(Duration.ofSeconds(10), "the unix socket " + socket, () -> Files.exists(socket));
        nginx = Nginx.start(work.resolve("nginx"), """
                upstream fastpool_unix {
                    server unix:%s;
                    keepalive 8;
                }
                server {
                    listen 127.0.0.1:PORT;
                    client_max_body_size 64m;
                    location / {
                        include /etc/nginx/fastcgi_params;
                        fastcgi_pass fastpool_unix;
                        fastcgi_keep_conn on;
                    }
                }
                server {
                    listen 127.0.0.1:ALTPORT;
                    client_max_body_size 64m;
                    location / {
                        include /etc/nginx/fastcgi_params;
                        fastcgi_pass 127.0.0.1:%d;
                    }
                }
                """.formatted(socket, fcgiPort));
    }

    @After
    public void stop() throws Exception {
        try {
            nginx.close();
        } finally {
            OsgiNettyLeaks.assertNone();
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String connectionOf(String echo) {
        return echo.lines().filter(l -> l.startsWith("connection: ")).findFirst().orElseThrow();
    }

    @Test
    public void withKeepConnNginxReusesItsUpstreamConnections() throws Exception {
        Set<String> connections = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> response = get(nginx.url("/echo?i=" + i));
            assertThat(response.statusCode()).as(nginx.log()).isEqualTo(200);
            connections.add(connectionOf(response.body()));
        }
        assertThat(connections).as("upstream connections used for 200 sequential requests").hasSizeLessThanOrEqualTo(8);
    }

    @Test
    public void withoutKeepConnEveryRequestTakesAConnectionOfItsOwn() throws Exception {
        Set<String> connections = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = get(nginx.altUrl("/echo?i=" + i));
            assertThat(response.statusCode()).as(nginx.log()).isEqualTo(200);
            connections.add(connectionOf(response.body()));
        }
        assertThat(connections).hasSize(50);
    }

    @Test
    public void headersQueryAndAPostedBodyPassThroughNginx() throws Exception {
        byte[] body = new byte[5 * 1024 * 1024];
        new java.util.Random(3).nextBytes(body);
        for (String url : List.of(nginx.url("/echo/a%20b?x=1"), nginx.altUrl("/echo/a%20b?x=1"))) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("X-Custom", "v1").header("Content-Type", "application/x-test")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Echo")).contains("1");
            assertThat(response.body()).contains("method: POST\n", "path: /echo/a b\n", "query: x=1\n",
                    "header X-Custom: v1\n", "header Content-Type: application/x-test\n",
                    "body-length: " + body.length + "\n",
                    "body-sha256: " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
        }
    }

    @Test
    public void aLargeResponseArrivesWholeThroughNginx() throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(nginx.url("/big?bytes=20000000")))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(20_000_000);
        assertThat(response.body()[26 * 1000 + 3]).isEqualTo((byte) 'd');
    }

    @Test
    public void anUnmountedPathIsA404ThroughNginx() throws Exception {
        HttpResponse<String> response = get(nginx.url("/missing"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).startsWith("404 Not Found");
    }

    @Test
    public void concurrentClientsThroughNginxAllGetTheirAnswer() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                String base = c % 2 == 0 ? nginx.url("/hello") : nginx.altUrl("/hello");
                results.add(clients.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 100; i++) {
                        HttpResponse<String> response = get(base);
                        if (response.statusCode() == 200 && response.body().equals("Hello, world!")) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(100);
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
