package io.fastpool.bench.load;

import io.fastpool.config.Durations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line of {@code fcgi-load}, read by picocli: turns arguments into {@link LoadOptions}
 * and writes the usage text. Each option is declared once, on a field of {@link Arguments}; its
 * default comes from {@link LoadOptions} through {@link Defaults}, so the usage text shows the value
 * a run uses. Range checks stay in {@link LoadOptions}, which names the option.
 */
public final class LoadArguments {

    private LoadArguments() {
    }

    /** Whether the arguments ask for the usage text ({@code -h} or {@code --help} anywhere, even beside a bad argument). */
    public static boolean wantsHelp(String... args) {
        CommandLine line = commandLine(new Arguments());
        try {
            line.parseArgs(args);
        } catch (ParameterException e) {
            // parse() reports it; picocli has read every argument, so a --help among them is seen.
        }
        return line.isUsageHelpRequested();
    }

    /**
     * Parses a command line: options in any order and exactly one target address. An option's
     * value follows it ({@code -c 8}) or an equals sign ({@code --connections=8}).
     *
     * @throws UsageException naming the first thing that is wrong
     */
    public static LoadOptions parse(String... args) throws UsageException {
        Arguments arguments = new Arguments();
        try {
            commandLine(arguments).parseArgs(args);
            return arguments.toOptions();
        } catch (ParameterException | IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The usage text {@code --help} prints. */
    public static String usage() {
        StringWriter text = new StringWriter();
        commandLine(new Arguments()).usage(new PrintWriter(text), CommandLine.Help.Ansi.OFF);
        return text.toString();
    }

    private static CommandLine commandLine(Arguments arguments) {
        return new CommandLine(arguments).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** The options as given; {@link #toOptions} checks them together. */
    @Command(name = "fcgi-load", usageHelpWidth = 100, defaultValueProvider = Defaults.class, sortOptions = false,
            headerHeading = "", synopsisHeading = "Usage: ", customSynopsis = "fcgi-load [OPTIONS] TARGET",
            description = {"Sends FastCGI requests to TARGET and reports throughput, latency and errors.",
                "TARGET is tcp:HOST:PORT, tcp:[IPv6]:PORT or unix:/path/to.sock."},
            descriptionHeading = "%n", optionListHeading = "%nOptions:%n", parameterListHeading = "",
            footerHeading = "%n", footer = {
                "Latency is measured from writing a request to its END_REQUEST; with --keep-conn off",
                "it includes opening the connection. Exit status: 0 run done, 1 run failed (no",
                "connection, no response, or the CSV file could not be written), 2 bad arguments.",
                "Example: fcgi-load -c 16 -d 30s -p /index.php --document-root /srv/www unix:/run/php/php-fpm.sock"})
    static final class Arguments {

        @Option(names = {"-c", "--connections"}, paramLabel = "N",
                description = "connections kept busy at once (default ${DEFAULT-VALUE})")
        int connections;

        @Option(names = {"-d", "--duration"}, paramLabel = "TIME", converter = TimeConverter.class,
                description = "measure for this long: 500ms, 30s, 2m (default 10s unless -n is given)")
        Duration duration;

        @Option(names = {"-n", "--requests"}, paramLabel = "N",
                description = "measure this many requests; with -d, whichever comes first ends the run")
        Long requests;

        @Option(names = "--warmup", paramLabel = "TIME", converter = TimeConverter.class,
                description = "load sent before measuring, not counted (default ${DEFAULT-VALUE}; 0 for none)")
        Duration warmup;

        @Option(names = {"-k", "--keep-conn"}, paramLabel = "on|off", arity = "1", converter = OnOffConverter.class,
                description = "on: each connection carries request after request (default);"
                        + " off: a new connection per request, like nginx without fastcgi_keep_conn")
        boolean keepConnection;

        @Option(names = {"-b", "--body-size"}, paramLabel = "BYTES", converter = SizeConverter.class,
                description = "POST a body of this size (suffix k, m for KiB, MiB); 0 sends a GET (default)")
        int bodySize;

        @Option(names = {"-m", "--multiplex"}, paramLabel = "N",
                description = "requests in flight per connection, each with its own request id"
                        + " (default ${DEFAULT-VALUE}; needs --keep-conn on)")
        int multiplex;

        @Option(names = {"-p", "--path"}, paramLabel = "URI",
                description = "request URI, may carry a ?query (default ${DEFAULT-VALUE})")
        String path;

        @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", converter = HeaderConverter.class,
                description = "extra request header, passed as HTTP_NAME; repeatable")
        List<Header> headers = new ArrayList<>();

        @Option(names = "--document-root", paramLabel = "DIR", description = "DOCUMENT_ROOT (default ${DEFAULT-VALUE})")
        String documentRoot;

        @Option(names = "--script-filename", paramLabel = "FILE",
                description = "SCRIPT_FILENAME, the file PHP-FPM runs (default: document root + path without query)")
        String scriptFilename;

        @Option(names = "--csv", paramLabel = "FILE",
                description = "append one line of results to FILE, with a header line if FILE is new")
        String csv;

        @Option(names = "--timeout", paramLabel = "TIME", converter = TimeConverter.class,
                description = "longest wait for one response (default ${DEFAULT-VALUE})")
        Duration timeout;

        @Option(names = "--threads", paramLabel = "N",
                description = "event loop threads (default: one per core, here ${DEFAULT-VALUE})")
        int threads;

        @Option(names = "--max-time", paramLabel = "TIME", converter = TimeConverter.class,
                description = "hard cap on the whole run (default: warm-up + duration + timeout + 5s,"
                        + " or 10m with -n alone)")
        Duration maxTime;

        @Option(names = "--server-pid", paramLabel = "PID",
                description = "report the CPU time (user + system) of this process and its children over the"
                        + " measured span, per request: the server's cost, e.g. PHP-FPM's master")
        long serverPid;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
        boolean help;

        @Parameters(paramLabel = "TARGET", arity = "1", hidden = true,
                description = "tcp:HOST:PORT, tcp:[IPv6]:PORT or unix:/path/to.sock")
        String target;

        LoadOptions toOptions() {
            if (requests != null && requests < 1) {
                throw new IllegalArgumentException("--requests must be at least 1, was " + requests);
            }
            if (csv != null && csv.isEmpty()) {
                throw new IllegalArgumentException("--csv needs a file name");
            }
            LoadOptions.Builder builder = LoadOptions.builder(Target.parse(target))
                    .connections(connections)
                    .warmup(warmup)
                    .keepConnection(keepConnection)
                    .bodySize(bodySize)
                    .multiplex(multiplex)
                    .path(path)
                    .documentRoot(documentRoot)
                    .scriptFilename(scriptFilename)
                    .csv(csv == null ? null : Path.of(csv))
                    .timeout(timeout)
                    .threads(threads)
                    .maxTime(maxTime)
                    .serverPid(serverPid);
            if (duration != null) {
                builder.duration(duration);
            }
            if (requests != null) {
                builder.requests(requests);
            }
            headers.forEach(builder::header);
            return builder.build();
        }
    }

    /**
     * The defaults of {@link LoadOptions}, written as on the command line. Options left out here
     * ({@code --duration}, {@code --requests}, {@code --max-time}, ...) have defaults that depend on
     * others, which {@link LoadOptions} works out.
     */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argument) {
            if (!(argument instanceof OptionSpec option)) {
                return null;
            }
            return switch (option.longestName()) {
                case "--connections" -> Integer.toString(LoadOptions.DEFAULT_CONNECTIONS);
                case "--warmup" -> Durations.format(LoadOptions.DEFAULT_WARMUP);
                case "--keep-conn" -> "on";
                case "--body-size" -> "0";
                case "--multiplex" -> "1";
                case "--path" -> LoadOptions.DEFAULT_PATH;
                case "--document-root" -> LoadOptions.DEFAULT_DOCUMENT_ROOT;
                case "--timeout" -> Durations.format(LoadOptions.DEFAULT_TIMEOUT);
                case "--threads" -> Integer.toString(LoadOptions.defaultThreads());
                default -> null;
            };
        }
    }

    /** A duration in the server's syntax ({@link Durations}). */
    static final class TimeConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse("", value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (examples: 500ms, 10s, 1.5s, 2m)");
            }
        }
    }

    /** {@code on}/{@code off} (or true/false, yes/no). */
    static final class OnOffConverter implements ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "on", "true", "yes" -> true;
                case "off", "false", "no" -> false;
                default -> throw new TypeConversionException("'" + value + "' is neither on nor off");
            };
        }
    }

    /** Bytes, with an optional {@code k} or {@code m} suffix for KiB and MiB. */
    static final class SizeConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String lower = value.toLowerCase(Locale.ROOT);
            long unit = lower.endsWith("k") ? 1024 : lower.endsWith("m") ? 1024 * 1024 : 1;
            String digits = unit == 1 ? value : value.substring(0, value.length() - 1);
            long size;
            try {
                size = Math.multiplyExact(Long.parseLong(digits), unit);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new TypeConversionException("'" + value + "' is not a size in bytes (examples: 0, 10000, 64k, 1m)");
            }
            if (size > Integer.MAX_VALUE) {
                throw new TypeConversionException("'" + value + "' is far too large");
            }
            return (int) size;
        }
    }

    /** {@code Name: value}. */
    static final class HeaderConverter implements ITypeConverter<Header> {
        @Override
        public Header convert(String value) {
            try {
                return Header.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
