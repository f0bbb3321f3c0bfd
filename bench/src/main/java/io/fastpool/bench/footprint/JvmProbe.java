package io.fastpool.bench.footprint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a running JVM's figures from outside: heap and metaspace used after a full GC
 * ({@code jcmd PID GC.run}, then {@code GC.heap_info}), threads by name ({@code Thread.print}),
 * RSS, OS threads and CPU time ({@code /proc/PID/status} and {@code /proc/PID/stat}).
 */
final class JvmProbe {

    /** Workers of a pool are named {@code fastpool-pool-POOL-N}; these two threads of the pool manager share the prefix. */
    static final String WORKER_PREFIX = "fastpool-pool-";
    private static final List<String> NOT_WORKERS = List.of("fastpool-pool-manager-", "fastpool-pool-watchdog");
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private final Path jcmd;
    private final long pid;

    JvmProbe(Path jcmd, long pid) {
        this.jcmd = jcmd;
        this.pid = pid;
    }

    /** The figures of one moment. */
    record Sample(long heapUsedKb, long metaspaceUsedKb, long rssKb, int osThreads, int javaThreads, int poolWorkers) {
    }

    /** Threads first (a GC does not change them), then a full GC and the heap, then RSS. */
    Sample sample() throws IOException {
        Threads threads = parseThreads(jcmd("Thread.print"));
        jcmd("GC.run");
        long[] heap = parseHeapInfo(jcmd("GC.heap_info"));
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        return new Sample(heap[0], heap[1], statusField(status, "VmRSS"), (int) statusField(status, "Threads"),
                threads.total(), threads.poolWorkers());
    }

    /** Pool worker threads alive now. */
    int poolWorkers() throws IOException {
        return parseThreads(jcmd("Thread.print")).poolWorkers();
    }

    /** CPU time (user + system) the process has used, in clock ticks. */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // Fields after the command name in parentheses (which may hold spaces): state is field 3, utime 14, stime 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private String jcmd(String command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("jcmd " + pid + " " + command + " did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for jcmd " + command, e);
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed (exit " + process.exitValue() + "): "
                    + text.lines().limit(3).toList());
        }
        return text;
    }

    /** Threads counted from {@code Thread.print}: Java threads, and those of them that are pool workers. */
    record Threads(int total, int poolWorkers, List<String> workerNames) {
    }

    static Threads parseThreads(String threadPrint) {
        int total = 0;
        List<String> workers = new ArrayList<>();
        for (String line : threadPrint.lines().toList()) {
            // A Java thread's header: "name" #12 daemon prio=5 ...; VM threads ("VM Thread" os_prio=0 ...) have no number.
            if (!line.startsWith("\"")) {
                continue;
            }
            int close = line.indexOf("\" #");
            if (close < 0) {
                continue;
            }
            total++;
            String name = line.substring(1, close);
            if (name.startsWith(WORKER_PREFIX) && NOT_WORKERS.stream().noneMatch(name::startsWith)) {
                workers.add(name);
            }
        }
        return new Threads(total, workers.size(), List.copyOf(workers));
    }

    /**
     * From {@code GC.heap_info}: the heap's used KiB (the sum over its generations' lines, for
     * collectors that print one per generation) and Metaspace's.
     */
    static long[] parseHeapInfo(String heapInfo) {
        long heap = 0;
        long metaspace = -1;
        boolean seenHeap = false;
        for (String line : heapInfo.lines().toList()) {
            String trimmed = line.trim();
            Matcher used = USED.matcher(line);
            if (!used.find()) {
                continue;
            }
            if (trimmed.startsWith("Metaspace")) {
                metaspace = Long.parseLong(used.group(1));
            } else if (trimmed.startsWith("class space")) {
                continue; // part of Metaspace
            } else if (line.contains(" total ") && metaspace < 0) {
                heap += Long.parseLong(used.group(1));
                seenHeap = true;
            }
        }
        if (!seenHeap) {
            throw new IllegalArgumentException("no heap figure in GC.heap_info: " + heapInfo.lines().limit(4).toList());
        }
        return new long[] {heap, metaspace};
    }

    /** A {@code Name:  123 kB} or {@code Name: 45} line of {@code /proc/PID/status}, as a number. */
    static long statusField(String status, String name) {
        for (String line : status.lines().toList()) {
            if (line.startsWith(name + ":")) {
                String value = line.substring(name.length() + 1).trim();
                int space = value.indexOf(' ');
                return Long.parseLong(space < 0 ? value : value.substring(0, space));
            }
        }
        throw new IllegalArgumentException("no " + name + " in /proc status");
    }
}
