package io.fastpool.itest.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A real Apache httpd 2.4 for tests (Debian's apache2, event MPM), in the foreground with its own
 * ServerRoot, pid file, mutexes and error log in a prefix folder. It starts as root and runs its
 * children as www-data, as a packaged Apache does, so the prefix's folders (and whatever the site
 * reaches, such as Fastpool's socket) must be searchable by www-data. Its log is the error log,
 * where mod_proxy and mod_proxy_fcgi write theirs ({@code [proxy_fcgi:error]}).
 */
public final class Apache extends WebServerProcess {

    private static final String BINARY = "/usr/sbin/apache2";
    private static final Path MODULES = Path.of("/usr/lib/apache2/modules");

    /** A line Apache logs at error level or worse: "[proxy_fcgi:error]", "[proxy:error]", "[core:crit]"... */
    private static final Pattern ERROR = Pattern.compile("\\[[a-z_0-9]+:(error|crit|alert|emerg)\\]");

    private Apache(Path prefix) throws IOException {
        super("Apache", prefix, "logs/stdout.log", "logs/error.log");
    }

    /**
     * Starts Apache in {@code prefix} with {@code site} included into a minimal main configuration
     * (server root, pid file, error log at warn, the modules mpm_event, authz_core, unixd,
     * log_config, proxy and proxy_fcgi, user www-data). {@code PORT} and {@code ALTPORT} in
     * {@code site} stand for two free loopback ports; the site holds its own {@code Listen} lines.
     * Returns once Apache is configured and accepts connections on {@code PORT}.
     */
    public static Apache start(Path prefix, String site) throws IOException, InterruptedException {
        Path binary = ExternalTool.require("apache2", BINARY).binary();
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
        Apache apache = new Apache(prefix);
        Path root = apache.prefix();
        Files.createDirectories(root.resolve("logs"));
        Files.createDirectories(root.resolve("run"));
        Files.createDirectories(root.resolve("htdocs"));
        Path siteFile = apache.write("site.conf", apache.withPorts(site));
        Path conf = apache.write("httpd.conf", """
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
                """.formatted(root, modules, siteFile));
        apache.launch(new ProcessBuilder(binary.toString(), "-f", conf.toString(), "-DFOREGROUND"));
        return apache;
    }

    /** AH00489 "... configured -- resuming normal operations": the parent has forked its children. */
    @Override
    protected String startedLine() {
        return "resuming normal operations";
    }

    @Override
    protected boolean isErrorLine(String line) {
        return ERROR.matcher(line).find();
    }
}
