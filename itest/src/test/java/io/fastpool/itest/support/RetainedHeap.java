package io.fastpool.itest.support;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Samples the heap that survives a full collection while something runs: the memory the code
 * under test really holds, unlike the used heap, which includes garbage not yet collected.
 */
public final class RetainedHeap implements AutoCloseable {

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final long baseline;
    private volatile long peak;
    private volatile boolean running = true;
    private final Thread sampler;

    private RetainedHeap() {
        baseline = retainedNow();
        peak = baseline;
        sampler = new Thread(() -> {
            while (running) {
                long now = retainedNow();
                if (now > peak) {
                    peak = now;
                }
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "retained-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    public static RetainedHeap start() {
        return new RetainedHeap();
    }

    private long retainedNow() {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Peak retained heap above the baseline, in bytes. */
    public long peakAboveBaseline() {
        return Math.max(0, peak - baseline);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.interrupt();
        sampler.join(5000);
    }
}
