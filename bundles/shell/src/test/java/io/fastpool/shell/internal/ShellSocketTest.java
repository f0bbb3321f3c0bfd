package io.fastpool.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unix socket {@code bin/fastpool exec} sends command lines to. */
class ShellSocketTest {

    @TempDir
    Path run;
    private final List<String> executed = Collections.synchronizedList(new ArrayList<>());

    /** A Gogo stand-in: "fastpool:pools" returns a table, "echo X" prints X, anything else fails. */
    private CommandProcessor gogo() {
        return (CommandProcessor) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CommandProcessor.class},
                (proxy, method, args) -> {
                    PrintStream out = new PrintStream((OutputStream) args[1], true, StandardCharsets.UTF_8);
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CommandSession.class},
                            (session, call, callArgs) -> switch (call.getName()) {
                                case "execute" -> {
                                    String line = callArgs[0].toString();
                                    executed.add(line);
                                    if (line.equals("fastpool:pools")) {
                                        yield "POOL  STATE\nhello RUNNING\n";
                                    }
                                    if (line.startsWith("echo ")) {
                                        out.println(line.substring(5));
                                        yield null;
                                    }
                                    throw new IllegalArgumentException("Command not found: " + line);
                                }
                                case "format" -> callArgs[0].toString();
                                default -> null;
                            });
                });
    }

    private static String send(Path socket, String line) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            return new String(java.nio.channels.Channels.newInputStream(client).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aCommandLineIsRunAndItsResultOrPrintedOutputComesBackAfterOk() throws Exception {
        Path socket = run.resolve("shell.sock");
        ShellSocket shell = new ShellSocket(gogo(), socket);
        try {
            assertThat(send(socket, "fastpool:pools")).isEqualTo("ok\nPOOL  STATE\nhello RUNNING\n");
            assertThat(send(socket, "echo hi there")).isEqualTo("ok\nhi there\n");
            assertThat(executed).containsExactly("fastpool:pools", "echo hi there");
        } finally {
            shell.close();
        }
    }

    @Test
    void aFailingCommandAnswersErrorWithItsMessage() throws Exception {
        Path socket = run.resolve("shell.sock");
        ShellSocket shell = new ShellSocket(gogo(), socket);
        try {
            assertThat(send(socket, "fastpool:nope")).isEqualTo("error\nCommand not found: fastpool:nope\n");
            assertThat(send(socket, "")).isEqualTo("error\nno command sent\n");
        } finally {
            shell.close();
        }
    }

    @Test
    void theSocketFileIsOwnerOnlyAndRemovedOnClose() throws Exception {
        Path socket = run.resolve("shell.sock");
        ShellSocket shell = new ShellSocket(gogo(), socket);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        try (var left = Files.list(run)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no private bind folder is left").containsExactly("shell.sock");
        }
        shell.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void underTheSupervisorTheNextServerTakesTheSocketOverAndTheLastOneLeavesItThere() throws Exception {
        Path socket = run.resolve("shell.sock");
        ShellSocket last = new ShellSocket(gogo(), socket, true);
        ShellSocket next = new ShellSocket(gogo(), socket, true);
        try {
            last.close();
            assertThat(socket).exists();
            assertThat(send(socket, "fastpool:pools")).startsWith("ok\n");
        } finally {
            next.close();
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void aStaleSocketFileIsReplacedButALiveOneIsLeftAlone() throws Exception {
        Path socket = run.resolve("shell.sock");
        ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        crashed.bind(UnixDomainSocketAddress.of(socket));
        ShellSocket blocked = null;
        try {
            assertThatThrownBy(() -> new ShellSocket(gogo(), socket)).hasMessageContaining("another server answers on " + socket);
        } finally {
            crashed.close();
        }
        assertThat(socket).as("closing a channel leaves its file: a crashed server's socket").exists();
        blocked = new ShellSocket(gogo(), socket);
        try {
            assertThat(send(socket, "fastpool:pools")).startsWith("ok\n");
        } finally {
            blocked.close();
        }
    }

    @Test
    void aSocketPathOfTheLongestLengthAUnixSocketTakesStillBinds() throws Exception {
        String base = run.toAbsolutePath() + "/";
        int padding = ShellSocket.MAX_SOCKET_PATH_BYTES - base.length() - "/shell.sock".length();
        assertThat(padding).as("the temporary folder leaves room for the test").isPositive();
        Path socket = Path.of(base + "d".repeat(padding), "shell.sock");
        assertThat(socket.toString()).hasSize(ShellSocket.MAX_SOCKET_PATH_BYTES);
        ShellSocket shell = new ShellSocket(gogo(), socket);
        try {
            assertThat(send(socket, "fastpool:pools")).startsWith("ok\n");
        } finally {
            shell.close();
        }
        Path tooLong = Path.of(base + "d".repeat(padding + 1), "shell.sock");
        assertThatThrownBy(() -> new ShellSocket(gogo(), tooLong))
                .hasMessageContaining("longer than a unix socket address can be (106)");
    }
}
