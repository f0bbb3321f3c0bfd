package io.fastpool.itest.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HAProxy for tests, in the foreground ({@code haproxy -db}) as the current user, with a
 * configuration in its own folder: a global and defaults section of the test's (logging to
 * standard error, which goes to {@link #logPath()}; no chroot, user switch or daemon), then the
 * configuration under test as a second {@code -f} file, as an operator adds conf/haproxy-fastpool.conf
 * to HAProxy's own. {@code .ci/run} installs haproxy; without it these tests fail with a message
 * saying so rather than being skipped.
 */
public final class Haproxy implements AutoCloseable {

    /**
     * An httplog line: client, [date], frontend, backend/server, timers, status, bytes, cookies,
     * termination state ("----" when all went well), connection counts, queues, "request".
     */
    private static final Pattern HTTPLOG = Pattern.compile(
            "^\\S+ \\[[^]]+\\] \\S+ \\S+ \\S+ (-?\\d+) \\S+ \\S+ \\S+ (\\S{4}) \\S+ \\S+ \"(.*)\"$");

    private final Process process;
    private final int port;
    private final Path log;

    private Haproxy(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts HAProxy with {@code configuration} (which binds 127.0.0.1:{@code port}) in
     * {@code directory}; returns once the port accepts connections.
     */
    public static Haproxy start(Path directory, String configuration, int port) throws IOException, InterruptedException {
        Path binary = ExternalTool.require("haproxy", "/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy").binary();
        Files.createDirectories(directory);
        Path global = directory.resolve("test-global.cfg");
        Files.writeString(global, """
                # The test's own global and defaults sections: the configuration under test comes after.
                global
                    log stderr format raw local0 info
                defaults
                    log global
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                """, StandardCharsets.UTF_8);
        Path tested = directory.resolve("tested.cfg");
        Files.writeString(tested, configuration, StandardCharsets.UTF_8);
        Path log = directory.resolve("haproxy.log");
        Process process = new ProcessBuilder(binary.toString(), "-db", "-f", global.toString(), "-f", tested.toString())
                .directory(directory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Haproxy haproxy = new Haproxy(process, port, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return haproxy;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    haproxy.close();
                    throw new IllegalStateException("haproxy did not start on port " + port + ":\n" + haproxy.log());
                }
                Thread.sleep(50);
            }
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Where HAProxy's log (its standard output and error) is written. */
    public Path logPath() {
        return log;
    }

    /** HAProxy's log so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The log written after {@code mark} (a {@link #mark()}). */
    public String logSince(long mark) {
        try {
            byte[] bytes = Files.readAllBytes(log);
            int from = (int) Math.min(mark, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The log's length so far, for {@link #errorLinesSince}. */
    public long mark() {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The lines of the log written after {@code mark} that tell of trouble: HAProxy's own alerts and
     * warnings, and request lines with a 5xx status or a termination state other than "----".
     */
    public List<String> errorLinesSince(long mark) {
        List<String> errors = new ArrayList<>();
        for (String line : logSince(mark).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher request = HTTPLOG.matcher(line);
            if (request.matches()) {
                int status = Integer.parseInt(request.group(1));
                if (status >= 500 || status < 0 || !request.group(2).equals("----")) {
                    errors.add(line);
                }
            } else if (line.contains("[ALERT]") || line.contains("[WARNING]") || line.toLowerCase(java.util.Locale.ROOT).contains("error")) {
                errors.add(line);
            }
        }
        return errors;
    }

    /** The request lines (status, termination state, request) logged after {@code mark}. */
    public List<String[]> requestsSince(long mark) {
        List<String[]> requests = new ArrayList<>();
        for (String line : logSince(mark).split("\n")) {
            Matcher request = HTTPLOG.matcher(line);
            if (request.matches()) {
                requests.add(new String[] {request.group(1), request.group(2), request.group(3)});
            }
        }
        return requests;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
