package io.fastpool.itest;

import io.fastpool.itest.support.Apache;
import io.fastpool.itest.support.Caddy;
import io.fastpool.itest.support.Haproxy;
import io.fastpool.itest.support.Lighttpd;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.WebServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Prints requests/s, p99 latency and the FastCGI connections each front used for the hello sample
 * through nginx, Apache httpd, HAProxy, lighttpd and Caddy, each with its shipped configuration, in
 * one run on the same machine with the same client (wrk, 2 threads, 16 connections, 5 s after a
 * 2 s warm-up). Asserts nothing and is not part of {@code mvn verify} (its name does not end in
 * IT). Run it with {@code bench/fronts}.
 */
class FrontsBenchmark {

    static final int CONNECTIONS = 16;
    static final int SECONDS = 5;

    record Row(String front, double requestsPerSecond, String p99, long fastcgiConnections, long requests, long errors) {
    }

    @Test
    void printFigures() throws Exception {
        Path work = FrontedDistribution.workFolder("fronts-benchmark", true); // Apache's and lighttpd's workers must reach it
        List<Row> rows = new ArrayList<>();
        try (FrontedDistribution fastpool = FrontedDistribution.start(work, true)) {
            String nginxSite = fastpool.shippedFront("nginx-fastpool.conf", "PORT")
                    .replace("include fastcgi_params;", "include /etc/nginx/fastcgi_params;");
            try (Nginx nginx = Nginx.start(work.resolve("nginx"), nginxSite)) {
                rows.add(measure("nginx", nginx, fastpool));
            }
            try (Apache apache = Apache.start(work.resolve("apache"), fastpool.shippedFront("apache-fastpool.conf", "PORT"))) {
                rows.add(measure("Apache httpd", apache, fastpool));
            }
            try (Haproxy haproxy = Haproxy.start(work.resolve("haproxy"), fastpool.shippedFront("haproxy-fastpool.conf", "PORT"))) {
                rows.add(measure("HAProxy", haproxy, fastpool));
            }
            try (Lighttpd lighttpd = Lighttpd.start(work.resolve("lighttpd"), fastpool.shippedFront("lighttpd-fastpool.conf", "PORT"))) {
                rows.add(measure("lighttpd", lighttpd, fastpool));
            }
            try (Caddy caddy = Caddy.start(work.resolve("caddy"), fastpool.shippedFront("Caddyfile-fastpool", "PORT"))) {
                rows.add(measure("Caddy", caddy, fastpool));
            }
        }
        FrontedDistribution.deleteTree(work);
        System.out.printf("%nfronts: GET /hello (the hello sample in its pool), wrk -t2 -c%d -d%ds after a 2 s warm-up, %d cores%n",
                CONNECTIONS, SECONDS, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-14s %12s %10s %22s %10s%n", "front", "requests/s", "p99", "FastCGI connections", "non-2xx");
        for (Row row : rows) {
            System.out.printf("%-14s %,12.0f %10s %,22d %,10d%n", row.front, row.requestsPerSecond, row.p99, row.fastcgiConnections,
                    row.errors);
        }
    }

    private static Row measure(String front, WebServerProcess server, FrontedDistribution fastpool) throws Exception {
        String url = server.url("/hello");
        wrk(url, 2);
        long before = fastpool.acceptedOnUnixSocket();
        String output = wrk(url, SECONDS);
        long connections = fastpool.acceptedOnUnixSocket() - before;
        double rate = Double.parseDouble(find(output, "Requests/sec:\\s+([0-9.]+)"));
        String p99 = find(output, "\\s99%\\s+(\\S+)");
        long requests = Long.parseLong(find(output, "(\\d+) requests in"));
        String non2xx = findOrNull(output, "Non-2xx or 3xx responses: (\\d+)");
        String socketErrors = findOrNull(output, "Socket errors: (.*)");
        if (socketErrors != null) {
            System.out.println(front + ": wrk socket errors: " + socketErrors);
        }
        return new Row(front, rate, p99, connections, requests, non2xx == null ? 0 : Long.parseLong(non2xx));
    }

    private static String wrk(String url, int seconds) throws Exception {
        Process wrk = new ProcessBuilder("wrk", "-t2", "-c" + CONNECTIONS, "-d" + seconds + "s", "--latency", url)
                .redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            throw new IllegalStateException("wrk failed: " + output);
        }
        return output;
    }

    private static String find(String text, String regex) {
        String found = findOrNull(text, regex);
        if (found == null) {
            throw new IllegalStateException("no " + regex + " in: " + text);
        }
        return found;
    }

    private static String findOrNull(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }
}
