package io.fastpool.bench.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Sums the {@code jdk.ObjectAllocationSample} events of a JFR recording by allocation site: the
 * allocated class and the innermost Fastpool frame (the line of server code that asked for the
 * memory, however deep in the JDK or netty the allocation itself happened). Only allocations under
 * a frame matching {@code --under} count (default: the JMH benchmark loop and the pool's workers).
 * Each sample's weight is the bytes it stands for, so shares are shares of bytes allocated. A
 * recording made with {@code -XX:-UseTLAB} has a {@code jdk.ObjectAllocationOutsideTLAB} event for
 * every single allocation, with its exact size; those are used instead of the samples when present.
 *
 * <p>{@code --requests N} divides each site's bytes by the requests the recording covers (the count
 * of an object made once per request, such as {@code FcgiExchange}, in an exact recording).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.fastpool.bench.profile.AllocationSites recording.jfr [--top N] [--under TEXT] [--requests N]
 * </pre>
 *
 * For many samples, record with the allocation throttle at its maximum and small fixed TLABs (see
 * bench/README.md, "Profiling allocations").
 */
public final class AllocationSites {

    private AllocationSites() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: AllocationSites RECORDING.jfr [--top N] [--under TEXT]... [--requests N]");
            System.exit(args.length == 0 ? 2 : 0);
        }
        Path file = Path.of(args[0]);
        int top = 30;
        long requests = 0;
        List<String> under = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                fail(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--top" -> top = Integer.parseInt(value);
                case "--requests" -> requests = Long.parseLong(value);
                case "--under" -> under.add(value);
                default -> fail("unknown option " + option);
            }
        }
        if (under.isEmpty()) {
            under.add("jmh_generated");
            under.add("io.fastpool.pool.internal.Workers.work");
        }
        if (!Files.isReadable(file)) {
            fail("cannot read " + file);
        }
        Map<String, long[]> bySite = new HashMap<>();
        Map<String, String> exampleStack = new HashMap<>();
        long total = 0;
        boolean exact = false;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                String type = event.getEventType().getName();
                boolean exactEvent = type.equals("jdk.ObjectAllocationOutsideTLAB");
                if (!exactEvent && !type.equals("jdk.ObjectAllocationSample")) {
                    continue;
                }
                if (exactEvent && !exact) {
                    // The first exact event: the run had no TLABs, so every allocation is here; drop the samples.
                    exact = true;
                    bySite.clear();
                    exampleStack.clear();
                    total = 0;
                }
                if (exact && !exactEvent) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || !isUnder(stack, under)) {
                    continue;
                }
                long weight = exactEvent ? event.getLong("allocationSize") : event.getLong("weight");
                total += weight;
                String site = event.getClass("objectClass").getName() + "  at " + innermostFastpoolFrame(stack);
                long[] sum = bySite.computeIfAbsent(site, s -> new long[2]);
                sum[0] += weight;
                sum[1]++;
                exampleStack.putIfAbsent(site, describe(stack, 6));
            }
        }
        if (total == 0) {
            System.out.println("no allocation samples under " + under + " in " + file);
            return;
        }
        System.out.printf("%d bytes under %s, %s%n%n", total, under, exact
                ? "every allocation (jdk.ObjectAllocationOutsideTLAB: the run had no TLABs)"
                : "sampled (jdk.ObjectAllocationSample weights: each sample stands for a TLAB's bytes, so classes are approximate)");
        long perRequest = requests;
        System.out.println(perRequest > 0 ? "share  B/request   count  class  at innermost Fastpool frame"
                : "share       bytes   count  class  at innermost Fastpool frame");
        long grandTotal = total;
        bySite.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .limit(top)
                .forEach(entry -> System.out.printf("%5.1f%% %11s %7d  %s%n        %s%n",
                        100.0 * entry.getValue()[0] / grandTotal,
                        perRequest > 0 ? String.format("%.1f", (double) entry.getValue()[0] / perRequest)
                                : Long.toString(entry.getValue()[0]),
                        entry.getValue()[1], entry.getKey(), exampleStack.get(entry.getKey())));
        if (perRequest > 0) {
            System.out.printf("%ntotal %.1f B/request over %d requests%n", (double) total / perRequest, perRequest);
        }
    }

    private static boolean isUnder(RecordedStackTrace stack, List<String> under) {
        for (RecordedFrame frame : stack.getFrames()) {
            String method = frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
            for (String text : under) {
                if (method.contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String innermostFastpoolFrame(RecordedStackTrace stack) {
        for (RecordedFrame frame : stack.getFrames()) {
            String type = frame.getMethod().getType().getName();
            if (type.startsWith("io.fastpool.") && !type.startsWith("io.fastpool.listener.internal.LoopConnection")
                    && !type.contains("jmh_generated")) {
                return frame(frame);
            }
        }
        return stack.getFrames().isEmpty() ? "?" : frame(stack.getFrames().get(0));
    }

    private static String describe(RecordedStackTrace stack, int depth) {
        StringBuilder text = new StringBuilder();
        List<RecordedFrame> frames = stack.getFrames();
        for (int i = 0; i < Math.min(depth, frames.size()); i++) {
            if (i > 0) {
                text.append(" < ");
            }
            text.append(frame(frames.get(i)));
        }
        return text.toString();
    }

    private static String frame(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName() + ":" + frame.getLineNumber();
    }

    private static void fail(String message) {
        System.err.println("AllocationSites: " + message);
        System.exit(2);
    }
}
