package io.fastpool.listener.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a request target's path into the form routing and applications see: percent-decoded as
 * UTF-8 and normalised (no "." or ".." segments, no empty segments). Refuses what could let a
 * request escape its route: ".." above the root, an encoded "/" or NUL, invalid escapes or UTF-8.
 */
final class RequestPath {

    private RequestPath() {
    }

    /** The decoded, normalised path of {@code rawPath} (no query), or throws {@link BadPathException}. */
    static String decode(String rawPath) {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            if ("*".equals(rawPath)) {
                return "*";
            }
            throw new BadPathException("path does not start with '/': " + abbreviate(rawPath));
        }
        String decoded = rawPath.indexOf('%') < 0 ? rawPath : percentDecode(rawPath);
        return normalise(decoded, rawPath);
    }

    /**
     * The normalised form of a path that is already decoded (CGI's SCRIPT_NAME, PATH_INFO and
     * nginx's DOCUMENT_URI), or throws {@link BadPathException}.
     */
    static String normaliseDecoded(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new BadPathException("path does not start with '/': " + abbreviate(path));
        }
        if (path.indexOf('\0') >= 0) {
            throw new BadPathException("NUL in path " + abbreviate(path));
        }
        return normalise(path, path);
    }

    private static String percentDecode(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new BadPathException("incomplete percent-escape in " + abbreviate(raw));
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new BadPathException("invalid percent-escape in " + abbreviate(raw));
                }
                int b = (high << 4) | low;
                if (b == '/' || b == 0 || b == '\\') {
                    throw new BadPathException("encoded '/', '\\' or NUL in path " + abbreviate(raw));
                }
                out.write(b);
                i += 2;
            } else if (c > 0xFF) {
                throw new BadPathException("non-byte character in path " + abbreviate(raw));
            } else {
                out.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadPathException("path is not valid UTF-8 once decoded: " + abbreviate(raw));
        }
    }

    private static String normalise(String path, String raw) {
        if (path.indexOf("/.") < 0 && path.indexOf("//") < 0 && path.indexOf('\\') < 0) {
            return path;
        }
        if (path.indexOf('\\') >= 0) {
            throw new BadPathException("'\\' in path " + abbreviate(raw));
        }
        String[] segments = path.split("/", -1);
        String[] kept = new String[segments.length];
        int depth = 0;
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.isEmpty() && i < segments.length - 1 || ".".equals(segment)) {
                continue;
            }
            if ("..".equals(segment)) {
                if (depth == 0) {
                    throw new BadPathException("'..' climbs above the root in " + abbreviate(raw));
                }
                depth--;
                continue;
            }
            kept[depth++] = segment;
        }
        StringBuilder result = new StringBuilder(path.length());
        for (int i = 0; i < depth; i++) {
            result.append('/').append(kept[i]);
        }
        boolean trailingSlash = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
        if (result.length() == 0 || trailingSlash && result.charAt(result.length() - 1) != '/') {
            result.append('/');
        }
        return result.toString();
    }

    static String abbreviate(String text) {
        return text.length() <= 200 ? "'" + text + "'" : "'" + text.substring(0, 200) + "...' (" + text.length() + " chars)";
    }

    /** A request path that cannot be served: answered 400. */
    static final class BadPathException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadPathException(String message) {
            super(message, null, false, false);
        }
    }
}
