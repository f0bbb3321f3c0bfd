package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.WhiteboardApps;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A servlet app hot-swapped ten times under load, as an operator does it: the built distribution
 * ({@link FrontedDistribution}, listening on its unix socket and a free TCP port, never 9000) with
 * real nginx in front (the shipped nginx-fastpool.conf, over the unix socket with kept connections),
 * and the app's jar in deploy/ replaced by a new build each time (moved in whole, as a deploy tool
 * does), which FileInstall notices and updates the bundle from. Each build answers with its own
 * version, so the clients see each swap; the next jar is moved in only once a client has seen the
 * last one served, so no swap is missed and nothing is timed by sleeping.
 *
 * <p>Every response through nginx must be 200 with one of the eleven versions' answers: a request
 * that came while the bundle was updated waits in the app's queue (the pool keeps the route) and is
 * answered by the new version, so one dropped, refused (503) or failed (502) shows here. Each
 * client's answers never go back to an older version, and after the last swap the last version
 * answers.
 */
class ServletHotSwapIT {

    private static final int SWAPS = 10;
    private static final int CLIENTS = 4;
    private static final Duration SWAP_SEEN_WITHIN = Duration.ofSeconds(30);

    @Test
    @Timeout(300)
    void aServletAppReplacedInDeployTenTimesUnderLoadThroughNginxLosesNoRequest() throws Exception {
        Path work = FrontedDistribution.workFolder("servlet-hot-swap", false);
        Path staging = Files.createDirectories(work.resolve("staging"));
        for (int minor = 0; minor <= SWAPS; minor++) { // built before the load, so building does not slow it
            WhiteboardApps.write(staging.resolve(minor + ".jar"), WhiteboardApps.version("1." + minor + ".0"));
        }
        try (FrontedDistribution fastpool = FrontedDistribution.start(work)) {
            Path deployed = fastpool.home().resolve("deploy").resolve(WhiteboardApps.VERSION + ".jar");
            deploy(staging, 0, deployed);
            Waits.await(SWAP_SEEN_WITHIN, "the servlet app to answer (log: " + fastpool.log() + ")",
                    () -> fastpool.answer("/version/x").equals("200 OK " + answerOf(0)));
            String site = fastpool.shippedFront("nginx-fastpool.conf", "PORT")
                    .replace("include fastcgi_params;", "include /etc/nginx/fastcgi_params;");
            try (Nginx nginx = Nginx.start(work.resolve("nginx"), site); Load load = new Load(nginx.url("/version/x"))) {
                Waits.await(SWAP_SEEN_WITHIN, "every client's first answer", () -> load.latestByClient.size() == CLIENTS);
                for (int minor = 1; minor <= SWAPS; minor++) {
                    String answer = "200 " + answerOf(minor);
                    deploy(staging, minor, deployed);
                    Waits.await(SWAP_SEEN_WITHIN, "a client to see swap " + minor + " (" + answer + "; so far " + load.outcomes + ")",
                            () -> load.latestByClient.containsValue(answer));
                }
                String last = "200 " + answerOf(SWAPS);
                Waits.await(SWAP_SEEN_WITHIN, "every client to see the last version (" + load.latestByClient + ")",
                        () -> load.latestByClient.values().stream().allMatch(last::equals));
                load.close();
                Map<String, Object> pool = pool(fastpool, WhiteboardApps.VERSION);
                System.out.printf("servlet hot swap x%d under load through nginx: %s; max latency %.1f ms; the app's pool: maxQueued %s,"
                        + " counters %s%n", SWAPS, load.outcomes, load.maxLatencyNanos.get() / 1e6, pool.get("maxQueued"), pool.get("counters"));

                List<String> expected = new ArrayList<>();
                for (int minor = 0; minor <= SWAPS; minor++) {
                    expected.add("200 " + answerOf(minor));
                }
                assertThat(load.outcomes.keySet()).as("every outcome: %s (nginx's log: %s)", load.outcomes, nginx.log())
                        .containsExactlyInAnyOrderElementsOf(expected);
                assertThat(load.wentBack).as("answers from an older version after a newer one, per client").isEmpty();
                assertThat(get(nginx.url("/version/after"))).as("a request after the last swap").isEqualTo(last);
                assertThat(nginx.errorLinesSince(0)).as("nginx's error lines").isEmpty();
            }
        }
        FrontedDistribution.deleteTree(work);
    }

    /** What build {@code minor} answers. */
    private static String answerOf(int minor) {
        return "version 1." + minor + ".0";
    }

    /** Moves build {@code minor} over the deployed jar in one step, so FileInstall never reads half a jar. */
    private static void deploy(Path staging, int minor, Path deployed) throws Exception {
        Path copy = Files.copy(staging.resolve(minor + ".jar"), staging.resolve("next.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(copy, deployed, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The pool {@code name}'s figures from the status JSON. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> pool(FrontedDistribution fastpool, String name) throws Exception {
        for (Object pool : (List<Object>) fastpool.status().get("pools")) {
            if (name.equals(((Map<String, Object>) pool).get("name"))) {
                return (Map<String, Object>) pool;
            }
        }
        throw new AssertionError("no pool " + name + " in the status JSON");
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** GET {@code url}: its status and body, or what went wrong. */
    private static String get(String url) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (Exception e) {
            return "exception " + e;
        }
    }

    /**
     * {@link #CLIENTS} threads asking {@code url} one request after the other until closed, counting
     * each distinct outcome, each client's latest answer, and any client that saw an older version
     * after a newer one.
     */
    private static final class Load implements AutoCloseable {

        final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        final Map<String, String> latestByClient = new ConcurrentHashMap<>();
        final AtomicLong maxLatencyNanos = new AtomicLong();
        final List<String> wentBack = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> clients = new ArrayList<>();

        Load(String url) {
            for (int c = 0; c < CLIENTS; c++) {
                Thread client = new Thread(() -> ask(url), "hot-swap-client-" + c);
                client.start();
                clients.add(client);
            }
        }

        private void ask(String url) {
            String last = null;
            while (running.get()) {
                long start = System.nanoTime();
                String outcome = get(url);
                maxLatencyNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                if (last != null && minorOf(outcome) < minorOf(last)) {
                    wentBack.add(Thread.currentThread().getName() + ": " + outcome + " after " + last);
                }
                latestByClient.put(Thread.currentThread().getName(), outcome);
                last = outcome;
            }
        }

        /** The build an answer came from, or -1 for anything but a version's answer. */
        private static int minorOf(String outcome) {
            return outcome.matches("200 version 1\\.\\d+\\.0") ? Integer.parseInt(outcome.split("\\.")[1]) : -1;
        }

        @Override
        public void close() throws InterruptedException {
            if (running.getAndSet(false)) {
                for (Thread client : clients) {
                    client.join(60_000);
                }
            }
        }
    }
}
