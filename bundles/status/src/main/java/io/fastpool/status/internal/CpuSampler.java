package io.fastpool.status.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import javax.management.ObjectName;

/**
 * The one measurement of how busy the CPU is, over a known window, that every figure and every
 * advice of the status bundle reads. The JDK's {@code getCpuLoad()} measures since its previous
 * call by anyone in the process, so two readers (a sampler and a page) each saw a window of a few
 * milliseconds and mostly 0; here, {@link #sample()} is called on a fixed period by one thread and
 * each reader gets the last whole window.
 *
 * <p>Sources, from cumulative counters read at each sample:
 * <ul>
 *   <li>the machine: {@code /proc/stat}'s first line (busy = user, nice, system, irq, softirq,
 *       steal; of those plus idle and iowait);
 *   <li>a container with a CPU limit: the cgroup's usage over its quota ({@code cpu.max} and
 *       {@code cpu.stat} in cgroup v2; {@code cpu.cfs_quota_us}, {@code cpu.cfs_period_us} and
 *       {@code cpuacct.usage} in v1), which replaces the machine's figure, since the limit is what
 *       the server can have;
 *   <li>this process: its CPU time (the OperatingSystem MXBean's {@code ProcessCpuTime}) over the
 *       window's wall time times the processors available.
 * </ul>
 * Where a source is missing (no {@code /proc}, no such MXBean attribute), its figure is unknown
 * (negative) and says so; no advice is built on an unknown figure.
 */
final class CpuSampler {

    /** Where the busy figure came from. */
    enum Source {
        MACHINE("/proc/stat"), CONTAINER("the cgroup's CPU quota"), UNKNOWN("unknown");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** Cumulative counters at one moment; negative where unknown. */
    record Counters(long nanoTime, long machineBusy, long machineTotal, long cgroupUsageNanos, double cgroupCpus,
            long processCpuNanos) {}

    private final Path root;
    private final LongSupplier processCpuNanos;
    private final LongSupplier nanoTime;
    private final int processors;
    private Counters previous;
    private volatile SystemFigures latest;

    /** Reads this machine's {@code /proc} and {@code /sys}. */
    CpuSampler() {
        this(Path.of("/"), CpuSampler::processCpuTime, System::nanoTime, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param root where {@code proc/} and {@code sys/} are (tests give a folder of their own)
     * @param processCpuNanos this process's CPU time so far, or negative when unknown
     */
    CpuSampler(Path root, LongSupplier processCpuNanos, LongSupplier nanoTime, int processors) {
        this.root = root;
        this.processCpuNanos = processCpuNanos;
        this.nanoTime = nanoTime;
        this.processors = processors;
        this.previous = read();
        this.latest = new SystemFigures(processors, loadAverage(), -1, -1, Source.UNKNOWN, Duration.ZERO);
    }

    /** Closes the current window and starts the next; call it from one thread, on a fixed period. */
    synchronized SystemFigures sample() {
        Counters now = read();
        Counters before = previous;
        previous = now;
        long wallNanos = now.nanoTime() - before.nanoTime();
        double busy = -1;
        Source source = Source.UNKNOWN;
        if (now.cgroupCpus() > 0 && before.cgroupUsageNanos() >= 0 && now.cgroupUsageNanos() >= 0 && wallNanos > 0) {
            busy = (now.cgroupUsageNanos() - before.cgroupUsageNanos()) / (wallNanos * now.cgroupCpus());
            source = Source.CONTAINER;
        } else if (before.machineTotal() >= 0 && now.machineTotal() > before.machineTotal()) {
            busy = (double) (now.machineBusy() - before.machineBusy()) / (now.machineTotal() - before.machineTotal());
            source = Source.MACHINE;
        }
        double process = -1;
        if (before.processCpuNanos() >= 0 && now.processCpuNanos() >= 0 && wallNanos > 0) {
            process = (now.processCpuNanos() - before.processCpuNanos()) / ((double) wallNanos * processors);
        }
        SystemFigures figures = new SystemFigures(processors, loadAverage(), clamp(busy), clamp(process), source,
                Duration.ofNanos(Math.max(0, wallNanos)));
        latest = figures;
        return figures;
    }

    /** The last whole window's figures (unknown until the first {@link #sample()}). */
    SystemFigures latest() {
        return latest;
    }

    private static double clamp(double fraction) {
        return fraction < 0 ? -1 : Math.min(1, fraction);
    }

    private Counters read() {
        long machineBusy = -1;
        long machineTotal = -1;
        String cpuLine = firstLine(root.resolve("proc/stat"));
        if (cpuLine != null && cpuLine.startsWith("cpu ")) {
            String[] fields = cpuLine.substring(4).trim().split("\\s+");
            if (fields.length >= 4) {
                long[] values = new long[Math.min(fields.length, 8)];
                for (int i = 0; i < values.length; i++) {
                    values[i] = parse(fields[i]);
                }
                long idle = values[3] + (values.length > 4 ? values[4] : 0);
                long busy = values[0] + values[1] + values[2];
                for (int i = 5; i < values.length; i++) {
                    busy += values[i];
                }
                machineBusy = busy;
                machineTotal = busy + idle;
            }
        }
        long usage = -1;
        double cpus = -1;
        Cgroup cgroup = cgroup();
        if (cgroup != null) {
            cpus = cgroup.quotaCpus();
            usage = cpus > 0 ? cgroup.usageNanos() : -1;
        }
        return new Counters(nanoTime.getAsLong(), machineBusy, machineTotal, usage, cpus, processCpuNanos.getAsLong());
    }

    /** The cgroup this process runs in, where the files say one limits its CPU; else null. */
    private Cgroup cgroup() {
        List<String> lines = lines(root.resolve("proc/self/cgroup"));
        Path cgroups = root.resolve("sys/fs/cgroup");
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && parts[0].equals("0") && parts[1].isEmpty()
                    && Files.exists(under(cgroups, parts[2]).resolve("cpu.max"))) {
                Path folder = under(cgroups, parts[2]);
                return new Cgroup(2, folder.resolve("cpu.max"), null, folder.resolve("cpu.stat"));
            }
        }
        Path cpu = null;
        Path accounting = null;
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3) {
                List<String> controllers = List.of(parts[1].split(","));
                if (controllers.contains("cpu")) {
                    cpu = under(cgroups.resolve(parts[1]), parts[2]);
                }
                if (controllers.contains("cpuacct")) {
                    accounting = under(cgroups.resolve(parts[1]), parts[2]);
                }
            }
        }
        if (cpu == null || accounting == null || !Files.exists(cpu.resolve("cpu.cfs_quota_us"))) {
            return null;
        }
        return new Cgroup(1, cpu.resolve("cpu.cfs_quota_us"), cpu.resolve("cpu.cfs_period_us"), accounting.resolve("cpuacct.usage"));
    }

    private static Path under(Path base, String cgroupPath) {
        String relative = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return relative.isEmpty() ? base : base.resolve(relative);
    }

    /**
     * One cgroup's CPU files. Version 2: {@code quota} is {@code cpu.max} ("QUOTA PERIOD" or "max
     * PERIOD") and {@code usage} is {@code cpu.stat} (its {@code usage_usec}). Version 1: the quota
     * and period files ({@code -1}: none) and {@code cpuacct.usage} (nanoseconds).
     */
    private record Cgroup(int version, Path quota, Path period, Path usage) {

        /** The CPUs the quota allows (2.5 for 250 ms per 100 ms), or -1 without a quota. */
        double quotaCpus() {
            long quotaMicros;
            long periodMicros;
            if (version == 2) {
                String max = firstLine(quota);
                String[] parts = max == null ? new String[0] : max.trim().split("\\s+");
                if (parts.length != 2 || parts[0].equals("max")) {
                    return -1;
                }
                quotaMicros = parse(parts[0]);
                periodMicros = parse(parts[1]);
            } else {
                quotaMicros = parse(firstLine(quota));
                periodMicros = parse(firstLine(period));
            }
            return quotaMicros > 0 && periodMicros > 0 ? (double) quotaMicros / periodMicros : -1;
        }

        long usageNanos() {
            if (version == 1) {
                return parse(firstLine(usage));
            }
            for (String line : lines(usage)) {
                if (line.startsWith("usage_usec ")) {
                    long micros = parse(line.substring("usage_usec ".length()));
                    return micros < 0 ? -1 : micros * 1000;
                }
            }
            return -1;
        }
    }

    private double loadAverage() {
        String line = firstLine(root.resolve("proc/loadavg"));
        if (line != null) {
            try {
                return Double.parseDouble(line.trim().split("\\s+")[0]);
            } catch (NumberFormatException e) {
                // fall through: unknown
            }
        }
        return -1;
    }

    private static String firstLine(Path file) {
        List<String> lines = lines(file);
        return lines.isEmpty() ? null : lines.get(0);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static long parse(String text) {
        if (text == null) {
            return -1;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * This process's CPU time in nanoseconds, through JMX rather than {@code com.sun.management},
     * which not every framework exports to bundles; negative when the JVM does not say.
     */
    private static long processCpuTime() {
        try {
            Object value = ManagementFactory.getPlatformMBeanServer().getAttribute(
                    new ObjectName(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME), "ProcessCpuTime");
            return value instanceof Number number ? number.longValue() : -1;
        } catch (Exception | LinkageError unavailable) {
            return -1;
        }
    }
}
