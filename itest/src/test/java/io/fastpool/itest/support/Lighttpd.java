package io.fastpool.itest.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * A real lighttpd 1.4 for tests, in the foreground ({@code -D}) with its own configuration, error
 * log and upload folder in a prefix folder. It starts as root and runs as www-data, as a packaged
 * lighttpd does: it opens its error log after dropping to www-data, so the log and upload folders
 * are given to www-data, and the prefix's folders (and whatever the site reaches, such as
 * Fastpool's socket) must be searchable by www-data. Its log is the error log, where mod_fastcgi's
 * backend errors go ({@code (gw_backend.c.NNN) ...}).
 */
public final class Lighttpd extends WebServerProcess {

    private Lighttpd(Path prefix) throws IOException {
        super("lighttpd", prefix, "logs/stdout.log", "logs/error.log");
    }

    /**
     * Starts lighttpd in {@code prefix} with {@code site} included into a minimal main
     * configuration listening on 127.0.0.1:{@code PORT}. {@code PORT} and {@code ALTPORT} in
     * {@code site} stand for two free loopback ports (a {@code $SERVER["socket"]} block on
     * {@code ALTPORT} opens the second). Returns once lighttpd has started and accepts connections.
     */
    public static Lighttpd start(Path prefix, String site) throws IOException, InterruptedException {
        Path binary = ExternalTool.require("lighttpd", "/usr/sbin/lighttpd").binary();
        Lighttpd lighttpd = new Lighttpd(prefix);
        Path root = lighttpd.prefix();
        Files.createDirectories(root.resolve("logs"));
        Files.createDirectories(root.resolve("uploads"));
        Files.createDirectories(root.resolve("htdocs"));
        giveToWwwData(root.resolve("logs"));
        giveToWwwData(root.resolve("uploads"));
        Path siteFile = lighttpd.write("site.conf", lighttpd.withPorts(site));
        Path conf = lighttpd.write("lighttpd.conf", """
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
                """.formatted(root, lighttpd.port(), siteFile));
        lighttpd.launch(new ProcessBuilder(binary.toString(), "-D", "-f", conf.toString()));
        return lighttpd;
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

    /** "(server.c.NNNN) server started (lighttpd/1.4.NN)": configured, listening, running as www-data. */
    @Override
    protected String startedLine() {
        return "server started";
    }

    /** lighttpd logs only errors and its start and stop, e.g. "(gw_backend.c.2026) connection was dropped after accept()". */
    @Override
    protected boolean isErrorLine(String line) {
        return !line.contains("server started") && !line.contains("server stopped");
    }
}
