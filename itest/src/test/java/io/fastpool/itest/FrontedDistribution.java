package io.fastpool.itest;

import com.fasterxml.jackson.jr.ob.JSON;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.itest.apps.BigResponse;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.RawFcgiClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built distribution copied into a temporary folder and run with bin/fastpool as a process, for
 * a test with a web server in front: the copy listens on its unix socket and on a free loopback TCP
 * port instead of 9000 (nothing else in conf/ changes), and has one more app in deploy/,
 * {@link BigResponse} at {@code /big}, because no shipped sample answers with megabytes.
 *
 * <p>The test reads Fastpool's figures over the TCP listener, so that the unix socket's counters
 * (the socket the front uses) count the front's connections only.
 */
final class FrontedDistribution implements AutoCloseable {

    private final Path home;
    private final int tcpPort;
    private final Path output;
    private final Process server;

    private FrontedDistribution(Path home, int tcpPort, Path output, Process server) {
        this.home = home;
        this.tcpPort = tcpPort;
        this.output = output;
        this.server = server;
    }

    /** Copies and starts the distribution in {@code work}/fastpool; returns once every app answers. */
    static FrontedDistribution start(Path work) throws Exception {
        return start(work, false);
    }

    /**
     * The same; with {@code webServerGroup}, the socket is given the group www-data (the shipped,
     * commented {@code unixSocketGroup}) and {@code work} opened to it, for fronts whose workers run
     * as www-data (Apache, lighttpd).
     */
    static FrontedDistribution start(Path work, boolean webServerGroup) throws Exception {
        Path built = Path.of(System.getProperty("distribution.dir"));
        if (!Files.isExecutable(built.resolve("bin/fastpool"))) {
            throw new IllegalStateException(built + " has no bin/fastpool: build the distribution module first");
        }
        Path home = work.resolve("fastpool");
        DistributionIT.copyTree(built, home);
        int tcpPort = Nginx.freePort();
        Path transport = home.resolve("conf/io.fastpool.transport.cfg");
        String shipped = Files.readString(transport, StandardCharsets.ISO_8859_1);
        String listen = "listen = unix:run/fastpool.sock, tcp:127.0.0.1:9000";
        if (!shipped.contains(listen)) {
            throw new IllegalStateException("the shipped transport file no longer has '" + listen + "'");
        }
        String adapted = shipped.replace(listen, "listen = unix:run/fastpool.sock, tcp:127.0.0.1:" + tcpPort);
        if (webServerGroup) {
            adapted = adapted.replace("#unixSocketGroup = www-data", "unixSocketGroup = www-data");
            Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(transport, adapted, StandardCharsets.ISO_8859_1);
        BigResponse.bundle(home.resolve("deploy"), "/big");

        Path output = work.resolve("server.log");
        Process server = new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        FrontedDistribution distribution = new FrontedDistribution(home, tcpPort, output, server);
        try {
            for (String[] app : new String[][] {{"/hello", "200 OK Hello, world!"}, {"/echo/", "200 OK method: GET"},
                    {"/slow?ms=0", "200 OK slept 0 ms"}, {"/big?bytes=3", "200 OK abc"}, {"/json/hello", "200 OK {"}}) {
                Platform.await(Duration.ofSeconds(30), app[0] + " to answer over the unix socket (log: " + output + ")",
                        () -> DistributionIT.answerFrom(home, app[0]).startsWith(app[1]));
            }
            return distribution;
        } catch (Throwable e) {
            distribution.close();
            throw e;
        }
    }

    Path home() {
        return home;
    }

    /** The status and body of GET {@code uri} over the TCP listener, as {@link DistributionIT#answerFrom} gives them. */
    String answer(String uri) {
        try (RawFcgiClient client = RawFcgiClient.tcp(tcpPort)) {
            RawFcgiClient.Response response = client.get(1, true, uri);
            return response.httpStatus() + " " + response.body();
        } catch (IOException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    /** The status page's JSON ({@code /fastpool-status?json}), read over the TCP listener. */
    Map<String, Object> status() throws IOException {
        String answer = answer("/fastpool-status?json");
        if (!answer.startsWith("200 OK ")) {
            throw new IOException("the status page answered " + answer);
        }
        return JSON.std.mapFrom(answer.substring("200 OK ".length()));
    }

    /** The figures of the unix socket's listener (accepted, open, active, idle, ...) from the status JSON. */
    @SuppressWarnings("unchecked")
    Map<String, Object> unixListener() throws IOException {
        for (Object listener : (List<Object>) status().get("listeners")) {
            Map<String, Object> figures = (Map<String, Object>) listener;
            if ("unix:run/fastpool.sock".equals(figures.get("listen"))) {
                return figures;
            }
        }
        throw new IOException("no unix:run/fastpool.sock listener in the status JSON");
    }

    /** How many connections the unix socket has accepted since the server started. */
    long acceptedOnUnixSocket() throws IOException {
        return ((Number) unixListener().get("accepted")).longValue();
    }

    /**
     * Fastpool's answer to FCGI_GET_VALUES for FCGI_MAX_CONNS, FCGI_MAX_REQS and FCGI_MPXS_CONNS over
     * the unix socket, as a front asks it when it connects.
     */
    Map<String, String> getValues() throws IOException {
        try (RawFcgiClient client = RawFcgiClient.unix(home.resolve("run/fastpool.sock"))) {
            ByteBuf query = Unpooled.buffer();
            FcgiEncoder.writeGetValues(query, List.of("FCGI_MAX_CONNS", "FCGI_MAX_REQS", "FCGI_MPXS_CONNS"));
            byte[] bytes = new byte[query.readableBytes()];
            query.readBytes(bytes);
            client.send(bytes);
            return client.awaitValues();
        }
    }

    /** The value of {@code key} in the shipped (unchanged) {@code conf/FILE}. */
    String shippedSetting(String file, String key) throws IOException {
        for (String line : Files.readAllLines(home.resolve("conf").resolve(file), StandardCharsets.ISO_8859_1)) {
            String trimmed = line.trim();
            if (trimmed.startsWith(key) && trimmed.substring(key.length()).trim().startsWith("=")) {
                return trimmed.substring(trimmed.indexOf('=') + 1).trim();
            }
        }
        throw new IOException("conf/" + file + " has no " + key);
    }

    /** What the server printed so far. */
    String log() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (server.isAlive()) {
            server.destroy(); // SIGTERM, as systemd does
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
