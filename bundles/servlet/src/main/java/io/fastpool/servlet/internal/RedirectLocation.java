package io.fastpool.servlet.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * Turns a {@code sendRedirect} location into an absolute URL, as Servlet 6 asks of the container:
 * {@code //host/x} takes the request's scheme, {@code /x} its scheme and authority, {@code x} is
 * resolved against the request URI's directory; dot segments are removed (RFC 3986 section 5.2.4).
 * An absolute URL is kept as given.
 */
final class RedirectLocation {

    private static final Pattern HAS_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*", Pattern.DOTALL);

    private RedirectLocation() {
    }

    /**
     * @param requestUrl the request's absolute URL without query ({@code https://host:8443/shop/cart})
     */
    static String absolute(String location, String requestUrl) {
        if (HAS_SCHEME.matcher(location).matches()) {
            return location;
        }
        int schemeEnd = requestUrl.indexOf("://");
        String scheme = requestUrl.substring(0, schemeEnd);
        if (location.startsWith("//")) {
            return scheme + ":" + location;
        }
        int pathStart = requestUrl.indexOf('/', schemeEnd + 3);
        String root = pathStart < 0 ? requestUrl : requestUrl.substring(0, pathStart);
        if (location.startsWith("/")) {
            return root + normalise(location);
        }
        String path = pathStart < 0 ? "/" : requestUrl.substring(pathStart);
        return root + normalise(path.substring(0, path.lastIndexOf('/') + 1) + location);
    }

    /** Removes "." and ".." segments from the path, leaving the query and fragment as they are. */
    private static String normalise(String reference) {
        int end = indexOfAny(reference, '?', '#');
        String path = reference.substring(0, end);
        Deque<String> segments = new ArrayDeque<>();
        String[] parts = path.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            if (parts[i].equals("..")) {
                segments.pollLast();
                if (last) {
                    segments.addLast("");
                }
            } else if (parts[i].equals(".")) {
                if (last) {
                    segments.addLast("");
                }
            } else {
                segments.addLast(parts[i]);
            }
        }
        return "/" + String.join("/", segments) + reference.substring(end);
    }

    private static int indexOfAny(String text, char first, char second) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == first || text.charAt(i) == second) {
                return i;
            }
        }
        return text.length();
    }
}
