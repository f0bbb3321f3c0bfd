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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Caddy for tests, in the foreground ({@code caddy run}) with everything it writes in its own
 * folder: HOME and the XDG data and config folders point there, the admin endpoint is off, and its
 * Caddyfile holds only those global options and an {@code import} of the site configuration under
 * test, as an operator imports conf/Caddyfile-fastpool into Caddy's own Caddyfile. Its log (JSON
 * lines on standard error) goes to {@link #logPath()}. {@code .ci/run} installs caddy; without it
 * these tests fail with a message saying so rather than being skipped.
 */
public final class Caddy implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private Caddy(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts Caddy with the site configuration {@code site} (which serves http://127.0.0.1:{@code port})
     * in {@code directory}; returns once the port accepts connections.
     */
    public static Caddy start(Path directory, String site, int port) throws IOException, InterruptedException {
        Path binary = ExternalTool.require("caddy", "/usr/bin/caddy", "/usr/local/bin/caddy").binary();
        Files.createDirectories(directory);
        Path imported = directory.resolve("site.Caddyfile");
        Files.writeString(imported, site, StandardCharsets.UTF_8);
        Path caddyfile = directory.resolve("Caddyfile");
        Files.writeString(caddyfile, """
                # The test's global options: no admin endpoint (nothing listens but the site).
                {
                \tadmin off
                }

                import %s
                """.formatted(imported.toAbsolutePath()), StandardCharsets.UTF_8);
        Path log = directory.resolve("caddy.log");
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "run", "--config", caddyfile.toString(), "--adapter", "caddyfile")
                .directory(directory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("HOME", directory.resolve("home").toString());
        environment.put("XDG_DATA_HOME", directory.resolve("data").toString());
        environment.put("XDG_CONFIG_HOME", directory.resolve("config").toString());
        Process process = builder.start();
        Caddy caddy = new Caddy(process, port, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return caddy;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    caddy.close();
                    throw new IllegalStateException("caddy did not start on port " + port + ":\n" + caddy.log());
                }
                Thread.sleep(50);
            }
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Where Caddy's log (its standard output and error) is written. */
    public Path logPath() {
        return log;
    }

    /** Caddy's log so far. */
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
     * The lines of the log written after {@code mark} that tell of trouble: level error or worse, and
     * any line that is not one of Caddy's JSON log lines.
     */
    public List<String> errorLinesSince(long mark) {
        List<String> errors = new ArrayList<>();
        for (String line : logSince(mark).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (!line.startsWith("{") || line.contains("\"level\":\"error\"") || line.contains("\"level\":\"fatal\"")
                    || line.contains("\"level\":\"panic\"")) {
                errors.add(line);
            }
        }
        return errors;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
