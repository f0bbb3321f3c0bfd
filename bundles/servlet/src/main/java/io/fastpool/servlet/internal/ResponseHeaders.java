package io.fastpool.servlet.internal;

import io.fastpool.api.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The headers a servlet sets before its response commits, kept here rather than on Fastpool's
 * {@link Response}: the Servlet API can remove a header ({@code setHeader(name, null)}) and
 * {@code reset()} them all, which a sent response cannot. {@link #copyTo} hands them over at commit.
 */
final class ResponseHeaders {

    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    void set(String name, String value) {
        if (value == null) {
            headers.remove(name);
        } else {
            List<String> values = new ArrayList<>(1);
            values.add(value);
            headers.put(name, values);
        }
    }

    void add(String name, String value) {
        if (value != null) {
            headers.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
    }

    boolean contains(String name) {
        return headers.containsKey(name);
    }

    /** The first value, as {@code HttpServletResponse.getHeader} defines it, or {@code null}. */
    String get(String name) {
        List<String> values = headers.get(name);
        return values == null ? null : values.get(0);
    }

    List<String> getAll(String name) {
        return List.copyOf(headers.getOrDefault(name, List.of()));
    }

    Collection<String> names() {
        return List.copyOf(headers.keySet());
    }

    void clear() {
        headers.clear();
    }

    void copyTo(Response response) {
        headers.forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
    }
}
