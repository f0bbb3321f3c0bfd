package io.fastpool.servlet.internal;

import java.util.Locale;

/**
 * A {@code Content-Type} split into its media type and its {@code charset} parameter, which the
 * Servlet API tracks apart: a response's charset can be set before or after its type.
 *
 * @param mediaType the type and any parameters other than charset, as given ({@code text/html}); never null
 * @param charset   the charset parameter without quotes, or {@code null}
 */
record ContentType(String mediaType, String charset) {

    static ContentType parse(String header) {
        if (header.indexOf(';') < 0) {
            return new ContentType(header.trim(), null);
        }
        StringBuilder type = new StringBuilder();
        String charset = null;
        String[] parts = header.split(";");
        type.append(parts[0].trim());
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("charset")) {
                charset = unquote(parameter.substring(equals + 1).trim());
            } else if (!parameter.isEmpty()) {
                type.append(';').append(parameter);
            }
        }
        return new ContentType(type.toString(), charset == null || charset.isEmpty() ? null : charset);
    }

    /** The charset of a Content-Type header, or {@code null}; also for a null header. */
    static String charsetOf(String header) {
        return header == null ? null : parse(header).charset();
    }

    /** Whether the media type is {@code type}, compared without case and parameters. */
    boolean is(String type) {
        int semicolon = mediaType.indexOf(';');
        String bare = semicolon < 0 ? mediaType : mediaType.substring(0, semicolon);
        return bare.trim().toLowerCase(Locale.ROOT).equals(type);
    }

    /** The header value of {@code mediaType} with {@code charset} (when not null) as its charset parameter. */
    static String headerValue(String mediaType, String charset) {
        return charset == null ? mediaType : mediaType + ";charset=" + charset;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }
}
