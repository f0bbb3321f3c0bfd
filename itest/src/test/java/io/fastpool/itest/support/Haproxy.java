package io.fastpool.itest.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HAProxy for tests, in the foreground ({@code haproxy -db}) as the current user, with a
 * configuration in its own folder: a global and defaults section of the test's (logging to
 * standard error, which goes to {@link #logPath()}; no chroot, user switch or daemon), then the
 * configuration under test as a second {@code -f} file, as an operator adds conf/haproxy-fastpool.conf
 * to HAProxy's own.
 */
public final class Haproxy extends WebServerProcess {

    /**
     * An httplog line: client, [date], frontend, backend/server, timers, status, bytes, cookies,
     * termination state ("----" when all went well), connection counts, queues, "request".
     */
    private static final Pattern HTTPLOG = Pattern.compile(
            "^\\S+ \\[[^]]+\\] \\S+ \\S+ \\S+ (-?\\d+) \\S+ \\S+ \\S+ (\\S{4}) \\S+ \\S+ \"(.*)\"$");

    private Haproxy(Path directory) throws IOException {
        super("haproxy", directory, "haproxy.log", "haproxy.log");
    }

    /**
     * Starts HAProxy in {@code directory} with {@code configuration}, which binds 127.0.0.1:{@code PORT}
     * ({@code PORT} and {@code ALTPORT} stand for two free loopback ports); returns once it accepts
     * connections on {@code PORT}.
     */
    public static Haproxy start(Path directory, String configuration) throws IOException, InterruptedException {
        Path binary = ExternalTool.require("haproxy", "/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy").binary();
        Haproxy haproxy = new Haproxy(directory);
        Path global = haproxy.write("test-global.cfg", """
                # The test's own global and defaults sections: the configuration under test comes after.
                global
                    log stderr format raw local0 info
                defaults
                    log global
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                """);
        Path tested = haproxy.write("tested.cfg", haproxy.withPorts(configuration));
        haproxy.launch(new ProcessBuilder(binary.toString(), "-db", "-f", global.toString(), "-f", tested.toString())
                .directory(haproxy.prefix().toFile()));
        return haproxy;
    }

    /**
     * HAProxy's own alerts and warnings, and request lines with a 5xx status or a termination state
     * other than "----".
     */
    @Override
    protected boolean isErrorLine(String line) {
        Matcher request = HTTPLOG.matcher(line);
        if (request.matches()) {
            int status = Integer.parseInt(request.group(1));
            return status >= 500 || status < 0 || !request.group(2).equals("----");
        }
        return line.contains("[ALERT]") || line.contains("[WARNING]") || line.toLowerCase(Locale.ROOT).contains("error");
    }
}
