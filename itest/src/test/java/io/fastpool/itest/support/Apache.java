package io.fastpool.itest.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache httpd 2.4 for tests (Debian's apache2, event MPM), in the foreground with its own
 * ServerRoot, pid file, mutexes and error log in a prefix folder, on free loopback ports. It starts
 * as root and runs its children as www-data, as a packaged Apache does, so the prefix's folders
 * (and whatever the site reaches, such as Fastpool's socket) must be searchable by www-data.
 * {@code .ci/run} installs apache2; without it these tests fail with a message saying so rather
 * than being skipped.
 */
public final class Apache implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/apache2");
    private static final Path MODULES = Path.of("/usr/lib/apache2/modules");

    private final Process process;
    private final int port;
    private final int altPort;
    private final Path prefix;

    private Apache(Process process, int port, int altPort, Path prefix) {
        this.process = process;
        this.port = port;
        this.altPort = altPort;
        this.prefix = prefix;
    }

    /**
     * Starts Apache in {@code prefix} with {@code site} included into a minimal main configuration
     * (server root, pid file, error log at warn, the modules mpm_event, authz_core, unixd,
     * log_config, proxy and proxy_fcgi, user www-data). {@code PORT} and {@code ALTPORT} in
     * {@code site} stand for two free loopback ports; the site holds its own {@code Listen} lines.
     * Returns once Apache is configured and accepts connections on {@code PORT}.
     */
    public static Apache start(Path prefix, String site) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("Apache httpd is not installed (no " + BINARY
                    + "): run 'apt-get install -y apache2' (.ci/run does this)");
        }
        String modules = "";
        for (String[] module : new String[][] {
                {"mpm_event_module", "mod_mpm_event.so"}, {"authz_core_module", "mod_authz_core.so"},
                {"unixd_module", "mod_unixd.so"}, {"log_config_module", "mod_log_config.so"},
                {"proxy_module", "mod_proxy.so"}, {"proxy_fcgi_module", "mod_proxy_fcgi.so"}}) {
            Path file = MODULES.resolve(module[1]);
            // Debian builds unixd and log_config into the binary; elsewhere they are modules like the rest.
            modules += "<IfModule !" + module[0] + ">\n    LoadModule " + module[0] + " " + file + "\n</IfModule>\n";
            if (!Files.exists(file) && !module[0].equals("unixd_module") && !module[0].equals("log_config_module")) {
                throw new IllegalStateException("Apache httpd has no " + file + ": run 'apt-get install -y apache2' (.ci/run does this)");
            }
        }
        int port = Nginx.freePort();
        int altPort = Nginx.freePort();
        Path root = prefix.toAbsolutePath();
        Files.createDirectories(root.resolve("logs"));
        Files.createDirectories(root.resolve("run"));
        Files.createDirectories(root.resolve("htdocs"));
        Path siteFile = root.resolve("site.conf");
        Files.writeString(siteFile, site.replace("ALTPORT", Integer.toString(altPort)).replace("PORT", Integer.toString(port)),
                StandardCharsets.UTF_8);
        String config = """
                # A minimal main configuration for tests: everything Apache writes stays in this folder.
                ServerRoot "%1$s"
                ServerName 127.0.0.1
                PidFile "%1$s/run/httpd.pid"
                DefaultRuntimeDir "%1$s/run"
                Mutex file:%1$s/run default
                ErrorLog "%1$s/logs/error.log"
                LogLevel warn
                DocumentRoot "%1$s/htdocs"
                %2$s
                # Apache starts as root and runs its children as this user, as a packaged Apache does.
                User www-data
                Group www-data
                Include "%3$s"
                """.formatted(root, modules, siteFile);
        Path conf = root.resolve("httpd.conf");
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        Path stdout = root.resolve("logs/stdout.log");
        Process process = new ProcessBuilder(BINARY.toString(), "-f", conf.toString(), "-DFOREGROUND")
                .redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
        Apache apache = new Apache(process, port, altPort, root);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            // AH00489 "... configured -- resuming normal operations": the parent has forked its children.
            if (apache.errorLog().contains("resuming normal operations")) {
                try (Socket probe = new Socket()) {
                    probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return apache;
                } catch (IOException notYet) {
                    // try again below
                }
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                apache.close();
                throw new IllegalStateException("Apache did not start: " + readIfExists(stdout) + apache.errorLog());
            }
            Thread.sleep(50);
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

    /** Apache's error log, where mod_proxy and mod_proxy_fcgi write theirs ({@code [proxy_fcgi:error]}). */
    public Path errorLogPath() {
        return prefix.resolve("logs/error.log");
    }

    /** The error log so far, for assertion messages. */
    public String errorLog() throws IOException {
        return readIfExists(errorLogPath());
    }

    /** Stops Apache (SIGTERM: the parent stops its children, then exits). */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // Children left behind by a parent that had to be killed are ended one by one (by pid).
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    private static String readIfExists(Path path) throws IOException {
        return Files.exists(path) ? Files.readString(path) : "";
    }
}
