package io.fastpool.bench.footprint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The command line of {@code bench/footprint}, parsed and checked: a bad argument is an
 * {@link IllegalArgumentException} whose message names it.
 *
 * @param counts how many idle apps each run deploys, one server start per count
 * @param distribution the built server: {@code distribution/target/fastpool} or its {@code .tar.gz}
 * @param out where the CSV goes
 * @param maxHeap the server's {@code -Xmx}
 * @param javaOpts more JVM options for the server, or empty
 * @param idleTimeout the apps' pool {@code idleTimeout} (their {@code Fastpool-Pool} header)
 * @param timeout the longest wait for every app to answer once
 * @param keepSamples whether the distribution's sample apps stay in {@code deploy/}
 * @param keepFiles whether each run's server folder is kept (its path is printed)
 */
record FootprintArguments(List<Integer> counts, Path distribution, Path out, String maxHeap, String javaOpts,
        Duration idleTimeout, Duration timeout, boolean keepSamples, boolean keepFiles) {

    static final int MAX_COUNT = 100_000;
    private static final Pattern HEAP_SIZE = Pattern.compile("[1-9][0-9]*[kKmMgG]?");

    static String usage(Path defaultDistribution, Path defaultOut) {
        return """
                usage: bench/footprint [options]

                Starts the built server with N idle app bundles for each N, and measures the time until the
                last app has answered once, then heap (after a full GC), RSS and threads, once right after
                every app answered and again after their idle time-out. Prints a table and writes a CSV.

                  --counts N,N,...      app counts, one server start each (default 1,100,2000)
                  --distribution PATH   the built server folder or its .tar.gz
                                        (default %s)
                  --out DIR             where the CSV goes (default %s)
                  --xmx SIZE            the server's maximum heap, as -Xmx (default 512m)
                  --java-opts 'OPTS'    more JVM options for the server
                  --idle-timeout TIME   the apps' pool idleTimeout (default 5s; 500ms, 30s, 2m)
                  --timeout TIME        longest wait for every app to answer once (default 10m)
                  --keep-samples        keep the distribution's sample apps in deploy/ (default: removed)
                  --keep                keep each run's server folder (default: deleted)
                  -h, --help            this text

                Exit status: 0 every run measured, 1 a run failed, 2 bad arguments.
                """.formatted(defaultDistribution, defaultOut);
    }

    static boolean wantsHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    static FootprintArguments parse(String[] args, Path defaultDistribution, Path defaultOut) {
        List<Integer> counts = List.of(1, 100, 2000);
        Path distribution = defaultDistribution;
        Path out = defaultOut;
        String maxHeap = "512m";
        String javaOpts = "";
        Duration idleTimeout = Duration.ofSeconds(5);
        Duration timeout = Duration.ofMinutes(10);
        boolean keepSamples = false;
        boolean keepFiles = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--keep-samples" -> keepSamples = true;
                case "--keep" -> keepFiles = true;
                case "--counts", "--distribution", "--out", "--xmx", "--java-opts", "--idle-timeout", "--timeout" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(option + " needs a value");
                    }
                    String value = args[++i];
                    switch (option) {
                        case "--counts" -> counts = parseCounts(value);
                        case "--distribution" -> distribution = Path.of(value);
                        case "--out" -> out = Path.of(value);
                        case "--xmx" -> {
                            if (!HEAP_SIZE.matcher(value).matches()) {
                                throw new IllegalArgumentException("--xmx must be a size like 512m or 2g, was '" + value + "'");
                            }
                            maxHeap = value;
                        }
                        case "--java-opts" -> javaOpts = value.trim();
                        case "--idle-timeout" -> idleTimeout = positive(option, value);
                        default -> timeout = positive(option, value);
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument '" + option + "'");
            }
        }
        return new FootprintArguments(counts, distribution, out, maxHeap, javaOpts, idleTimeout, timeout, keepSamples,
                keepFiles);
    }

    static List<Integer> parseCounts(String text) {
        List<Integer> counts = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String trimmed = part.trim();
            int count;
            try {
                count = Integer.parseInt(trimmed);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--counts must be whole numbers separated by commas, such as 1,100,2000; '"
                        + trimmed + "' is not one");
            }
            if (count < 1 || count > MAX_COUNT) {
                throw new IllegalArgumentException("--counts: each count must be between 1 and " + MAX_COUNT + ", was " + count);
            }
            counts.add(count);
        }
        return List.copyOf(counts);
    }

    private static Duration positive(String option, String value) {
        Duration duration;
        try {
            duration = io.fastpool.bench.load.Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " must be a time like 500ms, 30s or 2m, was '" + value + "'");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(option + " must be more than 0, was '" + value + "'");
        }
        return duration;
    }

    /** The {@code Fastpool-Pool} value the generated bundles carry. */
    String poolHeader() {
        return "idleTimeout=" + idleTimeout.toMillis() + "ms";
    }
}
