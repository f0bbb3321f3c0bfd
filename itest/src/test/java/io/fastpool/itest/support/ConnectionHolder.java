package io.fastpool.itest.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Holds many client connections in a separate process (hold-connections.py), so a test can open
 * more sockets than the test JVM's own file limit allows next to the server's.
 */
public final class ConnectionHolder implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    public final int opened;
    public final int refused;

    private ConnectionHolder(Process process, BufferedReader out, int opened, int refused) {
        this.process = process;
        this.out = out;
        this.opened = opened;
        this.refused = refused;
    }

    /** Opens {@code count} connections to {@code socket}, sends {@code bytes} on each, and holds them. */
    public static ConnectionHolder open(Path socket, int count, byte[] bytes, boolean expectEnd, Path work) throws IOException {
        Path script = work.resolve("hold-connections.py");
        try (InputStream in = ConnectionHolder.class.getResourceAsStream("/hold-connections.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path data = Files.createTempFile(work, "request", ".bin");
        Files.write(data, bytes);
        ProcessBuilder builder = new ProcessBuilder("python3", script.toString(), socket.toString(), Integer.toString(count),
                data.toString());
        if (expectEnd) {
            builder.command().add("--expect-end");
        }
        Process process = builder.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("opened ")) {
            process.destroyForcibly();
            throw new IOException("connection holder failed: " + line);
        }
        String[] words = line.split(" ");
        return new ConnectionHolder(process, out, Integer.parseInt(words[1]), Integer.parseInt(words[3]));
    }

    /** Closes every held connection; returns how many the server had closed before that. */
    public int release() throws IOException, InterruptedException {
        process.getOutputStream().close();
        String line = out.readLine();
        process.waitFor(30, TimeUnit.SECONDS);
        if (line == null || !line.startsWith("closed-by-server ")) {
            throw new IOException("connection holder ended without a count: " + line);
        }
        return Integer.parseInt(line.substring("closed-by-server ".length()));
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
