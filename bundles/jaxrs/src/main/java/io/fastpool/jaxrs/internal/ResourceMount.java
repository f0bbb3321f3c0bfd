package io.fastpool.jaxrs.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Where a bundle's JAX-RS resources are mounted: the longest run of whole, literal path segments
 * that every one of their paths starts with. A path is an application's base joined with a resource
 * method's {@code @Path} (the whiteboard's DTOs give both, as written: with or without slashes); a
 * segment with a template ({@code {name}}, {@code {id: [0-9]+}}) ends the literal part. Resources at
 * {@code /greetings} and {@code /greetings/{name}} are mounted at {@code /greetings}; resources that
 * share nothing, or start with a template, get no mount of their own.
 */
final class ResourceMount {

    private ResourceMount() {
    }

    /** The mount path ({@code /a/b}) of resources at these paths, or {@code null} when they share no literal segment. */
    static String of(Collection<String> paths) {
        List<String> common = null;
        for (String path : paths) {
            List<String> literal = literalSegments(path);
            common = common == null ? literal : sharedStart(common, literal);
            if (common.isEmpty()) {
                return null;
            }
        }
        return common == null ? null : "/" + String.join("/", common);
    }

    /** An application base and a resource method path as one path. */
    static String join(String base, String path) {
        return (base == null ? "" : base) + "/" + (path == null ? "" : path);
    }

    private static List<String> literalSegments(String path) {
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.contains("{")) {
                break;
            }
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
        return segments;
    }

    private static List<String> sharedStart(List<String> a, List<String> b) {
        int length = 0;
        while (length < a.size() && length < b.size() && a.get(length).equals(b.get(length))) {
            length++;
        }
        return a.subList(0, length);
    }
}
