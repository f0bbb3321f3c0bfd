package io.fastpool.bench.load;

import java.math.BigDecimal;
import java.time.Duration;

/** Durations as the command line writes them: {@code 500ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h}. */
public final class Durations {

    private Durations() {
    }

    /**
     * Parses a number with a unit ({@code ms}, {@code s}, {@code m}, {@code h}); a bare number is
     * seconds.
     *
     * @throws NumberFormatException if {@code text} is not of that form
     */
    public static Duration parse(String text) {
        String number;
        long nanosPerUnit;
        if (text.endsWith("ms")) {
            number = text.substring(0, text.length() - 2);
            nanosPerUnit = 1_000_000L;
        } else if (text.endsWith("s")) {
            number = text.substring(0, text.length() - 1);
            nanosPerUnit = 1_000_000_000L;
        } else if (text.endsWith("m")) {
            number = text.substring(0, text.length() - 1);
            nanosPerUnit = 60_000_000_000L;
        } else if (text.endsWith("h")) {
            number = text.substring(0, text.length() - 1);
            nanosPerUnit = 3_600_000_000_000L;
        } else {
            number = text;
            nanosPerUnit = 1_000_000_000L;
        }
        if (number.isEmpty() || !number.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
            throw new NumberFormatException(text);
        }
        BigDecimal nanos = new BigDecimal(number).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new NumberFormatException(text);
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** The shortest exact form: {@code 10s}, {@code 1.5s}, {@code 250ms}, {@code 2m}. */
    static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos != 0 && nanos % 60_000_000_000L == 0 && nanos % 3_600_000_000_000L != 0) {
            return nanos / 60_000_000_000L + "m";
        }
        if (nanos != 0 && nanos % 3_600_000_000_000L == 0) {
            return nanos / 3_600_000_000_000L + "h";
        }
        if (nanos % 1_000_000_000L == 0 || Math.abs(nanos) >= 1_000_000_000L) {
            return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString() + "s";
        }
        return BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + "ms";
    }
}
