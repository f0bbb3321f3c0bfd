package io.fastpool.listener.internal;

import io.fastpool.api.Headers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The HTTP headers inside a request's CGI variables: {@code HTTP_*} plus {@code CONTENT_TYPE} and
 * {@code CONTENT_LENGTH}. A header name maps to its variable by ASCII upper-casing and '-' to '_',
 * so lookups are case-insensitive by ordinal, never by locale. An empty {@code CONTENT_TYPE} or
 * {@code CONTENT_LENGTH} (nginx sends both on every GET) is an absent header.
 */
final class CgiHeaders implements Headers {

    private static final String PREFIX = "HTTP_";

    private final Params params;
    /** The request these are of: it refuses what was read once it has ended ({@link FcgiRequest#live}). */
    private final FcgiRequest request;

    CgiHeaders(Params params, FcgiRequest request) {
        this.params = params;
        this.request = request;
    }

    @Override
    public String get(String name) {
        String variable = variableName(name);
        if (variable == null) {
            return null;
        }
        String value = request.live(params.get(variable));
        return value != null && value.isEmpty() && isContentVariable(variable) ? null : value;
    }

    /** CONTENT_TYPE and CONTENT_LENGTH: a front sends them empty for a request without a body. */
    private static boolean isContentVariable(String variable) {
        return variable.equals("CONTENT_TYPE") || variable.equals("CONTENT_LENGTH");
    }

    @Override
    public List<String> getAll(String name) {
        String variable = variableName(name);
        if (variable == null) {
            return List.of();
        }
        List<String> values = null;
        for (int at = params.first(); at >= 0; at = params.next(at)) {
            if (params.nameEquals(at, variable, 0) && !(isContentVariable(variable) && params.value(at).isEmpty())) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(params.value(at));
            }
        }
        request.live(null);
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    @Override
    public boolean contains(String name) {
        return get(name) != null;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int at = params.first(); at >= 0; at = params.next(at)) {
            String variable = params.name(at);
            String header = headerName(variable);
            if (header != null && !(isContentVariable(variable) && params.value(at).isEmpty())) {
                names.add(header);
            }
        }
        request.live(null);
        return Collections.unmodifiableSet(names);
    }

    /** {@code Content-Type} to {@code CONTENT_TYPE}, {@code x-forwarded-for} to {@code HTTP_X_FORWARDED_FOR}; null if not a token. */
    static String variableName(String header) {
        if (header == null || header.isEmpty()) {
            return null;
        }
        StringBuilder variable = new StringBuilder(header.length() + PREFIX.length()).append(PREFIX);
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c >= 'a' && c <= 'z') {
                c = (char) (c - ('a' - 'A'));
            } else if (c == '-') {
                c = '_';
            } else if (c <= ' ' || c >= 0x7F || c == ':') {
                return null;
            }
            variable.append(c);
        }
        String name = variable.toString();
        if (name.equals("HTTP_CONTENT_TYPE") || name.equals("HTTP_CONTENT_LENGTH")) {
            return name.substring(PREFIX.length());
        }
        return name;
    }

    /** {@code HTTP_X_FORWARDED_FOR} to {@code X-Forwarded-For}; null for a variable that is not a header. */
    static String headerName(String variable) {
        if (variable.equals("CONTENT_TYPE")) {
            return "Content-Type";
        }
        if (variable.equals("CONTENT_LENGTH")) {
            return "Content-Length";
        }
        if (!variable.startsWith(PREFIX) || variable.length() == PREFIX.length()) {
            return null;
        }
        StringBuilder header = new StringBuilder(variable.length() - PREFIX.length());
        boolean wordStart = true;
        for (int i = PREFIX.length(); i < variable.length(); i++) {
            char c = variable.charAt(i);
            if (c == '_') {
                header.append('-');
                wordStart = true;
            } else {
                header.append(wordStart ? asciiUpper(c) : asciiLower(c));
                wordStart = false;
            }
        }
        return header.toString();
    }

    private static char asciiUpper(char c) {
        return c >= 'a' && c <= 'z' ? (char) (c - 32) : c;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
}
