package io.fastpool.status.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The host's CPU as the JVM sees it, for the advice (are requests waiting while the CPU is idle?).
 *
 * @param processors processors available to the JVM
 * @param loadAverage the system load average over the last minute, or a negative number where the OS has none
 * @param systemCpuLoad the whole system's recent CPU use, 0 to 1, or negative when unknown
 * @param processCpuLoad this JVM's recent CPU use, 0 to 1 of all processors, or negative when unknown
 */
record SystemFigures(int processors, double loadAverage, double systemCpuLoad, double processCpuLoad) {

    /** Figures that say nothing: for tests and when the platform offers none. */
    static final SystemFigures UNKNOWN = new SystemFigures(1, -1, -1, -1);

    /**
     * How busy the CPU is, 0 to 1: the system CPU load where the JVM reports one, else the load
     * average per processor (capped at 1), else negative (unknown).
     */
    double cpuBusy() {
        if (systemCpuLoad >= 0) {
            return Math.min(1, systemCpuLoad);
        }
        if (loadAverage >= 0 && processors > 0) {
            return Math.min(1, loadAverage / processors);
        }
        return -1;
    }

    /** Where {@link #cpuBusy()} comes from. */
    String cpuBusySource() {
        if (systemCpuLoad >= 0) {
            return "system CPU load";
        }
        if (loadAverage >= 0 && processors > 0) {
            return "load average per processor";
        }
        return "unknown";
    }

    /** Reads the platform MXBeans. The CPU loads are measured since the previous read by anyone in this JVM. */
    static SystemFigures read() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return new SystemFigures(os.getAvailableProcessors(), os.getSystemLoadAverage(),
                attribute("CpuLoad", attribute("SystemCpuLoad", -1)), attribute("ProcessCpuLoad", -1));
    }

    /**
     * A numeric attribute of the OperatingSystem MXBean, read through JMX rather than through
     * {@code com.sun.management}, which not every framework exports to bundles.
     */
    private static double attribute(String name, double fallback) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Object value = server.getAttribute(new ObjectName(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME), name);
            if (value instanceof Number number && !Double.isNaN(number.doubleValue()) && number.doubleValue() >= 0) {
                return number.doubleValue();
            }
        } catch (Exception | LinkageError unavailable) {
            // not offered by this JVM
        }
        return fallback;
    }
}
