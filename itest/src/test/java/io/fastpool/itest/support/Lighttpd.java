package io.fastpool.itest.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real lighttpd 1.4 for tests, in the foreground ({@code -D}) with its own configuration, error
 * log and upload folder in a prefix folder, on free loopback ports. It starts as root and runs as
 * www-data, as a packaged lighttpd does: it opens its error log after dropping to www-data, so the
 * log and upload folders are given to www-data, and the prefix's folders (and whatever the site
 * reaches, such as Fastpool's socket) must be searchable by www-data. {@code .ci/run} installs
 * lighttpd; without it these tests fail with a message saying so rather than being skipped.
 */
public final class Lighttpd implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/lighttpd");

    private final Process process;
    private final int port;
    private final int altPort;
    private final Path prefix;

    private Lighttpd(Process process, int port, int altPort, Path prefix) {
        this.process = process;
        this.port = port;
        this.altPort = altPort;
        this.prefix = prefix;
    }

    /**
     * Starts lighttpd in {@code prefix} with {@code site} included into a minimal main
     * configuration listening on 127.0.0.1:{@code PORT}. {@code PORT} and {@code ALTPORT} in
     * {@code site} stand for two free loopback ports (a {@code $SERVER["socket"]} block on
     * {@code ALTPORT} opens the second). Returns once lighttpd has started and accepts connections.
     */
    public static Lighttpd start(Path prefix, String site) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("lighttpd is not installed (no " + BINARY
                    + "): run 'apt-get install -y lighttpd' (.ci/run does this)");
        }
        int port = Nginx.freePort();
        int altPort = Nginx.freePort();
        Path root = prefix.toAbsolutePath();
        Files.createDirectories(root.resolve("logs"));
        Files.createDirectories(root.resolve("uploads"));
        Files.createDirectories(root.resolve("htdocs"));
        giveToWwwData(root.resolve("logs"));
        giveToWwwData(root.resolve("uploads"));
        Path siteFile = root.resolve("site.conf");
        Files.writeString(siteFile, site.replace("ALTPORT", Integer.toString(altPort)).replace("PORT", Integer.toString(port)),
                StandardCharsets.UTF_8);
        String config = """
                # A minimal main configuration for tests: everything lighttpd writes stays in this folder.
                server.bind = "127.0.0.1"
                server.port = %2$d
                server.document-root = "%1$s/htdocs"
                server.errorlog = "%1$s/logs/error.log"
                server.upload-dirs = ( "%1$s/uploads" )
                # lighttpd starts as root and drops to this user, as a packaged lighttpd does.
                server.username = "www-data"
                server.groupname = "www-data"
                include "%3$s"
                """.formatted(root, port, siteFile);
        Path conf = root.resolve("lighttpd.conf");
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        Path stdout = root.resolve("logs/stdout.log");
        Process process = new ProcessBuilder(BINARY.toString(), "-D", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
        Lighttpd lighttpd = new Lighttpd(process, port, altPort, root);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            // "(server.c.NNNN) server started (lighttpd/1.4.NN)": configured, listening, running as www-data.
            if (lighttpd.errorLog().contains("server started")) {
                try (Socket probe = new Socket()) {
                    probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return lighttpd;
                } catch (IOException notYet) {
                    // try again below
                }
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                lighttpd.close();
                throw new IllegalStateException("lighttpd did not start: " + readIfExists(stdout) + lighttpd.errorLog());
            }
            Thread.sleep(50);
        }
    }

    private static void giveToWwwData(Path folder) throws IOException {
        UserPrincipalLookupService users = folder.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(folder, PosixFileAttributeView.class);
        try {
            view.setOwner(users.lookupPrincipalByName("www-data"));
            view.setGroup(users.lookupPrincipalByGroupName("www-data"));
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalStateException("there is no www-data user or group (the lighttpd and apache2 packages create them)", e);
        }
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The second port ({@code ALTPORT} in the site). */
    public String altUrl(String path) {
        return "http://127.0.0.1:" + altPort + path;
    }

    /** lighttpd's error log, where mod_fastcgi's backend errors go ({@code (gw_backend.c.NNN) ...}). */
    public Path errorLogPath() {
        return prefix.resolve("logs/error.log");
    }

    /** The error log so far, for assertion messages. */
    public String errorLog() throws IOException {
        return readIfExists(errorLogPath());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String readIfExists(Path path) throws IOException {
        return Files.exists(path) ? Files.readString(path) : "";
    }
}
