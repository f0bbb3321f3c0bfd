package io.fastpool.itest;

import com.fasterxml.jackson.jr.ob.JSON;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.itest.apps.BigResponse;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.TestBundles;
import io.fastpool.itest.support.Waits;
import io.fastpool.itest.support.WebServerProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * <p>The test reads Fastpool's figures of one listener over the other ({@link #listener}), so that
 * a listener's counters count the front's connections only.
 */
final class FrontedDistribution implements AutoCloseable {

    /** The shipped unix socket's listener, as the status JSON names it. */
    static final String UNIX_LISTENER = "unix:run/fastpool.sock";

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

    /**
     * A folder for one test's distribution and front. For fronts whose workers run as www-data
     * ({@code webServerGroup}) it is in the system's temporary folder, opened to others: the checkout
     * may sit in a folder only its owner can enter (a clone made in a {@code mktemp -d} folder is
     * 0700), and www-data must reach the socket and the front's log folder. Such a folder is removed
     * by {@link #deleteTree}; the others stay under target/ for a look after a failure.
     */
    static Path workFolder(String name, boolean webServerGroup) throws IOException {
        if (!webServerGroup) {
            return Files.createTempDirectory(Path.of("target"), name).toAbsolutePath();
        }
        Path work = Files.createTempDirectory(name).toAbsolutePath();
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Path folder = work.getParent(); folder != null; folder = folder.getParent()) {
            if (!Files.getPosixFilePermissions(folder).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IllegalStateException(folder + " may not be entered by others, so the front's workers (www-data)"
                        + " cannot reach " + work + "; set java.io.tmpdir to a folder they can reach");
            }
        }
        return work;
    }

    /** Removes {@code folder} and everything in it. */
    static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Copies and starts the distribution in {@code work}/fastpool; returns once every app answers. */
    static FrontedDistribution start(Path work) throws Exception {
        return start(work, false);
    }

    /**
     * The same; with {@code webServerGroup}, the socket is given the group www-data (the shipped,
     * commented {@code unixSocketGroup}), for fronts whose workers run as www-data (Apache, lighttpd);
     * {@code work} comes from {@link #workFolder} then.
     */
    static FrontedDistribution start(Path work, boolean webServerGroup) throws Exception {
        Path built = Path.of(System.getProperty("distribution.dir"));
        if (!Files.isExecutable(built.resolve("bin/fastpool"))) {
            throw new IllegalStateException(built + " has no bin/fastpool: build the distribution module first");
        }
        Path home = work.resolve("fastpool");
        DistributionIT.copyTree(built, home);
        int tcpPort = WebServerProcess.freePort();
        Path transport = home.resolve("conf/io.fastpool.transport.cfg");
        String shipped = Files.readString(transport, StandardCharsets.ISO_8859_1);
        String adapted = replaceRequired(shipped, "listen = unix:run/fastpool.sock, tcp:127.0.0.1:9000",
                "listen = unix:run/fastpool.sock, tcp:127.0.0.1:" + tcpPort, transport);
        if (webServerGroup) {
            adapted = replaceRequired(adapted, "#unixSocketGroup = www-data", "unixSocketGroup = www-data", transport);
        }
        Files.writeString(transport, adapted, StandardCharsets.ISO_8859_1);
        bigResponseBundle(home.resolve("deploy"), "/big");

        Path output = work.resolve("server.log");
        Process server = new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        FrontedDistribution distribution = new FrontedDistribution(home, tcpPort, output, server);
        try {
            for (String[] app : new String[][] {{"/hello", "200 OK Hello, world!"}, {"/echo/", "200 OK method: GET"},
                    {"/slow?ms=0", "200 OK slept 0 ms"}, {"/big?bytes=3", "200 OK abc"}, {"/json/hello", "200 OK {"}}) {
                Waits.await(Duration.ofSeconds(30), app[0] + " to answer over the unix socket (log: " + output + ")",
                        () -> DistributionIT.answerFrom(home, app[0]).startsWith(app[1]));
            }
            Object group = Files.getAttribute(home.resolve("run/fastpool.sock"), "posix:group");
            if (webServerGroup && !group.toString().equals("www-data")) {
                throw new IllegalStateException("run/fastpool.sock has the group " + group + ", not www-data");
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

    /** The port of the TCP listener (9000 in the shipped configuration). */
    int tcpPort() {
        return tcpPort;
    }

    /** The TCP listener, as the status JSON names it. */
    String tcpListener() {
        return "tcp:127.0.0.1:" + tcpPort;
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
        return statusFrom(answer("/fastpool-status?json"));
    }

    private static Map<String, Object> statusFrom(String answer) throws IOException {
        if (!answer.startsWith("200 OK ")) {
            throw new IOException("the status page answered " + answer);
        }
        return JSON.std.mapFrom(answer.substring("200 OK ".length()));
    }

    /**
     * The figures (accepted, open, active, idle, ...) of the listener {@code listen}
     * ({@link #UNIX_LISTENER} or {@link #tcpListener()}) from the status JSON, read over the other
     * listener, so that the reading is not among them.
     */
    Map<String, Object> listener(String listen) throws IOException {
        return listenerIn(listen.equals(UNIX_LISTENER) ? status()
                : statusFrom(DistributionIT.answerFrom(home, "/fastpool-status?json")), listen);
    }

    /** The figures of the listener {@code listen} in the status JSON {@code status}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> listenerIn(Map<String, Object> status, String listen) throws IOException {
        for (Object listener : (List<Object>) status.get("listeners")) {
            Map<String, Object> figures = (Map<String, Object>) listener;
            if (listen.equals(figures.get("listen"))) {
                return figures;
            }
        }
        throw new IOException("no " + listen + " listener in the status JSON: " + status.get("listeners"));
    }

    /** The figures of the unix socket's listener, read over the TCP listener. */
    Map<String, Object> unixListener() throws IOException {
        return listener(UNIX_LISTENER);
    }

    /** How many connections the listener {@code listen} has accepted since the server started. */
    long accepted(String listen) throws IOException {
        return ((Number) listener(listen).get("accepted")).longValue();
    }

    /** How many connections the unix socket has accepted since the server started. */
    long acceptedOnUnixSocket() throws IOException {
        return accepted(UNIX_LISTENER);
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

    /**
     * The shipped {@code conf/FILE} of a front, for the front's support class: FASTPOOL_HOME made this
     * copy's folder, and its address 127.0.0.1:8080 made 127.0.0.1:{@code port}, where {@code port}
     * is {@code PORT} or {@code ALTPORT}, a free port the support class puts in.
     */
    String shippedFront(String file, String port) throws IOException {
        Path path = home.resolve("conf").resolve(file);
        return replaceRequired(Files.readString(path, StandardCharsets.UTF_8), "127.0.0.1:8080", "127.0.0.1:" + port, path)
                .replace("FASTPOOL_HOME", home.toString());
    }

    /** {@code text} with {@code from} made {@code to}; a {@code file} without {@code from} fails the test. */
    static String replaceRequired(String text, String from, String to, Path file) {
        if (!text.contains(from)) {
            throw new IllegalStateException(file + " no longer has '" + from + "': adapt this test");
        }
        return text.replace(from, to);
    }

    /**
     * The pid of the server's JVM: bin/fastpool runs the supervisor, whose child the server is (run/fastpool.pid
     * holds the supervisor's pid).
     */
    long serverPid() {
        return server.children().findFirst().orElseThrow(() -> new IllegalStateException("no server runs under "
                + server.pid() + " (log: " + output + ")")).pid();
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
            List<ProcessHandle> servers = server.descendants().toList();
            server.destroy(); // SIGTERM, as systemd does
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                servers.forEach(ProcessHandle::destroyForcibly); // the supervisor's servers, if it could not stop them
            }
        }
    }

    /** The {@link BigResponse} app bundle, mounted at {@code path}, written into {@code directory}. */
    private static Path bigResponseBundle(Path directory, String path) throws IOException {
        String component = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="big">
                  <implementation class="io.fastpool.itest.apps.BigResponse"/>
                  <service><provide interface="io.fastpool.api.WebApp"/></service>
                  <property name="fastpool.mount.path" value="%s"/>
                </scr:component>
                """.formatted(path);
        return TestBundles.buildComponent(directory, BigResponse.SYMBOLIC_NAME, "1.0.0",
                "io.fastpool.api;version=\"[1,2)\"", null, component, BigResponse.class);
    }
}
