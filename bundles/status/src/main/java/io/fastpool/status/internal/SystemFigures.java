package io.fastpool.status.internal;

import java.time.Duration;

/**
 * How busy the CPU was over the last sample window, as {@link CpuSampler} measured it, for the
 * page, the metrics and the advice (are requests waiting while the CPU is idle?).
 *
 * @param processors processors available to the JVM
 * @param loadAverage the system load average over the last minute, or negative where the OS has none
 * @param systemCpuLoad the machine's (or the container's, under a CPU limit) busy share over the
 *     window, 0 to 1, or negative when unknown
 * @param processCpuLoad this JVM's CPU time over the window, 0 to 1 of all processors, or negative when unknown
 * @param source where {@code systemCpuLoad} came from
 * @param window how long the window was
 */
record SystemFigures(int processors, double loadAverage, double systemCpuLoad, double processCpuLoad,
        CpuSampler.Source source, Duration window) {

    /** Figures that say nothing: for tests and before the first window has closed. */
    static final SystemFigures UNKNOWN = new SystemFigures(1, -1, -1, -1, CpuSampler.Source.UNKNOWN, Duration.ZERO);

    /** Figures from the machine over a five-second window: for tests. */
    SystemFigures(int processors, double loadAverage, double systemCpuLoad, double processCpuLoad) {
        this(processors, loadAverage, systemCpuLoad, processCpuLoad,
                systemCpuLoad < 0 ? CpuSampler.Source.UNKNOWN : CpuSampler.Source.MACHINE, Duration.ofSeconds(5));
    }

    /** How busy the CPU was, 0 to 1, or negative when unknown (then no advice depends on it). */
    double cpuBusy() {
        return systemCpuLoad < 0 ? -1 : Math.min(1, systemCpuLoad);
    }

    /** Where {@link #cpuBusy()} comes from and over what window, e.g. "/proc/stat over 5.0 s". */
    String cpuBusySource() {
        if (cpuBusy() < 0) {
            return CpuSampler.Source.UNKNOWN.label();
        }
        return source.label() + " over " + String.format(java.util.Locale.ROOT, "%.1f", window.toMillis() / 1000.0) + " s";
    }
}
