package io.fastpool.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecCommandTest {

    @TempDir
    Path home;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ExecCommand.run(args, home, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void withoutACommandItPrintsUsageAndExits2() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("fastpool exec: no command given\nusage: bin/fastpool exec");
        assertThat(run("-s")).isEqualTo(2);
    }

    @Test
    void withNoServerRunningItSaysSoAndExits3() {
        assertThat(run("fastpool:pools")).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("fastpool exec: no shell socket at " + home.resolve("run/shell.sock")
                + ": is the server running? (start it with bin/fastpool)\n");
    }

    @Test
    void theArgumentsAreSentAsOneLineAndOkOrErrorSetsTheExitCode() throws Exception {
        Files.createDirectories(home.resolve("run"));
        Path socket = home.resolve("run/shell.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread fake = new Thread(() -> {
                for (String reply : new String[] {"ok\nPOOL\nhello\n", "error\nno pool named nope\n"}) {
                    try (SocketChannel client = server.accept()) {
                        ByteBuffer line = ByteBuffer.allocate(256);
                        while (client.read(line) >= 0) {
                            // until the client shuts its side
                        }
                        String received = new String(line.array(), 0, line.position(), StandardCharsets.UTF_8);
                        client.write(ByteBuffer.wrap((received.equals(received.strip() + "\n") ? reply : "error\nbad line\n")
                                .getBytes(StandardCharsets.UTF_8)));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            fake.start();
            assertThat(run("fastpool:pool", "hello")).isEqualTo(0);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("POOL\nhello\n");
            assertThat(run("fastpool:pool nope")).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("fastpool exec: no pool named nope\n");
            fake.join(5_000);
        }
    }

    @Test
    void aRelativeJarToDeployMeansTheFileWhereTheCommandRuns() throws Exception {
        Path jar = Files.createTempFile(Path.of("target"), "deploy", ".jar");
        try {
            Path relative = Path.of("").toAbsolutePath().relativize(jar.toAbsolutePath());
            assertThat(ExecCommand.absoluteDeployPath("fastpool:deploy " + relative)).isEqualTo("fastpool:deploy " + jar.toAbsolutePath().normalize());
            assertThat(ExecCommand.absoluteDeployPath("deploy nothing-here.jar")).isEqualTo("deploy nothing-here.jar");
            assertThat(ExecCommand.absoluteDeployPath("fastpool:deploy file:x.jar")).isEqualTo("fastpool:deploy file:x.jar");
            assertThat(ExecCommand.absoluteDeployPath("fastpool:pools")).isEqualTo("fastpool:pools");
        } finally {
            Files.delete(jar);
        }
    }
}
