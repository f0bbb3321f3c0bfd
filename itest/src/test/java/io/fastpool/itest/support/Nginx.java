package io.fastpool.itest.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A real nginx for tests, in the foreground ({@code daemon off}) with its own prefix directory: its
 * log is logs/error.log (level warn), and its temporary files stay under tmp/.
 */
public final class Nginx extends WebServerProcess {

    /** A line nginx logs at error level or worse: "... [error] 12#12: *1 connect() failed ...". */
    private static final Pattern ERROR = Pattern.compile("\\[(error|crit|alert|emerg)\\]");

    private Nginx(Path prefix) throws IOException {
        super("nginx", prefix, "logs/stdout.log", "logs/error.log");
    }

    /**
     * Starts nginx in {@code prefix} with {@code httpBlock} (the inside of the {@code http} block,
     * where {@code PORT} and {@code ALTPORT} stand for two free loopback ports); returns once it
     * accepts connections on {@code PORT}.
     */
    public static Nginx start(Path prefix, String httpBlock) throws IOException, InterruptedException {
        Path binary = ExternalTool.require("nginx", "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx").binary();
        Nginx nginx = new Nginx(prefix);
        Files.createDirectories(nginx.prefix().resolve("logs"));
        Files.createDirectories(nginx.prefix().resolve("tmp"));
        Path conf = nginx.write("nginx.conf", """
                daemon off;
                master_process on;
                worker_processes 1;
                user root;
                error_log logs/error.log warn;
                pid logs/nginx.pid;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    client_body_temp_path tmp/body;
                    fastcgi_temp_path tmp/fastcgi;
                    proxy_temp_path tmp/proxy;
                    uwsgi_temp_path tmp/uwsgi;
                    scgi_temp_path tmp/scgi;
                %s
                }
                """.formatted(nginx.withPorts(httpBlock)));
        nginx.launch(new ProcessBuilder(binary.toString(), "-p", nginx.prefix() + "/", "-c", conf.toString()));
        return nginx;
    }

    @Override
    protected boolean isErrorLine(String line) {
        return ERROR.matcher(line).find();
    }
}
