package io.fastpool.bench.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The command line of {@code fcgi-load}: turns arguments into {@link LoadOptions} and writes the
 * usage text. Each option is described once, in {@link Option}, for both.
 */
public final class LoadArguments {

    /** Every option, in the order {@code --help} lists them. */
    enum Option {
        CONNECTIONS("-c", "--connections", "N", "connections kept busy at once (default "
                + LoadOptions.DEFAULT_CONNECTIONS + ")"),
        DURATION("-d", "--duration", "TIME", "measure for this long: 500ms, 30s, 2m (default "
                + Durations.format(LoadOptions.DEFAULT_DURATION) + " unless -n is given)"),
        REQUESTS("-n", "--requests", "N", "measure this many requests; with -d, whichever comes first ends the run"),
        WARMUP(null, "--warmup", "TIME", "load sent before measuring, not counted (default "
                + Durations.format(LoadOptions.DEFAULT_WARMUP) + "; 0 for none)"),
        KEEP_CONN("-k", "--keep-conn", "on|off", "on: each connection carries request after request (default);"
                + " off: a new connection per request, like nginx without fastcgi_keep_conn"),
        BODY_SIZE("-b", "--body-size", "BYTES", "POST a body of this size (suffix k, m for KiB, MiB); 0 sends a GET"
                + " (default)"),
        MULTIPLEX("-m", "--multiplex", "N", "requests in flight per connection, each with its own request id"
                + " (default 1; needs --keep-conn on)"),
        PATH("-p", "--path", "URI", "request URI, may carry a ?query (default " + LoadOptions.DEFAULT_PATH + ")"),
        HEADER("-H", "--header", "'NAME: VALUE'", "extra request header, passed as HTTP_NAME; repeatable"),
        DOCUMENT_ROOT(null, "--document-root", "DIR", "DOCUMENT_ROOT (default " + LoadOptions.DEFAULT_DOCUMENT_ROOT + ")"),
        SCRIPT_FILENAME(null, "--script-filename", "FILE", "SCRIPT_FILENAME, the file PHP-FPM runs"
                + " (default: document root + path without query)"),
        CSV(null, "--csv", "FILE", "append one line of results to FILE, with a header line if FILE is new"),
        TIMEOUT(null, "--timeout", "TIME", "longest wait for one response (default "
                + Durations.format(LoadOptions.DEFAULT_TIMEOUT) + ")"),
        THREADS(null, "--threads", "N", "event loop threads (default: one per core, here "
                + LoadOptions.defaultThreads() + ")"),
        MAX_TIME(null, "--max-time", "TIME", "hard cap on the whole run (default: warm-up + duration + timeout + "
                + Durations.format(LoadOptions.MAX_TIME_MARGIN) + ", or "
                + Durations.format(LoadOptions.DEFAULT_REQUESTS_MAX_TIME) + " with -n alone)"),
        HELP("-h", "--help", null, "print this help and exit");

        final String shortName;
        final String longName;
        final String valueName;
        final String description;

        Option(String shortName, String longName, String valueName, String description) {
            this.shortName = shortName;
            this.longName = longName;
            this.valueName = valueName;
            this.description = description;
        }

        static Option named(String name) {
            for (Option option : values()) {
                if (name.equals(option.longName) || name.equals(option.shortName)) {
                    return option;
                }
            }
            return null;
        }
    }

    /** Width of the usage text, and the column where option descriptions start. */
    private static final int USAGE_WIDTH = 100;
    private static final int USAGE_INDENT = 33;

    /** An option as given, with the name it was given by (for messages) and its value. */
    private record Given(Option option, String name, String value) {
    }

    private LoadArguments() {
    }

    /** Whether the arguments ask for the usage text ({@code -h} or {@code --help} anywhere). */
    public static boolean wantsHelp(String... args) {
        return Arrays.stream(args).anyMatch(a -> a.equals(Option.HELP.shortName) || a.equals(Option.HELP.longName));
    }

    /**
     * Parses a command line: options in any order and exactly one target address. An option's
     * value follows it ({@code -c 8}) or, for long names, an equals sign ({@code --connections=8}).
     *
     * @throws UsageException naming the first thing that is wrong
     */
    public static LoadOptions parse(String... args) throws UsageException {
        String targetText = null;
        // Options are applied once the target (and so the builder) is known: keep them in order.
        List<Given> given = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.length() > 1 && arg.startsWith("-")) {
                String name = arg;
                String value = null;
                int equals = arg.indexOf('=');
                if (arg.startsWith("--") && equals > 0) {
                    name = arg.substring(0, equals);
                    value = arg.substring(equals + 1);
                }
                Option option = Option.named(name);
                if (option == null) {
                    throw new UsageException("unknown option '" + name + "'");
                }
                if (option.valueName == null) {
                    if (value != null) {
                        throw new UsageException("option " + option.longName + " takes no value");
                    }
                    continue;
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("option " + displayName(option, name) + " needs a value ("
                                + option.valueName + ")");
                    }
                    value = args[++i];
                }
                given.add(new Given(option, displayName(option, name), value));
            } else if (targetText == null) {
                targetText = arg;
            } else {
                throw new UsageException("unexpected argument '" + arg + "': the target is already '" + targetText
                        + "', and only one is allowed");
            }
        }
        if (targetText == null) {
            throw new UsageException("no target address given (tcp:HOST:PORT or unix:/path/to.sock)");
        }
        Target target;
        try {
            target = Target.parse(targetText);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        LoadOptions.Builder builder = LoadOptions.builder(target);
        for (Given option : given) {
            apply(builder, option.option(), option.name(), option.value());
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The usage text {@code --help} prints. */
    public static String usage() {
        StringBuilder text = new StringBuilder();
        text.append("Usage: fcgi-load [OPTIONS] TARGET\n")
                .append("Sends FastCGI requests to TARGET and reports throughput, latency and errors.\n")
                .append("TARGET is tcp:HOST:PORT, tcp:[IPv6]:PORT or unix:/path/to.sock.\n\n")
                .append("Options:\n");
        for (Option option : Option.values()) {
            String names = (option.shortName != null ? option.shortName + ", " : "    ") + option.longName
                    + (option.valueName != null ? " " + option.valueName : "");
            List<String> lines = wrap(option.description, USAGE_WIDTH - USAGE_INDENT);
            text.append(String.format(Locale.ROOT, "  %-" + (USAGE_INDENT - 3) + "s %s%n", names, lines.get(0)));
            for (String line : lines.subList(1, lines.size())) {
                text.append(" ".repeat(USAGE_INDENT)).append(line).append('\n');
            }
        }
        text.append("\nLatency is measured from writing a request to its END_REQUEST; with --keep-conn off\n")
                .append("it includes opening the connection. Exit status: 0 run done, 1 run failed (no\n")
                .append("connection, no response, or the CSV file could not be written), 2 bad arguments.\n")
                .append("Example: fcgi-load -c 16 -d 30s -p /index.php --document-root /srv/www unix:/run/php/php-fpm.sock\n");
        return text.toString();
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    private static String displayName(Option option, String given) {
        return given.startsWith("--") ? option.longName : given + "/" + option.longName;
    }

    private static void apply(LoadOptions.Builder builder, Option option, String name, String value)
            throws UsageException {
        switch (option) {
            case CONNECTIONS:
                builder.connections(toInt(name, parseWhole(name, value)));
                break;
            case DURATION:
                builder.duration(parseDuration(name, value));
                break;
            case REQUESTS:
                long requests = parseWhole(name, value);
                if (requests < 1) {
                    throw new UsageException(name + " must be at least 1, was " + requests);
                }
                builder.requests(requests);
                break;
            case WARMUP:
                builder.warmup(parseDuration(name, value));
                break;
            case KEEP_CONN:
                builder.keepConnection(parseOnOff(name, value));
                break;
            case BODY_SIZE:
                builder.bodySize(toInt(name, parseSize(name, value)));
                break;
            case MULTIPLEX:
                builder.multiplex(toInt(name, parseWhole(name, value)));
                break;
            case PATH:
                builder.path(value);
                break;
            case HEADER:
                try {
                    builder.header(Header.parse(value));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(name + ": " + e.getMessage());
                }
                break;
            case DOCUMENT_ROOT:
                builder.documentRoot(value);
                break;
            case SCRIPT_FILENAME:
                builder.scriptFilename(value);
                break;
            case CSV:
                if (value.isEmpty()) {
                    throw new UsageException(name + " needs a file name");
                }
                builder.csv(Path.of(value));
                break;
            case TIMEOUT:
                builder.timeout(parseDuration(name, value));
                break;
            case THREADS:
                builder.threads(toInt(name, parseWhole(name, value)));
                break;
            case MAX_TIME:
                builder.maxTime(parseDuration(name, value));
                break;
            default:
                throw new AssertionError(option);
        }
    }

    private static long parseWhole(String name, String value) throws UsageException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(name + ": '" + value + "' is not a whole number");
        }
    }

    private static int toInt(String name, long value) throws UsageException {
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new UsageException(name + ": " + value + " is far too large");
        }
        return (int) value;
    }

    private static long parseSize(String name, String value) throws UsageException {
        String digits = value;
        long unit = 1;
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.endsWith("k")) {
            unit = 1024;
            digits = value.substring(0, value.length() - 1);
        } else if (lower.endsWith("m")) {
            unit = 1024 * 1024;
            digits = value.substring(0, value.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException(name + ": '" + value + "' is not a size in bytes (examples: 0, 10000, 64k, 1m)");
        }
    }

    private static Duration parseDuration(String name, String value) throws UsageException {
        try {
            return Durations.parse(value);
        } catch (NumberFormatException e) {
            throw new UsageException(name + ": '" + value + "' is not a duration (examples: 500ms, 10s, 1.5s, 2m)");
        }
    }

    private static boolean parseOnOff(String name, String value) throws UsageException {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "on":
            case "true":
            case "yes":
                return true;
            case "off":
            case "false":
            case "no":
                return false;
            default:
                throw new UsageException(name + ": '" + value + "' is neither on nor off");
        }
    }
}
