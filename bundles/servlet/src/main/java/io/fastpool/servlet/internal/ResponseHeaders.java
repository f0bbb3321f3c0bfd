package io.fastpool.servlet.internal;

import io.fastpool.api.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The headers a servlet sets before its response commits, kept here rather than on Fastpool's
 * {@link Response}: the Servlet API can remove a header ({@code setHeader(name, null)}) and
 * {@code reset()} them all, which a sent response cannot. {@link #copyTo} hands them over at commit.
 */
final class ResponseHeaders {

    /** Made on the first header: many responses set none but their content type. */
    private Map<String, List<String>> headers = Collections.emptyMap();

    void set(String name, String value) {
        if (value == null) {
            if (!headers.isEmpty()) {
                headers.remove(name);
            }
        } else {
            List<String> values = new ArrayList<>(1);
            values.add(value);
            writable().put(name, values);
        }
    }

    void add(String name, String value) {
        if (value != null) {
            writable().computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
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
        headers = Collections.emptyMap();
    }

    private Map<String, List<String>> writable() {
        if (headers.isEmpty()) {
            headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        }
        return headers;
    }

    void copyTo(Response response) {
        headers.forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
    }
}
