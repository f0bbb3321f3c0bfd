package io.fastpool.itest;

import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built distribution copied into a temporary folder and started with bin/fastpool, which runs
 * the supervisor: for the tests of the supervisor and of whole-server restarts. The copy listens on
 * its unix socket only (no TCP port to clash with another test); nginx in front reaches it there.
 */
final class SupervisedDistribution implements AutoCloseable {

    private final Path home;
    private final Path output;
    private final Process supervisor;

    private SupervisedDistribution(Path home, Path output, Process supervisor) {
        this.home = home;
        this.output = output;
        this.supervisor = supervisor;
    }

    /** Copies the distribution into {@code work}/fastpool, listening on its unix socket only. */
    static Path copy(Path work) throws IOException {
        Path built = Path.of(System.getProperty("distribution.dir"));
        if (!Files.isExecutable(built.resolve("bin/fastpool"))) {
            throw new IllegalStateException(built + " has no bin/fastpool: build the distribution module first");
        }
        Path home = work.resolve("fastpool");
        DistributionIT.copyTree(built, home);
        Path transport = home.resolve("conf/io.fastpool.transport.cfg");
        Files.writeString(transport, FrontedDistribution.replaceRequired(Files.readString(transport, StandardCharsets.ISO_8859_1),
                "listen = unix:run/fastpool.sock, tcp:127.0.0.1:9000", "listen = unix:run/fastpool.sock", transport),
                StandardCharsets.ISO_8859_1);
        return home;
    }

    /** Copies the distribution into {@code work} and starts bin/fastpool with {@code environment} added; returns at once. */
    static SupervisedDistribution start(Path work, Map<String, String> environment) throws IOException {
        Path home = copy(work);
        Path output = work.resolve("server.log");
        ProcessBuilder command = new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        command.environment().putAll(environment);
        return new SupervisedDistribution(home, output, command.start());
    }

    /** Copies the distribution into {@code work}, starts it and returns once /hello answers over the unix socket. */
    static SupervisedDistribution startServing(Path work) throws IOException {
        SupervisedDistribution distribution = start(work, Map.of());
        try {
            distribution.awaitServing();
            return distribution;
        } catch (RuntimeException | Error e) {
            distribution.close();
            throw e;
        }
    }

    void awaitServing() {
        Waits.await(Duration.ofSeconds(30), "/hello to answer over the unix socket (log: " + output + ")",
                () -> DistributionIT.answerFrom(home, "/hello").startsWith("200 OK Hello, world!"));
    }

    Path home() {
        return home;
    }

    Process supervisor() {
        return supervisor;
    }

    /** The servers the supervisor runs now (one, or two during a restart). */
    List<ProcessHandle> servers() {
        return supervisor.children().toList();
    }

    /** The one server the supervisor runs; fails if there is not exactly one. */
    ProcessHandle server() {
        List<ProcessHandle> servers = servers();
        if (servers.size() != 1) {
            throw new IllegalStateException("the supervisor runs " + servers.size() + " servers, not one");
        }
        return servers.get(0);
    }

    /** What bin/fastpool (the supervisor and the servers) printed so far. */
    String output() {
        return read(output);
    }

    /** The supervisor's log/supervisor.log so far. */
    String supervisorLog() {
        return read(home.resolve("log/supervisor.log"));
    }

    /** Runs bin/fastpool with {@code arguments}; returns its exit code, a space, and what it printed. */
    String command(String... arguments) throws IOException, InterruptedException {
        List<String> line = new java.util.ArrayList<>(List.of(home.resolve("bin/fastpool").toString()));
        line.addAll(List.of(arguments));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(150, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/fastpool " + String.join(" ", arguments) + " did not end: " + printed);
        }
        return process.exitValue() + " " + printed;
    }

    /** nginx in {@code prefix}, passing every request to this distribution's unix socket over kept connections. */
    Nginx nginx(Path prefix) throws IOException, InterruptedException {
        return Nginx.start(prefix, """
                upstream fastpool {
                    server unix:%s;
                    keepalive 8;
                    keepalive_requests 1000000;
                }
                server {
                    listen 127.0.0.1:PORT;
                    location / {
                        include /etc/nginx/fastcgi_params;
                        fastcgi_pass fastpool;
                        fastcgi_keep_conn on;
                    }
                }
                """.formatted(home.resolve("run/fastpool.sock")));
    }

    /** The resident memory of {@code process} in KiB, from /proc. */
    static long residentKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("/proc/" + pid + "/status has no VmRSS");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM to the supervisor, as systemd does; whatever is still running 30 s later is killed. */
    @Override
    public void close() {
        List<ProcessHandle> servers = supervisor.descendants().toList();
        supervisor.destroy();
        try {
            if (!supervisor.waitFor(30, TimeUnit.SECONDS)) {
                supervisor.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        servers.forEach(ProcessHandle::destroyForcibly);
    }
}
