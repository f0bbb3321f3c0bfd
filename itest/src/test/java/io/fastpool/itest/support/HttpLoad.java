package io.fastpool.itest.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Continuous load on one URL from a few clients, each sending its next request as soon as the last
 * one is answered, every request recorded with when it was sent and answered: a test that does
 * something to the server meanwhile (kills it, restarts it) then asks which requests failed and
 * when they were sent.
 */
public final class HttpLoad implements AutoCloseable {

    /**
     * One request: sent and answered at these {@link System#nanoTime()}s, with the HTTP status, or
     * -1 and {@code error} when no answer came.
     */
    public record Sample(long sentNanos, long answeredNanos, int status, String error) {

        public boolean ok() {
            return status == 200;
        }

        public long millis() {
            return (answeredNanos - sentNanos) / 1_000_000;
        }

        @Override
        public String toString() {
            return (ok() ? "200" : status + " " + error) + " after " + millis() + " ms";
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService clients;
    private final List<Sample> samples = new ArrayList<>();
    private volatile boolean running = true;

    private HttpLoad(String url, int clientCount) {
        clients = Executors.newFixedThreadPool(clientCount);
        for (int i = 0; i < clientCount; i++) {
            clients.execute(() -> {
                while (running) {
                    record(send(url));
                }
            });
        }
    }

    /** Starts {@code clientCount} clients asking {@code url} over and over. */
    public static HttpLoad start(String url, int clientCount) {
        return new HttpLoad(url, clientCount);
    }

    private Sample send(String url) {
        long sent = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Sample(sent, System.nanoTime(), response.statusCode(),
                    response.statusCode() == 200 ? null : response.body().strip());
        } catch (Exception e) {
            return new Sample(sent, System.nanoTime(), -1, e.toString());
        }
    }

    private synchronized void record(Sample sample) {
        samples.add(sample);
    }

    /** The requests answered so far. */
    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** How many requests were answered 200 so far. */
    public synchronized long succeeded() {
        return samples.stream().filter(Sample::ok).count();
    }

    /** Stops sending and waits for the requests under way; returns every request. */
    public List<Sample> stop() throws InterruptedException {
        running = false;
        clients.shutdown();
        if (!clients.awaitTermination(90, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a client of the load still waits for an answer after 90 s");
        }
        return samples();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        clients.shutdownNow();
        clients.awaitTermination(10, TimeUnit.SECONDS);
    }
}
