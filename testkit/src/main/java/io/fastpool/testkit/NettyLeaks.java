package io.fastpool.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes a leaked netty buffer fail the build.
 *
 * <p>Netty's leak detector only logs what it finds, and only when a later allocation happens to
 * poll its queue. This class installs a detector factory whose detectors record every report, and
 * {@link #assertNoLeaks()} forces the garbage collector and the detectors to run, then fails with
 * the recorded access trails. {@link NettyLeakSessionListener} installs it before any test class
 * loads, at level {@code PARANOID}, and {@link NettyLeakExtension} checks after every test class.
 */
public final class NettyLeaks {

    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private NettyLeaks() {
    }

    /**
     * Installs the recording detector factory and sets the level to {@code PARANOID}. Must run
     * before the first {@code ByteBuf} class initialises; later calls do nothing.
     */
    public static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
            ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        }
    }

    /** Whether the recording factory is the one netty uses. */
    public static boolean installed() {
        return INSTALLED.get();
    }

    /**
     * Collects garbage, lets the detectors report what they found, and fails if any buffer was
     * garbage-collected without being released since the last call.
     */
    public static void assertNoLeaks() {
        List<String> found = drain();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " netty buffer leak(s) detected:\n" + String.join("\n\n", found));
        }
    }

    /** Collects garbage, polls the detectors and returns (and forgets) every leak reported so far. */
    public static List<String> drain() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            // A detector reports only when it tracks a new object: allocate through each kind of buffer.
            poke(UnpooledByteBufAllocator.DEFAULT.directBuffer(1));
            poke(PooledByteBufAllocator.DEFAULT.heapBuffer(1));
            poke(PooledByteBufAllocator.DEFAULT.directBuffer(1));
        }
        List<String> found = new ArrayList<>();
        for (String report; (report = REPORTS.poll()) != null; ) {
            found.add(report);
        }
        return found;
    }

    private static void poke(ByteBuf buffer) {
        buffer.release();
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            REPORTS.add("LEAK of " + resourceType + ":" + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            REPORTS.add("LEAK of " + resourceType + " (no access records)");
        }
    }
}
