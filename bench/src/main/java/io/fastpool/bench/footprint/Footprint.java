package io.fastpool.bench.footprint;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import io.fastpool.bench.footprint.FootprintReport.Result;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@code bench/footprint} command: for each app count N, copies the built server to a
 * temporary folder, puts N idle app bundles ({@link AppBundleGenerator}) in its {@code deploy/},
 * starts {@code bin/fastpool}, and measures:
 *
 * <ol>
 *   <li>the time from start until the first and until the last app has answered once (every app
 *       is asked over the unix socket {@code run/fastpool.sock}, again and again until it answers
 *       200; unrouted ones get 404 meanwhile);
 *   <li>right after that: heap and Metaspace used after a full GC, RSS, threads and pool workers
 *       (each app's first request activated it and started a worker in its pool);
 *   <li>after the apps' idle time-out: the same again (an idle pool must hold no thread), and the
 *       process's CPU use over 30 s of idling, from 30 s after that sample: its full GC, jcmd's
 *       attach and the last threads ending (the responder's idle threads end 30 s after their
 *       last task) cost CPU of their own, which a server idling for long does not spend.
 * </ol>
 *
 * Then it stops the server (SIGTERM, then SIGKILL after 30 s) and deletes the folder. A server
 * still running when the command ends by a signal is stopped by a shutdown hook.
 */
public final class Footprint {

    /** Exit status: every run measured. */
    static final int EXIT_OK = 0;
    /** Exit status: a run failed. */
    static final int EXIT_FAILED = 1;
    /** Exit status: bad arguments. */
    static final int EXIT_USAGE = 2;

    private static final long IDLE_CPU_MILLIS = 30_000;
    /** After jcmd's sample (a full GC, the attach listener), before CPU is measured. */
    private static final long IDLE_SETTLE_MILLIS = 30_000;
    private static final long PROBE_TIMEOUT_MILLIS = 10_000;

    private final FootprintArguments arguments;
    private final PrintStream out;
    private final PrintStream log;
    private final Path javaHome = Path.of(System.getProperty("java.home"));
    private final Set<Process> running = Collections.synchronizedSet(new LinkedHashSet<>());
    private final Set<Path> folders = Collections.synchronizedSet(new LinkedHashSet<>());

    Footprint(FootprintArguments arguments, PrintStream out, PrintStream log) {
        this.arguments = arguments;
        this.out = out;
        this.log = log;
    }

    public static void main(String[] args) {
        Path bench = Path.of(System.getProperty("fastpool.bench.home", "bench")).toAbsolutePath().normalize();
        Path defaultDistribution = bench.resolveSibling("distribution").resolve("target").resolve("fastpool");
        Path defaultOut = bench.resolve("target").resolve("footprint");
        if (FootprintArguments.wantsHelp(args)) {
            System.out.print(FootprintArguments.usage(defaultDistribution, defaultOut));
            System.exit(EXIT_OK);
        }
        FootprintArguments arguments;
        try {
            arguments = FootprintArguments.parse(args, defaultDistribution, defaultOut);
            checkDistribution(arguments.distribution());
        } catch (IllegalArgumentException e) {
            System.err.println("footprint: " + e.getMessage() + "; see --help");
            System.exit(EXIT_USAGE);
            return;
        }
        Footprint footprint = new Footprint(arguments, System.out, System.err);
        Thread cleanup = new Thread(footprint::cleanUp, "footprint-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        int status = footprint.run();
        footprint.cleanUp();
        System.exit(status);
    }

    static void checkDistribution(Path distribution) {
        if (Files.isDirectory(distribution)) {
            if (!Files.isExecutable(distribution.resolve("bin").resolve("fastpool"))) {
                throw new IllegalArgumentException("--distribution " + distribution + " has no executable bin/fastpool");
            }
        } else if (Files.isRegularFile(distribution)) {
            if (!distribution.getFileName().toString().endsWith(".tar.gz")) {
                throw new IllegalArgumentException("--distribution " + distribution + " is neither a folder nor a .tar.gz");
            }
        } else {
            throw new IllegalArgumentException("--distribution " + distribution + " does not exist; build it with"
                    + " mvn -B -DskipTests package (at the project root), or name it with --distribution");
        }
    }

    /** Runs every count; returns the exit status. */
    int run() {
        List<Result> results = new ArrayList<>();
        boolean failed = false;
        for (int count : arguments.counts()) {
            Result result;
            try {
                result = measure(count);
            } catch (IOException | RuntimeException e) {
                result = Result.failed(count, e.getMessage() == null ? e.toString() : e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result = Result.failed(count, "interrupted");
            }
            if (result.failure() != null) {
                failed = true;
                log.println("footprint: N=" + count + " failed: " + result.failure());
            }
            results.add(result);
        }
        out.println();
        out.print(FootprintReport.table(arguments, results));
        try {
            Path csv = FootprintReport.writeCsv(arguments, results);
            out.println("CSV: " + csv);
        } catch (IOException e) {
            log.println("footprint: cannot write the CSV in " + arguments.out() + ": " + e.getMessage());
            failed = true;
        }
        return failed ? EXIT_FAILED : EXIT_OK;
    }

    // ---- one run ------------------------------------------------------------------------------

    private Result measure(int count) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("fastpool-footprint-" + count + "-");
        folders.add(work);
        Path home = work.resolve("fastpool");
        log.printf("N=%d: server folder %s%n", count, home);
        copyDistribution(arguments.distribution(), work, home);
        prepare(home);
        new AppBundleGenerator(arguments.poolHeader()).writeAll(home.resolve("deploy"), count);
        Path serverLog = home.resolve("log").resolve("console.out");

        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin").resolve("fastpool").toString())
                .directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(serverLog.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("JAVA", javaHome.resolve("bin").resolve("java").toString());
        environment.put("JAVA_OPTS", ("-Xmx" + arguments.maxHeap() + " " + arguments.javaOpts()).trim());
        long started = System.nanoTime();
        Process server = builder.start();
        running.add(server);
        try {
            Result result = measureRunning(count, home, server, started, serverLog);
            log.printf("N=%d: done%n", count);
            return result;
        } finally {
            stop(server);
            running.remove(server);
            if (!arguments.keepFiles()) {
                deleteTree(work);
                folders.remove(work);
            } else {
                log.printf("N=%d: kept %s%n", count, home);
            }
        }
    }

    private Result measureRunning(int count, Path home, Process server, long started, Path serverLog)
            throws IOException, InterruptedException {
        long deadline = started + arguments.timeout().toNanos();
        List<Integer> waiting = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            waiting.add(i);
        }
        long firstAnswer = -1;
        long lastAnswer = -1;
        long lastReport = System.nanoTime();
        Path socket = home.resolve("run").resolve("fastpool.sock");
        FcgiProbe probe = null;
        try {
            while (!waiting.isEmpty()) {
                if (!server.isAlive()) {
                    throw new IOException("the server exited (status " + server.exitValue() + ") with " + waiting.size() + " of "
                            + count + " apps not answered; its output: " + tail(serverLog));
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(waiting.size() + " of " + count + " apps had not answered after "
                            + arguments.timeout().toSeconds() + " s (--timeout); server output: " + tail(serverLog));
                }
                if (probe == null) {
                    try {
                        probe = Files.exists(socket) ? FcgiProbe.connect(socket) : null;
                    } catch (IOException notYet) {
                        probe = null;
                    }
                    if (probe == null) {
                        Thread.sleep(20);
                        continue;
                    }
                }
                boolean progress = false;
                for (int k = 0; k < waiting.size(); k++) {
                    int app = waiting.get(k);
                    int status;
                    try {
                        status = probe.get(AppBundleGenerator.mountPath(app), PROBE_TIMEOUT_MILLIS);
                    } catch (IOException e) {
                        probe.close();
                        probe = null;
                        break;
                    }
                    if (status == 200) {
                        long now = System.nanoTime();
                        if (firstAnswer < 0) {
                            firstAnswer = now - started;
                        }
                        lastAnswer = now;
                        waiting.remove(k--);
                        progress = true;
                    }
                }
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
                    if (mentionsOutOfMemory(serverLog)) {
                        throw new IOException("the server ran out of memory (-Xmx" + arguments.maxHeap() + ") with "
                                + (count - waiting.size()) + " of " + count + " apps answered; its output: " + tail(serverLog));
                    }
                    log.printf("N=%d: %d of %d apps answered after %.1f s%n", count, count - waiting.size(), count,
                            (System.nanoTime() - started) / 1e9);
                    lastReport = System.nanoTime();
                }
                if (!progress && !waiting.isEmpty()) {
                    Thread.sleep(20);
                }
            }
        } finally {
            if (probe != null) {
                probe.close();
            }
        }
        long allAnswered = lastAnswer - started;
        log.printf("N=%d: all %d apps answered %.2f s after start; measuring%n", count, count, allAnswered / 1e9);

        JvmProbe jvm = new JvmProbe(javaHome.resolve("bin").resolve("jcmd"), server.pid());
        JvmProbe.Sample answered = jvm.sample();

        // The idle time-out runs from each pool's last request; the watchdog looks every 200 ms and
        // idle workers notice within a second. Wait that long after the last app answered.
        long idleAt = lastAnswer + arguments.idleTimeout().toNanos() + TimeUnit.SECONDS.toNanos(3);
        sleepUntil(idleAt);
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (jvm.poolWorkers() > 0 && System.nanoTime() < giveUp) {
            Thread.sleep(1000);
        }
        JvmProbe.Sample idle = jvm.sample();
        Thread.sleep(IDLE_SETTLE_MILLIS);
        long ticks = jvm.cpuTicks();
        long from = System.nanoTime();
        Thread.sleep(IDLE_CPU_MILLIS);
        double seconds = (System.nanoTime() - from) / 1e9;
        double idleCpu = 100.0 * (jvm.cpuTicks() - ticks) / clockTicksPerSecond() / seconds;
        return new Result(count, firstAnswer / 1e9, allAnswered / 1e9, answered, idle, idleCpu, null);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** The server folder, copied from the built one or unpacked from its tarball. */
    private static void copyDistribution(Path distribution, Path work, Path home) throws IOException, InterruptedException {
        if (Files.isDirectory(distribution)) {
            copyTree(distribution, home);
            return;
        }
        Process tar = new ProcessBuilder("tar", "-xzf", distribution.toString(), "-C", work.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (tar.waitFor() != 0) {
            throw new IOException("cannot unpack " + distribution + ": " + output.trim());
        }
        if (!Files.isDirectory(home)) {
            try (Stream<Path> top = Files.list(work)) {
                List<Path> folders = top.filter(Files::isDirectory).toList();
                if (folders.size() != 1) {
                    throw new IOException(distribution + " does not unpack to one folder");
                }
                Files.move(folders.get(0), home);
            }
        }
    }

    /**
     * Makes the copy independent of any other server on this machine: listens on its own unix
     * socket only (no TCP port to collide on), starts with empty run/ and log/, and (unless
     * --keep-samples) has no sample apps in deploy/.
     */
    private void prepare(Path home) throws IOException {
        Path transport = home.resolve("conf").resolve("io.fastpool.transport.cfg");
        List<String> lines = Files.exists(transport) ? new ArrayList<>(Files.readAllLines(transport)) : new ArrayList<>();
        lines.removeIf(line -> line.trim().startsWith("listen") && line.trim().substring(6).trim().matches("[=:].*"));
        lines.add("listen = unix:run/fastpool.sock");
        Files.write(transport, lines);
        for (String folder : List.of("run", "log", "deploy")) {
            Path path = home.resolve(folder);
            if (Files.isDirectory(path) && !(folder.equals("deploy") && arguments.keepSamples())) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
                    for (Path entry : entries) {
                        deleteTree(entry);
                    }
                }
            }
            Files.createDirectories(path);
        }
    }

    private static void stop(Process server) throws InterruptedException {
        if (!server.isAlive()) {
            return;
        }
        List<ProcessHandle> children = server.descendants().toList();
        server.destroy();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** Shutdown hook, and after the runs: no server outlives the command, no folder is left unless kept. */
    void cleanUp() {
        List<Process> servers;
        synchronized (running) {
            servers = new ArrayList<>(running);
            running.clear();
        }
        for (Process server : servers) {
            try {
                stop(server);
            } catch (InterruptedException e) {
                server.destroyForcibly();
            }
        }
        if (!arguments.keepFiles()) {
            List<Path> left;
            synchronized (folders) {
                left = new ArrayList<>(folders);
                folders.clear();
            }
            for (Path folder : left) {
                try {
                    deleteTree(folder);
                } catch (IOException | UncheckedIOException e) {
                    log.println("footprint: could not delete " + folder + ": " + e.getMessage());
                }
            }
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static boolean mentionsOutOfMemory(Path serverLog) {
        try (Stream<String> lines = Files.lines(serverLog, StandardCharsets.ISO_8859_1)) {
            return lines.anyMatch(line -> line.contains("java.lang.OutOfMemoryError"));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    private static long clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String text = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(text) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
