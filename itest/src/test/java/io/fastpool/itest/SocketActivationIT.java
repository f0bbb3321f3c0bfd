package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import io.fastpool.itest.support.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * systemd's socket activation with the built distribution as a process: a few lines of Perl play
 * systemd (bind the unix socket and a TCP port, put them at fds 3 and 4, set LISTEN_FDS, LISTEN_PID
 * and LISTEN_FDNAMES, exec bin/fastpool), once for the server alone and once for the supervisor.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SocketActivationIT {

    /** systemd's part: the sockets at fds 3.., LISTEN_PID the pid that then becomes bin/fastpool's. */
    private static final String SYSTEMD = """
            use strict; use Socket; use POSIX qw(dup2);
            my ($home, $port) = @ARGV;
            my $path = "$home/run/fastpool.sock";
            unlink $path;
            socket(my $unix, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
            bind($unix, pack_sockaddr_un($path)) or die "bind $path: $!";
            listen($unix, 128) or die "listen: $!";
            socket(my $tcp, AF_INET, SOCK_STREAM, 0) or die "socket: $!";
            setsockopt($tcp, SOL_SOCKET, SO_REUSEADDR, 1);
            bind($tcp, pack_sockaddr_in($port, inet_aton('127.0.0.1'))) or die "bind $port: $!";
            listen($tcp, 128) or die "listen: $!";
            my @fds = (fileno($unix), fileno($tcp));
            dup2($fds[$_], 64 + $_) // die "dup2: $!" for 0 .. 1;
            for (0 .. 1) { dup2(64 + $_, 3 + $_) // die "dup2: $!"; POSIX::close(64 + $_) }
            @ENV{qw(LISTEN_FDS LISTEN_PID LISTEN_FDNAMES)} = (2, $$, 'fastpool.sock:fastpool-tcp');
            exec "$home/bin/fastpool" or die "exec: $!";
            """;

    private Path work;
    private Path home;
    private int port;

    @BeforeEach
    void copyDistribution() throws Exception {
        work = Files.createTempDirectory(Path.of("target"), "act").toAbsolutePath();
        home = SupervisedDistribution.copy(work);
        port = WebServerProcess.freePort();
        Path transport = home.resolve("conf/io.fastpool.transport.cfg");
        Files.writeString(transport, Files.readString(transport, StandardCharsets.ISO_8859_1)
                .replace("listen = unix:run/fastpool.sock", "listen = unix:run/fastpool.sock, tcp:127.0.0.1:" + port),
                StandardCharsets.ISO_8859_1);
    }

    @Test
    void theServerServesTheSocketsSystemdPassesAndLeavesTheUnixSocketFile() throws Exception {
        Process server = activate(Map.of("FASTPOOL_SUPERVISED", "1"));
        try {
            awaitAnswersOnBothSockets(server);
            assertThat(server.children().count()).as("no supervisor: bin/fastpool became the server").isZero();

            server.destroy(); // SIGTERM, as systemctl stop does
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(home.resolve("run/fastpool.sock")).as("the inherited socket's file").exists();
            assertThat(log()).contains("fastpool: ready (pid " + server.pid());
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void theSupervisorHandsTheSocketsSystemdPassesToItsServer() throws Exception {
        Process supervisor = activate(Map.of());
        try {
            awaitAnswersOnBothSockets(supervisor);
            assertThat(Files.readString(home.resolve("log/supervisor.log")))
                    .contains("supervisor " + supervisor.pid() + ": serving the sockets from systemd: fd 3, fd 4");

            supervisor.destroy();
            assertThat(supervisor.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(home.resolve("run/fastpool.sock")).as("the inherited socket's file").exists();
            assertThat(home.resolve("run/fastpool.pid")).doesNotExist();
        } finally {
            supervisor.descendants().forEach(ProcessHandle::destroyForcibly);
            supervisor.destroyForcibly();
        }
    }

    /** Starts bin/fastpool as systemd would, with {@code environment} added. */
    private Process activate(Map<String, String> environment) throws IOException {
        ProcessBuilder command = new ProcessBuilder("perl", "-e", SYSTEMD, home.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(work.resolve("server.log").toFile());
        command.environment().putAll(environment);
        return command.start();
    }

    private void awaitAnswersOnBothSockets(Process process) {
        Waits.await(Duration.ofSeconds(30), "/hello over the inherited unix socket (log: " + work.resolve("server.log") + ")",
                () -> process.isAlive() && DistributionIT.answerFrom(home, "/hello").startsWith("200 OK Hello, world!"));
        try (RawFcgiClient client = RawFcgiClient.tcp(port)) {
            assertThat(client.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
        } catch (IOException e) {
            throw new AssertionError("the inherited TCP socket did not answer", e);
        }
    }

    private String log() throws IOException {
        return Files.readString(work.resolve("server.log"));
    }
}
