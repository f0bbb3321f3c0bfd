package io.fastpool.pool.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time and bytes allocated by the current thread, for per-pool figures. Allocated bytes come
 * from {@code com.sun.management.ThreadMXBean}, found reflectively so the bundle imports nothing
 * outside java.*; where it is missing the figure is 0.
 */
final class ThreadCost {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final MethodHandle ALLOCATED = allocatedBytesHandle();
    private static final MethodHandle ALLOCATED_BY = allocatedBytesByIdHandle();

    private ThreadCost() {
    }

    static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    }

    static long allocatedBytes() {
        if (ALLOCATED == null) {
            return 0;
        }
        try {
            return (long) ALLOCATED.invoke(THREADS);
        } catch (Throwable e) {
            return 0;
        }
    }

    /** CPU time of {@code thread} so far (0 once it has ended, or where unsupported). */
    static long cpuNanos(Thread thread) {
        if (!THREADS.isThreadCpuTimeSupported()) {
            return 0;
        }
        long nanos = THREADS.getThreadCpuTime(thread.getId());
        return Math.max(0, nanos);
    }

    /** Bytes {@code thread} has allocated so far (0 once it has ended, or where unsupported). */
    static long allocatedBytes(Thread thread) {
        if (ALLOCATED_BY == null) {
            return 0;
        }
        try {
            return Math.max(0, (long) ALLOCATED_BY.invoke(THREADS, thread.getId()));
        } catch (Throwable e) {
            return 0;
        }
    }

    private static MethodHandle allocatedBytesByIdHandle() {
        try {
            Class<?> extended = Class.forName("com.sun.management.ThreadMXBean", false, ClassLoader.getPlatformClassLoader());
            if (!extended.isInstance(THREADS)) {
                return null;
            }
            return MethodHandles.publicLookup().findVirtual(extended, "getThreadAllocatedBytes",
                    MethodType.methodType(long.class, long.class)).asType(MethodType.methodType(long.class, ThreadMXBean.class, long.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static MethodHandle allocatedBytesHandle() {
        try {
            Class<?> extended = Class.forName("com.sun.management.ThreadMXBean", false, ClassLoader.getPlatformClassLoader());
            if (!extended.isInstance(THREADS)) {
                return null;
            }
            return MethodHandles.publicLookup().findVirtual(extended, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                    .asType(MethodType.methodType(long.class, ThreadMXBean.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
