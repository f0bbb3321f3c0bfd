package io.fastpool.itest.bench;

import static io.fastpool.itest.support.Waits.await;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.ConnectionHolder;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;

/**
 * Prints the transport and listener figures; asserts nothing and is not part of {@code mvn verify}
 * (its name does not end in IT). Run it with {@code bench/transport-figures}.
 *
 * <ul>
 *   <li>Requests per second and latency percentiles for a trivial handler ({@code /hello},
 *       answered on the event loop: the listener's bare figure) and for the same answer from a
 *       {@code WebApp} in its pool ({@code /pooled}: queue, worker thread, context class loader,
 *       statistics), over the unix socket with keep-conn, at 8 and 64 connections, measured by
 *       {@code fcgi-load} in a JVM of its own.
 *   <li>Heap per idle keep-alive connection: 10,000 connections, each served one request and
 *       then left idle, held by a separate process; retained heap after a full GC, before and
 *       after, divided by the count.
 * </ul>
 */
@RunWith(PaxExam.class)
public class TransportBenchmark {

    @Configuration
    public Option[] platform() throws IOException {
        Path work = PlatformOptions.workFolder("transport-benchmark");
        Path socket = work.resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        return new Option[] {
            PlatformOptions.platform(PlatformOptions.transportOn(socket, port).put("maxConnections", 20_000)),
            PlatformOptions.testBundle(TestApps.testApp()),
            PlatformOptions.testBundle(TestApps.pooledHello("io.fastpool.itest.pooled", "1.0.0", "/pooled")),
            systemProperty("transport-benchmark.work").value(work.toString()),
            systemProperty("transport-benchmark.port").value(Integer.toString(port))};
    }

    @Test
    public void printFigures() throws Exception {
        Path work = Path.of(System.getProperty("transport-benchmark.work"));
        Path socket = work.resolve("run/fastpool.sock");
        int port = Integer.getInteger("transport-benchmark.port");
        Path loadJar = Path.of("..", "bench", "target", "benchmarks.jar").toAbsolutePath().normalize();
        if (!Files.exists(loadJar)) {
            throw new IllegalStateException(loadJar + " is missing: build it with mvn -pl bench -am package -DskipTests");
        }
        await(Duration.ofSeconds(10), "the unix socket", () -> Files.exists(socket));

        System.out.println("== machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        for (int connections : new int[] {8, 64}) {
            System.out.println("== /hello over the unix socket, keep-conn, " + connections + " connections");
            fcgiLoad(loadJar, "-c", Integer.toString(connections), "-d", "10s", "--warmup", "3s", "-p", "/hello", "unix:" + socket);
        }
        for (int connections : new int[] {8, 64}) {
            System.out.println("== /pooled (a WebApp in its pool, default settings) over the unix socket, keep-conn, "
                    + connections + " connections");
            fcgiLoad(loadJar, "-c", Integer.toString(connections), "-d", "10s", "--warmup", "3s", "-p", "/pooled", "unix:" + socket);
        }
        System.out.println("== /hello over TCP, keep-conn off, 8 connections");
        fcgiLoad(loadJar, "-c", "8", "-d", "10s", "--warmup", "3s", "-k", "off", "-p", "/hello", "tcp:127.0.0.1:" + port);

        System.out.println("== heap per idle keep-alive connection");
        long before = retainedHeap();
        byte[] request = RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/hello"), new byte[0]);
        try (ConnectionHolder holder = ConnectionHolder.open(socket, 10_000, request, true, work)) {
            long after = retainedHeap();
            System.out.printf("%,d idle connections held (%d refused): retained heap %,d -> %,d bytes, %,d bytes per connection%n",
                    holder.opened, holder.refused, before, after, (after - before) / Math.max(1, holder.opened));
            holder.release();
        }
    }

    private static long retainedHeap() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    private static void fcgiLoad(Path jar, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar.toString(), "io.fastpool.bench.load.FcgiLoad"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Through System.out: failsafe captures the stream, not the file descriptor a child would inherit.
        try (java.io.BufferedReader out = process.inputReader()) {
            out.lines().forEach(System.out::println);
        }
        if (process.waitFor() != 0) {
            throw new IllegalStateException("fcgi-load failed: " + command);
        }
    }
}
