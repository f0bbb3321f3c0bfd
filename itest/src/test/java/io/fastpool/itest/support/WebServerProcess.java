package io.fastpool.itest.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real web server for tests, run in the foreground from a configuration in its own prefix folder,
 * listening on free loopback ports: {@code PORT} and {@code ALTPORT} in the configuration a test gives
 * stand for them ({@link #withPorts}). A subclass holds what is its own: the configuration around the
 * test's, the binary and its arguments, the line it logs once started, and what its error lines look
 * like. Its standard output and error go to a file in the prefix, its log is read through
 * {@link #log()}, {@link #mark()} and {@link #errorLinesSince}, and {@link #close()} stops it
 * (SIGTERM, then a kill, children included). A missing server fails the test with the package to
 * install ({@code .ci/run} installs them all) rather than skipping it.
 */
public abstract class WebServerProcess implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final Duration STOP = Duration.ofSeconds(15);

    private final String name;
    private final Path prefix;
    private final int port;
    private final int altPort;
    private final Path output;
    private final Path log;
    private Process process;

    /**
     * A server called {@code name} (for messages) in {@code prefix}, which it creates, writing its
     * standard output and error to {@code output} and its log to {@code log} (both relative to the
     * prefix, and the same file for a server that logs on standard error).
     */
    protected WebServerProcess(String name, Path prefix, String output, String log) throws IOException {
        this.name = name;
        this.prefix = prefix.toAbsolutePath();
        this.port = freePort();
        this.altPort = freePort();
        this.output = this.prefix.resolve(output);
        this.log = this.prefix.resolve(log);
        Files.createDirectories(this.prefix);
    }

    /** A free TCP port on the loopback interface (free now: the caller binds it soon after). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * The line the server logs once it is configured and serving (its children forked, its user
     * switched), or null where accepting connections on {@code PORT} is enough.
     */
    protected String startedLine() {
        return null;
    }

    /** Whether a line of the log (not blank) tells of trouble. */
    protected abstract boolean isErrorLine(String line);

    /** {@code text} with {@code ALTPORT} and {@code PORT} made this server's two ports. */
    protected final String withPorts(String text) {
        return text.replace("ALTPORT", Integer.toString(altPort)).replace("PORT", Integer.toString(port));
    }

    /** Writes {@code text} to {@code file} in the prefix and returns its absolute path. */
    protected final Path write(String file, String text) throws IOException {
        Path path = prefix.resolve(file);
        Files.writeString(path, text, StandardCharsets.UTF_8);
        return path;
    }

    /**
     * Starts {@code command} (its output redirected to the output file) and returns once the server
     * has logged its {@link #startedLine()} and accepts connections on {@code PORT}. A server that
     * exits or is not ready within 15 s is stopped, and the start fails with what it printed and logged.
     */
    protected final void launch(ProcessBuilder command) throws IOException, InterruptedException {
        process = command.redirectErrorStream(true).redirectOutput(output.toFile()).start();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!(started() && accepts(port))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String how = process.isAlive() ? "did not start within " + STARTUP.toSeconds() + " s" : "exited";
                close();
                String printed = readIfExists(output) + (log.equals(output) ? "" : readIfExists(log));
                throw new IllegalStateException(name + " " + how + " (port " + port + ", " + command.command() + "):\n" + printed);
            }
            Thread.sleep(50);
        }
    }

    private boolean started() {
        return startedLine() == null || log().contains(startedLine());
    }

    private static boolean accepts(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** {@code path} on the second port ({@code ALTPORT} in the configuration, where it opens one). */
    public String altUrl(String path) {
        return "http://127.0.0.1:" + altPort + path;
    }

    /** The prefix folder, where the configuration, the logs and whatever else the server writes are. */
    public Path prefix() {
        return prefix;
    }

    /** Where the server's log is written. */
    public Path logPath() {
        return log;
    }

    /** The log so far. */
    public String log() {
        return logSince(0);
    }

    /** The log's length so far, for {@link #logSince} and {@link #errorLinesSince}. */
    public long mark() {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The log written after {@code mark} (a {@link #mark()}). */
    public String logSince(long mark) {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            byte[] bytes = Files.readAllBytes(log);
            int from = (int) Math.min(mark, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The lines of the log written after {@code mark} that tell of trouble ({@link #isErrorLine}). */
    public List<String> errorLinesSince(long mark) {
        List<String> errors = new ArrayList<>();
        for (String line : logSince(mark).split("\n")) {
            if (!line.isBlank() && isErrorLine(line)) {
                errors.add(line);
            }
        }
        return errors;
    }

    /**
     * Stops the server: SIGTERM (a parent stops its children, then exits), a kill after 15 s, and
     * then any child a killed parent left behind, one by one by its pid.
     */
    @Override
    public void close() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    private static String readIfExists(Path path) {
        try {
            return Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(" + path + ": " + e + ")";
        }
    }
}
