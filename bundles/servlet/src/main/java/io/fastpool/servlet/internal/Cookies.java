package io.fastpool.servlet.internal;

import jakarta.servlet.http.Cookie;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cookies both ways, by RFC 6265: the {@code Cookie} request header ({@code a=1; b="2"}) read into
 * {@link Cookie}s, and a {@link Cookie} written as a {@code Set-Cookie} header with its attributes.
 * A request cookie whose name the Servlet API refuses is skipped; the others still arrive. A response
 * cookie whose value would break the header is refused with the offending character.
 */
final class Cookies {

    private static final long EXPIRED = 10_000L;

    private Cookies() {
    }

    /** The cookies in every {@code Cookie} header, in order. */
    static List<Cookie> parse(List<String> headers) {
        List<Cookie> cookies = new ArrayList<>();
        for (String header : headers) {
            for (String pair : header.split(";")) {
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    continue;
                }
                String name = pair.substring(0, equals).trim();
                String value = unquote(pair.substring(equals + 1).trim());
                try {
                    cookies.add(new Cookie(name, value));
                } catch (IllegalArgumentException e) {
                    // A name the Servlet API refuses (not a token): the rest of the header still counts.
                }
            }
        }
        return cookies;
    }

    /**
     * The {@code Set-Cookie} value: {@code name=value} and every attribute the cookie carries ({@code Path},
     * {@code Domain}, {@code Max-Age} with a matching {@code Expires} for older clients, {@code Secure},
     * {@code HttpOnly}, {@code SameSite} and any other set with {@link Cookie#setAttribute}).
     */
    static String format(Cookie cookie, long nowMillis) {
        String value = cookie.getValue() == null ? "" : cookie.getValue();
        checkValue(cookie.getName(), value);
        StringBuilder header = new StringBuilder(64).append(cookie.getName()).append('=').append(value);
        for (Map.Entry<String, String> attribute : cookie.getAttributes().entrySet()) {
            String name = attribute.getKey();
            String attributeValue = attribute.getValue();
            if (isFlag(name) && "false".equalsIgnoreCase(attributeValue)) {
                continue;
            }
            header.append("; ").append(name);
            if (attributeValue != null && !attributeValue.isEmpty() && !isFlag(name)) {
                header.append('=').append(attributeValue);
            }
            if (name.equalsIgnoreCase("Max-Age")) {
                int maxAge = Integer.parseInt(attributeValue);
                long expires = maxAge == 0 ? EXPIRED : nowMillis + maxAge * 1000L;
                header.append("; Expires=").append(HttpDates.format(expires));
            }
        }
        return header.toString();
    }

    /** Secure and HttpOnly are flags: Cookie stores them as "true" or "false", the header carries the name alone or nothing. */
    private static boolean isFlag(String attribute) {
        return attribute.equalsIgnoreCase("Secure") || attribute.equalsIgnoreCase("HttpOnly")
                || attribute.equalsIgnoreCase("Partitioned");
    }

    /** RFC 6265 cookie-octets, optionally in double quotes: no controls, spaces, quotes, commas, semicolons or backslashes. */
    private static void checkValue(String name, String value) {
        String bare = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
        for (int i = 0; i < bare.length(); i++) {
            char c = bare.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\') {
                throw new IllegalArgumentException("cookie " + name + ": character " + (int) c + " at " + i
                        + " may not stand in a cookie value (RFC 6265); encode the value, for example with URLEncoder");
            }
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }
}
