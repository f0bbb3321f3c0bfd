package io.fastpool.itest.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real Caddy for tests, in the foreground ({@code caddy run}) with everything it writes in its own
 * folder: HOME and the XDG data and config folders point there, the admin endpoint is off, and its
 * Caddyfile holds only those global options and an {@code import} of the site configuration under
 * test, as an operator imports conf/Caddyfile-fastpool into Caddy's own Caddyfile. Its log (JSON
 * lines on standard error) goes to {@link #logPath()}.
 */
public final class Caddy extends WebServerProcess {

    private Caddy(Path directory) throws IOException {
        super("caddy", directory, "caddy.log", "caddy.log");
    }

    /**
     * Starts Caddy in {@code directory} with the site configuration {@code site}, which serves
     * http://127.0.0.1:{@code PORT} ({@code PORT} and {@code ALTPORT} stand for two free loopback
     * ports); returns once it accepts connections on {@code PORT}.
     */
    public static Caddy start(Path directory, String site) throws IOException, InterruptedException {
        Path binary = ExternalTool.require("caddy", "/usr/bin/caddy", "/usr/local/bin/caddy").binary();
        Caddy caddy = new Caddy(directory);
        Path imported = caddy.write("site.Caddyfile", caddy.withPorts(site));
        Path caddyfile = caddy.write("Caddyfile", """
                # The test's global options: no admin endpoint (nothing listens but the site).
                {
                \tadmin off
                }

                import %s
                """.formatted(imported));
        ProcessBuilder command = new ProcessBuilder(binary.toString(), "run", "--config", caddyfile.toString(), "--adapter", "caddyfile")
                .directory(caddy.prefix().toFile());
        Map<String, String> environment = command.environment();
        environment.put("HOME", caddy.prefix().resolve("home").toString());
        environment.put("XDG_DATA_HOME", caddy.prefix().resolve("data").toString());
        environment.put("XDG_CONFIG_HOME", caddy.prefix().resolve("config").toString());
        caddy.launch(command);
        return caddy;
    }

    /** Level error or worse, and any line that is not one of Caddy's JSON log lines. */
    @Override
    protected boolean isErrorLine(String line) {
        return !line.startsWith("{") || line.contains("\"level\":\"error\"") || line.contains("\"level\":\"fatal\"")
                || line.contains("\"level\":\"panic\"");
    }
}
