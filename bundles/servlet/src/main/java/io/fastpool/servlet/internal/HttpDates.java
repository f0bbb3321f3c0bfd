package io.fastpool.servlet.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * HTTP dates: written as IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}, RFC 9110 section
 * 5.6.7, always two day digits, unlike the JDK's {@code RFC_1123_DATE_TIME} which writes one), read
 * in that form or with a one-digit day.
 */
final class HttpDates {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private HttpDates() {
    }

    static String format(long epochMillis) {
        return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Epoch milliseconds; {@link IllegalArgumentException} for text that is not an HTTP date, as {@code getDateHeader} must. */
    static long parse(String text) {
        try {
            return ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an HTTP date: '" + text + "'", e);
        }
    }
}
