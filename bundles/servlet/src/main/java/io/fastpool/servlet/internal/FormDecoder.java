package io.fastpool.servlet.internal;

import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes {@code name=value&name=value} text, the format of a query string and of an
 * {@code application/x-www-form-urlencoded} body, into parameters. The JDK's {@link URLDecoder}
 * does the percent-decoding ('+' is a space); a broken escape is a
 * {@link MalformedParameterException} naming where it was, never a silently dropped parameter.
 */
final class FormDecoder {

    private FormDecoder() {
    }

    /**
     * Adds the parameters in {@code text} to {@code into}, in order.
     *
     * @param source  what the text is, for messages ("query string", "form body")
     * @param maxKeys the most parameters {@code into} may hold afterwards
     */
    static void decode(String text, Charset charset, Map<String, List<String>> into, int maxKeys, String source) {
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('&', start);
            if (end < 0) {
                end = text.length();
            }
            if (end > start) {
                add(text.substring(start, end), charset, into, maxKeys, source);
            }
            start = end + 1;
        }
    }

    private static void add(String pair, Charset charset, Map<String, List<String>> into, int maxKeys, String source) {
        int equals = pair.indexOf('=');
        String name = decodePart(equals < 0 ? pair : pair.substring(0, equals), charset, pair, source);
        String value = equals < 0 ? "" : decodePart(pair.substring(equals + 1), charset, pair, source);
        if (!into.containsKey(name) && into.size() >= maxKeys) {
            throw new MalformedParameterException("too many parameters: the " + source + " brings more than "
                    + maxKeys + " (maxFormKeys)", null);
        }
        into.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
    }

    private static String decodePart(String part, Charset charset, String pair, String source) {
        try {
            return URLDecoder.decode(part, charset);
        } catch (IllegalArgumentException e) {
            throw new MalformedParameterException("malformed percent-encoding in the " + source + " at '"
                    + pair + "': " + e.getMessage(), e);
        }
    }
}
