package io.fastpool.bench.footprint;

import io.fastpool.config.Durations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line of {@code bench/footprint}, read by picocli and checked: a bad argument is an
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

    /** The usage text, naming the default folders. */
    static String usage(Path defaultDistribution, Path defaultOut) {
        StringWriter text = new StringWriter();
        new CommandLine(new Options(defaultDistribution, defaultOut)).usage(new PrintWriter(text), CommandLine.Help.Ansi.OFF);
        return text.toString();
    }

    /** Whether {@code -h} or {@code --help} is among the arguments, even beside a bad one. */
    static boolean wantsHelp(String[] args) {
        CommandLine line = new CommandLine(new Options(Path.of(""), Path.of("")));
        try {
            line.parseArgs(args);
        } catch (ParameterException e) {
            // parse() reports it; picocli has read every argument, so a --help among them is seen.
        }
        return line.isUsageHelpRequested();
    }

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException whose message names the argument that is wrong
     */
    static FootprintArguments parse(String[] args, Path defaultDistribution, Path defaultOut) {
        Options options = new Options(defaultDistribution, defaultOut);
        try {
            new CommandLine(options).parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new FootprintArguments(options.counts, options.distribution, options.out, options.maxHeap,
                options.javaOpts.trim(), options.idleTimeout, options.timeout, options.keepSamples, options.keepFiles);
    }

    /** The options as picocli reads them; each field's initial value is its default. */
    @Command(name = "bench/footprint", usageHelpWidth = 100, sortOptions = false, synopsisHeading = "usage: ",
            customSynopsis = "bench/footprint [options]", descriptionHeading = "%n", description = {
                "Starts the built server with N idle app bundles for each N, and measures the time until the",
                "last app has answered once, then heap (after a full GC), RSS and threads, once right after",
                "every app answered and again after their idle time-out. Prints a table and writes a CSV."},
            optionListHeading = "%n", footerHeading = "%n",
            footer = "Exit status: 0 every run measured, 1 a run failed, 2 bad arguments.")
    static final class Options {

        @Option(names = "--counts", paramLabel = "N,N,...", converter = CountsConverter.class,
                description = "app counts, one server start each (default 1,100,2000)")
        List<Integer> counts = List.of(1, 100, 2000);

        @Option(names = "--distribution", paramLabel = "PATH",
                description = "the built server folder or its .tar.gz (default ${DEFAULT-VALUE})")
        Path distribution;

        @Option(names = "--out", paramLabel = "DIR", description = "where the CSV goes (default ${DEFAULT-VALUE})")
        Path out;

        @Option(names = "--xmx", paramLabel = "SIZE", converter = HeapSizeConverter.class,
                description = "the server's maximum heap, as -Xmx (default ${DEFAULT-VALUE})")
        String maxHeap = "512m";

        @Option(names = "--java-opts", paramLabel = "'OPTS'", description = "more JVM options for the server")
        String javaOpts = "";

        @Option(names = "--idle-timeout", paramLabel = "TIME", converter = PositiveTimeConverter.class,
                description = "the apps' pool idleTimeout (default 5s; 500ms, 30s, 2m)")
        Duration idleTimeout = Duration.ofSeconds(5);

        @Option(names = "--timeout", paramLabel = "TIME", converter = PositiveTimeConverter.class,
                description = "longest wait for every app to answer once (default 10m)")
        Duration timeout = Duration.ofMinutes(10);

        @Option(names = "--keep-samples", description = "keep the distribution's sample apps in deploy/ (default: removed)")
        boolean keepSamples;

        @Option(names = "--keep", description = "keep each run's server folder (default: deleted)")
        boolean keepFiles;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        Options(Path defaultDistribution, Path defaultOut) {
            this.distribution = defaultDistribution;
            this.out = defaultOut;
        }
    }

    /** {@code --counts}: whole numbers separated by commas. */
    static final class CountsConverter implements ITypeConverter<List<Integer>> {
        @Override
        public List<Integer> convert(String value) {
            try {
                return parseCounts(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --xmx}: a size as {@code -Xmx} takes it. */
    static final class HeapSizeConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!HEAP_SIZE.matcher(value).matches()) {
                throw new TypeConversionException("must be a size like 512m or 2g, was '" + value + "'");
            }
            return value;
        }
    }

    /** A duration in the server's syntax, more than 0. */
    static final class PositiveTimeConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration;
            try {
                duration = Durations.parse("", value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("must be a time like 500ms, 30s or 2m, was '" + value + "'");
            }
            if (duration.isZero() || duration.isNegative()) {
                throw new TypeConversionException("must be more than 0, was '" + value + "'");
            }
            return duration;
        }
    }

    static List<Integer> parseCounts(String text) {
        List<Integer> counts = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String trimmed = part.trim();
            int count;
            try {
                count = Integer.parseInt(trimmed);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("counts are whole numbers separated by commas, such as 1,100,2000; '"
                        + trimmed + "' is not one");
            }
            if (count < 1 || count > MAX_COUNT) {
                throw new IllegalArgumentException("each count must be between 1 and " + MAX_COUNT + ", was " + count);
            }
            counts.add(count);
        }
        return List.copyOf(counts);
    }

    /** The {@code Fastpool-Pool} value the generated bundles carry. */
    String poolHeader() {
        return "idleTimeout=" + idleTimeout.toMillis() + "ms";
    }
}
