package io.fastpool.bench.load;

/**
 * One HTTP request header the simulated web server passes on, as nginx does
 * ({@link io.fastpool.fcgi.CgiParams#header}): {@code Name: value} becomes the parameter
 * {@code HTTP_NAME}.
 *
 * @param name the header name, an HTTP token
 * @param value the header value, ISO-8859-1 characters
 */
public record Header(String name, String value) {

    public Header {
        if (name.isEmpty() || !name.chars().allMatch(Header::isTokenChar)) {
            throw new IllegalArgumentException("header name '" + name + "' is not an HTTP token");
        }
        if (!value.chars().allMatch(c -> c <= 0xFF && c != '\r' && c != '\n')) {
            throw new IllegalArgumentException("value of header " + name
                    + " has a line break or a character outside ISO-8859-1");
        }
        if (name.equalsIgnoreCase("Content-Length")) {
            throw new IllegalArgumentException("Content-Length is set by --body-size, not by a header");
        }
    }

    /**
     * Parses {@code Name: value}.
     *
     * @throws IllegalArgumentException for text without a colon or with a bad name or value
     */
    public static Header parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("header '" + text + "' is not of the form 'Name: value'");
        }
        return new Header(text.substring(0, colon).trim(), text.substring(colon + 1).trim());
    }

    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
