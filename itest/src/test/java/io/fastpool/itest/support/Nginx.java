package io.fastpool.itest.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx for tests, in the foreground with its own prefix directory, listening on a free
 * loopback port. {@code .ci/run} installs nginx when it is missing; without it these tests fail
 * with a message saying so rather than being skipped.
 */
public final class Nginx implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path prefix;

    private final int altPort;

    private Nginx(Process process, int port, int altPort, Path prefix) {
        this.process = process;
        this.port = port;
        this.altPort = altPort;
        this.prefix = prefix;
    }

    /**
     * Starts nginx with {@code serverBlock} (the inside of the {@code http} block, where
     * {@code PORT} and {@code ALTPORT} stand for two free loopback ports) in {@code prefix}.
     */
    public static Nginx start(Path prefix, String httpBlock) throws IOException, InterruptedException {
        Path binary = findBinary();
        int port = freePort();
        int altPort = freePort();
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("tmp"));
        String config = """
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
                """.formatted(httpBlock.replace("ALTPORT", Integer.toString(altPort)).replace("PORT", Integer.toString(port)));
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(binary.toString(), "-p", prefix.toAbsolutePath() + "/", "-c", conf.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
                .start();
        Nginx nginx = new Nginx(process, port, altPort, prefix);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return nginx;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    nginx.close();
                    throw new IllegalStateException("nginx did not start: " + Files.readString(prefix.resolve("logs/stdout.log"))
                            + readIfExists(prefix.resolve("logs/error.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The second listen port ({@code ALTPORT} in the configuration). */
    public String altUrl(String path) {
        return "http://127.0.0.1:" + altPort + path;
    }

    /** nginx's error log so far, for assertion messages. */
    public String errorLog() throws IOException {
        return readIfExists(prefix.resolve("logs/error.log"));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Path findBinary() {
        for (String candidate : new String[] {"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"}) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        throw new IllegalStateException("nginx is not installed: run 'apt-get install -y nginx' (.ci/run does this)");
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String readIfExists(Path path) throws IOException {
        return Files.exists(path) ? Files.readString(path) : "";
    }
}
