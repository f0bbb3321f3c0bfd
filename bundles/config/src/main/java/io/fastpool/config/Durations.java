package io.fastpool.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators and tools write them: a number and a unit, {@code 500ms}, {@code 90s},
 * {@code 1.5s}, {@code 20m}, {@code 1h}, or a plain number of seconds. One syntax for the
 * {@code .cfg} files, the {@code Fastpool-Pool} header and the bench tools' command lines, so a
 * value written for one is read the same by the others.
 */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("([-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+))\\s*(ms|s|m|h)?");
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND;
    private static final long NANOS_PER_HOUR = 60 * NANOS_PER_MINUTE;

    private Durations() {
    }

    /**
     * Parses {@code text}, ignoring case and surrounding spaces; a negative value is read (the
     * caller says whether it may be). Fractions finer than a nanosecond are dropped.
     *
     * @param name what the value is for, named in the message
     * @throws IllegalArgumentException naming {@code name}, the examples and the value
     */
    public static Duration parse(String name, String text) {
        Matcher matcher = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw notADuration(name, text);
        }
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        long nanosPerUnit = switch (unit) {
            case "ms" -> NANOS_PER_MILLI;
            case "m" -> NANOS_PER_MINUTE;
            case "h" -> NANOS_PER_HOUR;
            default -> NANOS_PER_SECOND;
        };
        BigDecimal nanos = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(name + " must be at most 292 years, was '" + text + "'");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** The shortest exact form that {@link #parse} reads back: {@code 10s}, {@code 1.5s}, {@code 250ms}, {@code 2m}, {@code 1h}. */
    public static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos != 0 && nanos % NANOS_PER_HOUR == 0) {
            return nanos / NANOS_PER_HOUR + "h";
        }
        if (nanos != 0 && nanos % NANOS_PER_MINUTE == 0) {
            return nanos / NANOS_PER_MINUTE + "m";
        }
        if (nanos % NANOS_PER_SECOND == 0 || Math.abs(nanos) >= NANOS_PER_SECOND) {
            return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString() + "s";
        }
        return BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + "ms";
    }

    private static IllegalArgumentException notADuration(String name, String text) {
        return new IllegalArgumentException(name + " must be a duration like 500ms, 90s, 20m, 1h or a number of seconds, was '"
                + text + "'");
    }
}
