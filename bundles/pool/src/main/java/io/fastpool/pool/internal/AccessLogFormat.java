package io.fastpool.pool.internal;

import io.fastpool.api.Request;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An access log line format, after PHP-FPM's {@code access.format}: literal text with
 * {@code %}-tokens, compiled once. Tokens:
 *
 * <pre>
 * %R  remote address               %m  method            %r  request URI (with its query)
 * %q  query string                 %Q  '?' if there is a query string
 * %s  status                       %n  pool              %a  app
 * %d  duration in ms (3 decimals); %{micro}d, %{milli}d (also %{mili}d), %{seconds}d
 * %C  CPU time of the request's thread, ms (3 decimals)
 * %M  bytes the request allocated; %{kilo}M, %{mega}M
 * %t  end time, [22/Nov/2026:10:00:00 +0000]; %{PATTERN}t with a java.time pattern
 * %{NAME}e  a CGI variable of the request, such as %{HTTP_USER_AGENT}e
 * %%  a percent sign
 * </pre>
 *
 * A value that is missing prints {@code -}.
 */
public final class AccessLogFormat {

    /** What one line says. */
    record Entry(Request request, int status, long durationNanos, long cpuNanos, long allocatedBytes, String pool,
            String app, long endMillis) {
    }

    /**
     * Checks a format, for {@link io.fastpool.pool.PoolSettings}.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static void check(String format) {
        compile(format);
    }

    private static final DateTimeFormatter COMMON_LOG_TIME =
            DateTimeFormatter.ofPattern("'['dd/MMM/yyyy:HH:mm:ss Z']'", Locale.ROOT).withZone(ZoneId.systemDefault());

    private interface Part {
        void append(Entry entry, StringBuilder line);
    }

    private final String text;
    private final Part[] parts;

    private AccessLogFormat(String text, List<Part> parts) {
        this.text = text;
        this.parts = parts.toArray(new Part[0]);
    }

    /**
     * Compiles a format.
     *
     * @throws IllegalArgumentException naming the unknown token, or an unclosed {@code %{}
     */
    static AccessLogFormat compile(String format) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i++);
            if (c != '%') {
                literal.append(c);
                continue;
            }
            if (i == format.length()) {
                throw new IllegalArgumentException("accessFormat ends with a lone '%' (write %% for a percent sign)");
            }
            String argument = null;
            if (format.charAt(i) == '{') {
                int close = format.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("accessFormat has an unclosed '%{' at position " + (i - 1));
                }
                argument = format.substring(i + 1, close);
                i = close + 1;
                if (i == format.length()) {
                    throw new IllegalArgumentException("accessFormat: '%{" + argument + "}' needs a token letter after it");
                }
            }
            char token = format.charAt(i++);
            if (token == '%' && argument == null) {
                literal.append('%');
                continue;
            }
            if (!literal.isEmpty()) {
                String fixed = literal.toString();
                parts.add((entry, line) -> line.append(fixed));
                literal.setLength(0);
            }
            parts.add(part(token, argument));
        }
        if (!literal.isEmpty()) {
            String fixed = literal.toString();
            parts.add((entry, line) -> line.append(fixed));
        }
        return new AccessLogFormat(format, parts);
    }

    private static Part part(char token, String argument) {
        switch (token) {
            case 'R': return noArgument(token, argument, (e, l) -> l.append(orDash(e.request().remoteAddress())));
            case 'm': return noArgument(token, argument, (e, l) -> l.append(orDash(e.request().method())));
            case 'r': return noArgument(token, argument, (e, l) -> l.append(orDash(e.request().uri())));
            case 'q': return noArgument(token, argument, (e, l) -> l.append(orDash(e.request().queryString())));
            case 'Q': return noArgument(token, argument, (e, l) -> {
                String query = e.request().queryString();
                l.append(query == null || query.isEmpty() ? "" : "?");
            });
            case 's': return noArgument(token, argument, (e, l) -> l.append(e.status()));
            case 'n': return noArgument(token, argument, (e, l) -> l.append(e.pool()));
            case 'a': return noArgument(token, argument, (e, l) -> l.append(e.app()));
            case 'C': return noArgument(token, argument, (e, l) -> millis(l, e.cpuNanos()));
            case 'd': {
                String unit = argument == null ? "milli" : argument;
                return switch (unit) {
                    case "milli", "mili" -> (e, l) -> millis(l, e.durationNanos());
                    case "micro" -> (e, l) -> l.append(e.durationNanos() / 1_000);
                    case "seconds" -> (e, l) -> l.append(String.format(Locale.ROOT, "%.3f", e.durationNanos() / 1e9));
                    default -> throw new IllegalArgumentException("accessFormat: %{" + unit
                            + "}d: the unit must be milli, micro or seconds");
                };
            }
            case 'M': {
                String unit = argument == null ? "bytes" : argument;
                return switch (unit) {
                    case "bytes" -> (e, l) -> l.append(e.allocatedBytes());
                    case "kilo" -> (e, l) -> l.append(e.allocatedBytes() / 1024);
                    case "mega" -> (e, l) -> l.append(e.allocatedBytes() / (1024 * 1024));
                    default -> throw new IllegalArgumentException("accessFormat: %{" + unit + "}M: the unit must be kilo or mega");
                };
            }
            case 't': {
                DateTimeFormatter formatter;
                try {
                    formatter = argument == null ? COMMON_LOG_TIME
                            : DateTimeFormatter.ofPattern(argument, Locale.ROOT).withZone(ZoneId.systemDefault());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("accessFormat: %{" + argument + "}t is not a time pattern: " + e.getMessage());
                }
                return (e, l) -> formatter.formatTo(Instant.ofEpochMilli(e.endMillis()), l);
            }
            case 'e': {
                if (argument == null || argument.isEmpty()) {
                    throw new IllegalArgumentException("accessFormat: %e needs a variable name, as in %{HTTP_USER_AGENT}e");
                }
                return (e, l) -> l.append(orDash(e.request().variable(argument)));
            }
            default:
                throw new IllegalArgumentException("accessFormat: unknown token %" + token
                        + " (known: %R %m %r %q %Q %s %n %a %d %C %M %t %{NAME}e %%)");
        }
    }

    private static Part noArgument(char token, String argument, Part part) {
        if (argument != null) {
            throw new IllegalArgumentException("accessFormat: %" + token + " takes no {argument}, was %{" + argument + "}" + token);
        }
        return part;
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    private static void millis(StringBuilder line, long nanos) {
        long micros = nanos / 1_000;
        line.append(micros / 1_000).append('.');
        long fraction = micros % 1_000;
        if (fraction < 100) {
            line.append('0');
        }
        if (fraction < 10) {
            line.append('0');
        }
        line.append(fraction);
    }

    /** The line for {@code entry}, without a line end. */
    String format(Entry entry) {
        StringBuilder line = new StringBuilder(128);
        for (Part part : parts) {
            part.append(entry, line);
        }
        return line.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
