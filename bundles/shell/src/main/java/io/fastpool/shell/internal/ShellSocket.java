package io.fastpool.shell.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Runs shell command lines sent over a unix socket that only the server's user can open
 * ({@code run/shell.sock}, mode 0600): what {@code bin/fastpool exec 'fastpool:pools'} talks to.
 *
 * <p>The exchange: the client sends one command line in UTF-8 ending with a newline; the server
 * answers {@code ok} or {@code error} on a line, then the command's output or error message, and
 * closes. The socket exists only in the distribution (framework property {@code fastpool.home}, or
 * {@code fastpool.shell.socket} naming the file). Under the supervisor (framework property
 * {@value #SUPERVISED_PROPERTY}) the newest server takes the file over, and a server removes it at
 * its stop only if it is still its own.
 */
@Component(service = {}, immediate = true)
public final class ShellSocket {

    private static final System.Logger LOG = System.getLogger(ShellSocket.class.getName());
    /** The framework property the launcher sets when the supervisor runs the server ({@code FASTPOOL_SUPERVISED}). */
    static final String SUPERVISED_PROPERTY = "fastpool.supervised";
    /** Longest command line accepted. */
    static final int MAX_LINE_BYTES = 64 * 1024;
    /** Commands running at once; more connections wait, and past the queue are refused. */
    private static final int WORKERS = 2;
    private static final int QUEUED = 16;

    private final CommandProcessor processor;
    private final Path socketFile;
    private final Object socketFileKey;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final Thread acceptor;

    @Activate
    public ShellSocket(@Reference CommandProcessor processor, BundleContext context) throws IOException {
        this(processor, socketFileOf(context), Boolean.parseBoolean(context.getProperty(SUPERVISED_PROPERTY)));
    }

    ShellSocket(CommandProcessor processor, Path socketFile) throws IOException {
        this(processor, socketFile, false);
    }

    /**
     * @param takeOver replace the socket file even if another server answers on it: under the
     *     supervisor, a restart starts the next server while the last one drains, and the shell must
     *     reach the next one
     */
    ShellSocket(CommandProcessor processor, Path socketFile, boolean takeOver) throws IOException {
        this.processor = processor;
        this.socketFile = socketFile;
        if (socketFile == null) {
            LOG.log(Level.DEBUG, "no fastpool.home: the shell socket is not opened");
            server = null;
            workers = null;
            acceptor = null;
            socketFileKey = null;
            return;
        }
        server = bindOwnerOnly(socketFile, takeOver);
        socketFileKey = Files.readAttributes(socketFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        AtomicInteger count = new AtomicInteger();
        workers = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUED), r -> {
            Thread thread = new Thread(r, "fastpool-shell-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        ((ThreadPoolExecutor) workers).allowCoreThreadTimeOut(true);
        acceptor = new Thread(this::acceptLoop, "fastpool-shell-socket");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.log(Level.INFO, () -> "shell commands accepted on " + socketFile + " (owner only)");
    }

    @Deactivate
    void close() throws IOException, InterruptedException {
        if (server == null) {
            return;
        }
        server.close();
        acceptor.join(2_000);
        workers.shutdownNow();
        try {
            // Only our own file: the next server (a restart under the supervisor) may have put its own there.
            if (Objects.equals(socketFileKey,
                    Files.readAttributes(socketFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey())) {
                Files.deleteIfExists(socketFile);
            }
        } catch (NoSuchFileException e) {
            // gone already
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "shell socket accept failed: " + e.getMessage());
                continue;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                answer(client, false, "busy: too many shell commands at once; try again\n");
            }
        }
    }

    private void serve(SocketChannel client) {
        String line;
        try {
            line = readLine(client);
        } catch (IOException | IllegalArgumentException e) {
            answer(client, false, e.getMessage() + "\n");
            return;
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        boolean ok;
        String output;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
            try {
                Object result = session.execute(line);
                if (result != null) {
                    out.print(session.format(result, Converter.INSPECT));
                    if (!(result instanceof CharSequence text && text.toString().endsWith("\n"))) {
                        out.println();
                    }
                }
                ok = true;
                output = printed.toString(StandardCharsets.UTF_8);
            } catch (Exception e) {
                ok = false;
                String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
                output = printed.toString(StandardCharsets.UTF_8) + message + "\n";
            } finally {
                session.close();
            }
        }
        LOG.log(Level.INFO, () -> "shell command over " + socketFile.getFileName() + ": " + line);
        answer(client, ok, output);
    }

    /** Reads up to the first newline (the command line), at most {@link #MAX_LINE_BYTES}. */
    static String readLine(SocketChannel client) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (true) {
            buffer.clear();
            int read = client.read(buffer);
            if (read < 0) {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    return nonEmpty(line);
                }
                line.write(b);
            }
            if (line.size() > MAX_LINE_BYTES) {
                throw new IllegalArgumentException("command line longer than " + MAX_LINE_BYTES + " bytes");
            }
        }
        return nonEmpty(line);
    }

    private static String nonEmpty(ByteArrayOutputStream line) {
        String text = line.toString(StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("no command sent");
        }
        return text;
    }

    private static void answer(SocketChannel client, boolean ok, String text) {
        try (client) {
            ByteBuffer bytes = ByteBuffer.wrap(((ok ? "ok" : "error") + "\n" + text).getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                client.write(bytes);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "shell client went away: " + e.getMessage());
        }
    }

    /**
     * Binds in a private folder (mode 0700), makes the socket file 0600, then renames it into
     * place: there is never a moment when another user could connect. A socket file left by a
     * crashed server is replaced; one that answers belongs to a running server and is an error.
     */
    static ServerSocketChannel bindOwnerOnly(Path socketFile, boolean takeOver) throws IOException {
        Path folder = socketFile.toAbsolutePath().getParent();
        int length = socketFile.toAbsolutePath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH_BYTES) {
            throw new IOException("the shell socket path " + socketFile.toAbsolutePath() + " is " + length
                    + " bytes, longer than a unix socket address can be (" + MAX_SOCKET_PATH_BYTES
                    + "); move the server to a shorter folder or set fastpool.shell.socket");
        }
        Files.createDirectories(folder);
        if (Files.exists(socketFile)) {
            if (!answers(socketFile)) {
                Files.delete(socketFile);
            } else if (takeOver) {
                LOG.log(Level.INFO, () -> "taking " + socketFile + " over from the server that answers on it (a restart"
                        + " under the supervisor)");
            } else {
                throw new IOException("another server answers on " + socketFile + "; not opening the shell socket");
            }
        }
        Path privateFolder = privateFolder(folder);
        // Short names: the bound path must fit a unix socket address (106 bytes) wherever the server lives.
        Path bound = privateFolder.resolve("s");
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(bound));
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, socketFile, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        } finally {
            Files.deleteIfExists(bound);
            Files.deleteIfExists(privateFolder);
        }
        return channel;
    }

    /** Longest path the JDK binds or connects a unix socket to on Linux (sun_path is 108 bytes): 106. */
    static final int MAX_SOCKET_PATH_BYTES = 106;

    /** A new folder {@code .sN} in {@code folder} that only this user can enter. */
    private static Path privateFolder(Path folder) throws IOException {
        for (int n = 0; ; n++) {
            try {
                return Files.createDirectory(folder.resolve(".s" + n),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                if (n > 100) {
                    throw taken;
                }
            }
        }
    }

    private static boolean answers(Path socketFile) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socketFile))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path socketFileOf(BundleContext context) {
        String explicit = context.getProperty("fastpool.shell.socket");
        String home = context.getProperty("fastpool.home");
        if (explicit != null && !explicit.isBlank()) {
            return home == null ? Path.of(explicit) : Path.of(home).resolve(explicit);
        }
        return home == null ? null : Path.of(home, "run", "shell.sock");
    }
}
