package io.fastpool.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bin/fastpool exec 'fastpool:pools'}: runs one shell command line in the running server,
 * over its owner-only unix socket {@code run/shell.sock}, and prints what it printed. Exit codes:
 * 0 when the command succeeded, 1 when it failed (its message on standard error), 2 for bad
 * arguments, 3 when no server answers.
 */
public final class ExecCommand {

    static final String USAGE = """
            usage: bin/fastpool exec [-s SOCKET] 'COMMAND [ARGUMENTS]'
              runs a Felix shell command in the running server, such as 'fastpool:pools' or 'fastpool:pool hello'
              -s SOCKET   the shell socket (default: run/shell.sock in the server's folder)
              Several arguments are joined with spaces into one command line.
            """;

    private ExecCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, Path.of(System.getProperty("fastpool.home", ".")), System.out, System.err));
    }

    /**
     * {@code deploy my.jar} means the file here, where the operator typed it, not in the server's
     * folder: a relative path to a file that exists here is made absolute.
     */
    static String absoluteDeployPath(String line) {
        String[] words = line.split("\\s+");
        if (words.length == 2 && (words[0].equals("deploy") || words[0].equals("fastpool:deploy"))
                && !words[1].contains(":") && !Path.of(words[1]).isAbsolute() && Files.isRegularFile(Path.of(words[1]))) {
            return words[0] + " " + Path.of(words[1]).toAbsolutePath().normalize();
        }
        return line;
    }

    static int run(String[] args, Path home, PrintStream out, PrintStream err) {
        Path socket = home.resolve("run/shell.sock");
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (line.length() == 0 && (arg.equals("-h") || arg.equals("--help"))) {
                out.print(USAGE);
                return 0;
            }
            if (line.length() == 0 && (arg.equals("-s") || arg.equals("--socket"))) {
                if (i + 1 == args.length) {
                    err.print("fastpool exec: " + arg + " needs a socket path\n" + USAGE);
                    return 2;
                }
                socket = home.resolve(args[++i]);
                continue;
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(arg);
        }
        String command = absoluteDeployPath(line.toString().strip());
        line.setLength(0);
        line.append(command);
        if (line.toString().isBlank()) {
            err.print("fastpool exec: no command given\n" + USAGE);
            return 2;
        }
        if (line.indexOf("\n") >= 0) {
            err.println("fastpool exec: one command line only (no newlines); join commands with ';'");
            return 2;
        }
        if (!Files.exists(socket)) {
            err.println("fastpool exec: no shell socket at " + socket + ": is the server running? (start it with bin/fastpool)");
            return 3;
        }
        String answer;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            channel.shutdownOutput();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                received.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            answer = received.toString(StandardCharsets.UTF_8);
        } catch (AccessDeniedException e) {
            err.println("fastpool exec: permission denied on " + socket + ": run it as the user the server runs as");
            return 3;
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            err.println("fastpool exec: cannot reach the server on " + socket + " (" + reason + "): is it running?");
            return 3;
        }
        int newline = answer.indexOf('\n');
        String status = newline < 0 ? answer : answer.substring(0, newline);
        String text = newline < 0 ? "" : answer.substring(newline + 1);
        switch (status) {
            case "ok" -> {
                out.print(text);
                out.flush();
                return 0;
            }
            case "error" -> {
                err.print("fastpool exec: " + text);
                err.flush();
                return 1;
            }
            default -> {
                err.println("fastpool exec: the server's answer is not understood: " + (answer.length() > 200
                        ? answer.substring(0, 200) + "..." : answer));
                return 3;
            }
        }
    }
}
