package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import io.fastpool.itest.support.Waits;
import io.fastpool.itest.support.RawFcgiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The advice against loads whose right answer is known, on the built distribution run as a process
 * (its real CPU sampler, pools and sample apps): requests waiting because the CPU is saturated must
 * read as "add capacity", never "raise maxThreads"; requests waiting on I/O with the CPU idle as
 * "raise maxThreads"; a full queue as "raise queueLength". Each load is the {@code /slow} sample:
 * {@code ?cpu=N} computes, {@code ?ms=N} sleeps.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AdviceScenariosIT {

    /** The status sampler's interval in the shipped configuration: the CPU window and the latency interval. */
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final String POOL = "io.fastpool.samples.slow";

    private Process server;
    private Path home;
    private Path log;
    private final AtomicBoolean loading = new AtomicBoolean();
    private final List<Thread> clients = new ArrayList<>();
    private final AtomicLong answered = new AtomicLong();

    @AfterEach
    void stop() throws InterruptedException {
        loading.set(false);
        for (Thread client : clients) {
            client.join(30_000);
        }
        DistributionIT.stopServer(server);
    }

    @Test
    void aCpuSaturatingLoadReadsAsBusyWithinTwoIntervalsAndIsAdvisedCapacityNeverMoreThreads() throws Exception {
        start(Map.of("maxThreads", "8", "queueLength", "1000"));
        long loadStarted = System.nanoTime();
        load(16, "/slow?cpu=20");

        Waits.await(INTERVAL.multipliedBy(2).plusSeconds(2), "CPU busy above 80% on the status page", () -> cpuBusy() > 0.8);
        assertThat(Duration.ofNanos(System.nanoTime() - loadStarted)).isLessThan(INTERVAL.multipliedBy(2).plusSeconds(2));

        Map<String, Object> advice = awaitAdvice("addCapacity");
        assertThat((String) advice.get("message")).contains("more threads would not help");
        assertThat(rulesNow()).doesNotContain("raiseMaxThreads");
        @SuppressWarnings("unchecked")
        Map<String, Object> figures = (Map<String, Object>) advice.get("figures");
        assertThat(((Number) figures.get("cpuBusyPercent")).doubleValue()).isGreaterThan(60);
        assertThat((String) figures.get("cpuSource")).as("the evidence names its window").containsPattern(" over 5\\.[0-9] s$");
    }

    @Test
    void requestsWaitingOnIoWithTheCpuIdleAreAdvisedMoreThreads() throws Exception {
        start(Map.of("maxThreads", "2", "queueLength", "1000"));
        load(12, "/slow?ms=50");

        Map<String, Object> advice = awaitAdvice("raiseMaxThreads");
        assertThat((String) advice.get("message")).contains("raise maxThreads (now 2, e.g. to 3)");
        assertThat(rulesNow()).doesNotContain("addCapacity");
        assertThat(cpuBusy()).as("the machine is not the bottleneck here").isLessThan(0.6);
    }

    @Test
    void aFullQueueIsAdvisedALongerQueueOrCapacity() throws Exception {
        start(Map.of("maxThreads", "1", "queueLength", "4"));
        load(20, "/slow?ms=20");

        Map<String, Object> advice = awaitAdvice("raiseQueueLength");
        assertThat((String) advice.get("message")).contains("its queue was full (4 of queueLength 4)");
        assertThat(rulesNow()).doesNotContain("rejectedWhileUnavailable");
    }

    /** Copies the distribution, writes the slow pool's settings, and starts it (TCP listener off: only the unix socket). */
    private void start(Map<String, String> poolSettings) throws Exception {
        Path built = Path.of(System.getProperty("distribution.dir"));
        Path work = Files.createTempDirectory(Path.of("target"), "advice-it").toAbsolutePath();
        home = work.resolve("fastpool");
        log = work.resolve("server.log");
        DistributionIT.copyTree(built, home);
        Path transport = home.resolve("conf/io.fastpool.transport.cfg");
        Files.writeString(transport, Files.readString(transport).replace(", tcp:127.0.0.1:9000", ""));
        Files.writeString(home.resolve("conf/io.fastpool.pool~" + POOL + ".cfg"), poolSettings.entrySet().stream()
                .map(setting -> setting.getKey() + " = " + setting.getValue()).collect(Collectors.joining("\n", "", "\n")));
        server = new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Waits.await(Duration.ofSeconds(30), "/slow to answer (log: " + log + ")",
                () -> DistributionIT.answerFrom(home, "/slow?ms=0").startsWith("200 OK slept 0 ms"));
        Waits.await(Duration.ofSeconds(10), "the pool's settings (log: " + log + ")",
                () -> {
                    try {
                        return poolMaxThreads() == Integer.parseInt(poolSettings.get("maxThreads"));
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /** {@code count} clients sending {@code uri} one after another on their own connection until the test ends. */
    private void load(int count, String uri) {
        loading.set(true);
        for (int i = 0; i < count; i++) {
            Thread client = new Thread(() -> {
                try (RawFcgiClient connection = RawFcgiClient.unix(home.resolve("run/fastpool.sock"))) {
                    while (loading.get()) {
                        connection.get(1, true, uri);
                        answered.incrementAndGet();
                    }
                } catch (IOException e) {
                    if (loading.get()) {
                        throw new IllegalStateException("client failed while loading " + uri, e);
                    }
                }
            }, "advice-load-" + i);
            client.start();
            clients.add(client);
        }
    }

    private Map<String, Object> status() throws IOException {
        String answer = DistributionIT.answerFrom(home, "/fastpool-status?json");
        assertThat(answer).startsWith("200 OK ");
        return JSON.std.mapFrom(answer.substring("200 OK ".length()));
    }

    @SuppressWarnings("unchecked")
    private int poolMaxThreads() throws IOException {
        return ((List<Map<String, Object>>) status().get("pools")).stream().filter(pool -> POOL.equals(pool.get("name")))
                .mapToInt(pool -> ((Number) pool.get("maxThreads")).intValue()).findFirst().orElse(-1);
    }

    private double cpuBusy() {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> server = (Map<String, Object>) status().get("server");
            return server.get("cpuBusy") instanceof Number busy ? busy.doubleValue() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> adviceNow() throws IOException {
        return ((List<Map<String, Object>>) status().get("advice")).stream().filter(advice -> POOL.equals(advice.get("pool"))).toList();
    }

    private List<String> rulesNow() throws IOException {
        return adviceNow().stream().map(advice -> (String) advice.get("rule")).toList();
    }

    /** The slow pool's advice by {@code rule}, once it appears (within three intervals of load). */
    private Map<String, Object> awaitAdvice(String rule) throws Exception {
        List<Map<String, Object>> found = new ArrayList<>();
        Waits.await(INTERVAL.multipliedBy(3).plusSeconds(5), "advice " + rule + " (log: " + log + ")", () -> {
            try {
                found.clear();
                adviceNow().stream().filter(advice -> rule.equals(advice.get("rule"))).forEach(found::add);
                return !found.isEmpty();
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(answered.get()).as("requests answered under the load").isPositive();
        return found.get(0);
    }
}
