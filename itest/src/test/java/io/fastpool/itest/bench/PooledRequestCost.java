package io.fastpool.itest.bench;

import static io.fastpool.itest.support.Waits.await;

import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.junit.PaxExam;

/**
 * Prints what one pooled request costs the server's threads over the unix socket: bytes allocated
 * (exact, {@code ThreadMXBean}), CPU time, and voluntary context switches (wake-ups, from
 * {@code /proc/self/task}) per request, for the transport's event loops and for the pool's workers
 * apart. Eight client threads in this JVM each keep one connection and send {@code GET /pooled}
 * (a {@code WebApp} hello in its pool) one request at a time; a warm-up round, then three. The
 * clients' own work is not counted; their CPU is shared with the server's, so requests/s here are
 * not the server's capacity (bench/floor measures that). Asserts nothing; not part of
 * {@code mvn verify} (its name does not end in IT). Run it with leak detection off:
 * {@code mvn -pl itest -am verify -Dit.test=PooledRequestCost -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfailsafe.failIfNoSpecifiedTests=false "-Dfastpool.test.argLine=-Xmx1g -Dio.netty.leakDetection.level=disabled"}.
 */
@RunWith(PaxExam.class)
public class PooledRequestCost {

    @Configuration
    public Option[] platform() throws Exception {
        Path work = PlatformOptions.workFolder("pooled-request-cost");
        Path socket = work.resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        return new Option[] {
            PlatformOptions.platform(PlatformOptions.transportOn(socket, port)),
            PlatformOptions.testBundle(TestApps.pooledHello("io.fastpool.itest.pooled", "1.0.0", "/pooled")),
            CoreOptions.systemProperty("pooled-request-cost.work").value(work.toString())};
    }

    @Test
    public void printCosts() throws Exception {
        Path socket = Path.of(System.getProperty("pooled-request-cost.work")).resolve("run/fastpool.sock");
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));
        for (int round = 0; round < 4; round++) {
            run(socket, 8, 20_000, round == 0 ? "warm-up" : "round " + round);
        }
    }

    private static void run(Path socket, int connections, int perConnection, String label) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        CountDownLatch connected = new CountDownLatch(connections);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                    client.get(1, true, "/pooled");
                    connected.countDown();
                    start.await();
                    for (int i = 0; i < perConnection; i++) {
                        RawFcgiClient.Response r = client.get(1, true, "/pooled");
                        if (r.stdout.length() == 0) throw new IllegalStateException("empty answer");
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "cost-client-" + c);
            t.start();
            clients.add(t);
        }
        if (!connected.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("the clients did not connect within 30 s");
        }
        long[] loop0 = sums(threads, "fastpool-transport-io"), work0 = sums(threads, "fastpool-pool-");
        long cs0 = switches("fastpool-transp"), ws0 = switches("fastpool-pool-");
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread t : clients) t.join();
        long t1 = System.nanoTime();
        long[] loop1 = sums(threads, "fastpool-transport-io"), work1 = sums(threads, "fastpool-pool-");
        long cs1 = switches("fastpool-transp"), ws1 = switches("fastpool-pool-");
        double n = connections * (double) perConnection;
        System.out.printf("%s: %.0f req/s; event loops %.1f B %.2f us CPU; workers %.1f B %.2f us CPU per request%n", label,
                n / ((t1 - t0) / 1e9), (loop1[0] - loop0[0]) / n, (loop1[1] - loop0[1]) / n / 1e3,
                (work1[0] - work0[0]) / n, (work1[1] - work0[1]) / n / 1e3);
        System.out.printf("%s: voluntary context switches per request: transport threads %.3f, workers %.3f%n", label,
                (cs1 - cs0) / n, (ws1 - ws0) / n);
    }

    private static long switches(String commPrefix) throws java.io.IOException {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (!Files.readString(task.resolve("comm")).startsWith(commPrefix)) continue;
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) total += Long.parseLong(line.substring(24).trim());
                    }
                } catch (java.io.IOException gone) {
                }
            }
        }
        return total;
    }

    private static long[] sums(com.sun.management.ThreadMXBean threads, String prefix) {
        long bytes = 0, cpu = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                bytes += threads.getThreadAllocatedBytes(t.getId());
                cpu += threads.getThreadCpuTime(t.getId());
            }
        }
        return new long[] {bytes, cpu};
    }
}
