package io.fastpool.servlet.internal;

import jakarta.servlet.http.MappingMatch;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The servlet patterns of one servlet context and the Servlet specification's rules for choosing
 * among them (Servlet 6.0, 12.1 and 12.2): the context root ({@code ""}), an exact path, the
 * longest {@code /prefix/*} (with {@code /*} the shortest), an extension ({@code *.jsp}) of the
 * last segment, and the default servlet ({@code /}), tried in that order. A match also splits the
 * path into servlet path and path info, the {@link ServletRoute} the adapter reports. An exact
 * pattern's match is the same every time: it is made once (per context path) and handed to every
 * request for it, so routing such a request allocates nothing here.
 *
 * <p>Immutable: the whiteboard builds a new one when servlets come or go. Each pattern is given
 * to the first target added with it, so adding targets by ranking (highest first) lets the
 * highest-ranked servlet shadow the others, as the whiteboard specifies.
 *
 * @param <T> what a pattern leads to (the whiteboard's servlet registrations)
 */
final class ServletMapping<T> {

    /** What a path matched: its target, how the path splits, and the path inside the context that was matched. */
    record Match<T>(T target, ServletRoute route, String pathInContext) {
    }

    /** A pattern's target; an exact pattern's also keeps its last {@link Match}, immutable and so shared by requests. */
    private static final class Entry<T> {
        private final T target;
        private final String pattern;
        /** Racy by design: a thread that does not see another's match makes an equal one. */
        private Match<T> exactMatch;

        Entry(T target, String pattern) {
            this.target = target;
            this.pattern = pattern;
        }

        T target() {
            return target;
        }

        String pattern() {
            return pattern;
        }

        /** The match of this exact pattern in a context at {@code contextPath}. */
        Match<T> exactMatch(String contextPath) {
            Match<T> match = exactMatch;
            if (match == null || !match.route().contextPath().equals(contextPath)) {
                match = new Match<>(target, new ServletRoute(contextPath, pattern, null, MappingMatch.EXACT, pattern), pattern);
                exactMatch = match;
            }
            return match;
        }
    }

    private final Map<String, Entry<T>> exact;
    /** By the prefix without its {@code /*}: {@code /cart} for {@code /cart/*}, "" for {@code /*}. */
    private final Map<String, Entry<T>> prefixes;
    /** By extension without its dot: {@code jsp} for {@code *.jsp}. */
    private final Map<String, Entry<T>> extensions;
    private final Entry<T> contextRoot;
    private final Entry<T> byDefault;

    private ServletMapping(Builder<T> builder) {
        exact = Map.copyOf(builder.exact);
        prefixes = Map.copyOf(builder.prefixes);
        extensions = Map.copyOf(builder.extensions);
        contextRoot = builder.contextRoot;
        byDefault = builder.byDefault;
    }

    static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** Whether {@code pattern} is a servlet pattern the specification allows. */
    static boolean isValidPattern(String pattern) {
        if (pattern.isEmpty() || pattern.equals("/")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return pattern.length() > 2 && pattern.indexOf('/') < 0 && pattern.indexOf('*', 1) < 0;
        }
        if (!pattern.startsWith("/")) {
            return false;
        }
        int star = pattern.indexOf('*');
        return star < 0 || (star == pattern.length() - 1 && pattern.endsWith("/*"));
    }

    /** Every target, once each, in no particular order. */
    Set<T> targets() {
        Set<T> targets = new HashSet<>();
        exact.values().forEach(entry -> targets.add(entry.target()));
        prefixes.values().forEach(entry -> targets.add(entry.target()));
        extensions.values().forEach(entry -> targets.add(entry.target()));
        if (contextRoot != null) {
            targets.add(contextRoot.target());
        }
        if (byDefault != null) {
            targets.add(byDefault.target());
        }
        return targets;
    }

    boolean isEmpty() {
        return exact.isEmpty() && prefixes.isEmpty() && extensions.isEmpty() && contextRoot == null && byDefault == null;
    }

    /**
     * Matches {@code path}, the decoded request path inside a context at {@code contextPath} ("" or
     * starting with "/"); {@code null} when no pattern matches.
     */
    Match<T> match(String contextPath, String path) {
        String inContext = path.isEmpty() ? "/" : path;
        if (contextRoot != null && inContext.equals("/")) {
            return new Match<>(contextRoot.target(), new ServletRoute(contextPath, "", "/", MappingMatch.CONTEXT_ROOT, ""), path);
        }
        Entry<T> found = exact.get(inContext);
        if (found != null) {
            return found.exactMatch(contextPath);
        }
        Match<T> prefixMatch = longestPrefix(contextPath, inContext, path);
        if (prefixMatch != null) {
            return prefixMatch;
        }
        int lastSlash = inContext.lastIndexOf('/');
        int dot = inContext.lastIndexOf('.');
        if (dot > lastSlash) {
            found = extensions.get(inContext.substring(dot + 1));
            if (found != null) {
                return new Match<>(found.target(),
                        new ServletRoute(contextPath, inContext, null, MappingMatch.EXTENSION, found.pattern()), path);
            }
        }
        if (byDefault != null) {
            return new Match<>(byDefault.target(), new ServletRoute(contextPath, inContext, null, MappingMatch.DEFAULT, "/"), path);
        }
        return null;
    }

    /** Tries {@code /a/b/c}, {@code /a/b}, {@code /a}, then "" ({@code /*}): the longest prefix wins. */
    private Match<T> longestPrefix(String contextPath, String path, String pathInContext) {
        if (prefixes.isEmpty()) {
            return null;
        }
        String candidate = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        while (true) {
            Entry<T> found = prefixes.get(candidate);
            if (found != null) {
                String rest = path.substring(candidate.length());
                return new Match<>(found.target(), new ServletRoute(contextPath, candidate, rest.isEmpty() ? null : rest,
                        MappingMatch.PATH, found.pattern()), pathInContext);
            }
            if (candidate.isEmpty()) {
                return null;
            }
            candidate = candidate.substring(0, candidate.lastIndexOf('/'));
        }
    }

    /**
     * The longest path, in whole segments, that every request this mapping can match starts with:
     * {@code /api} for {@code /api/*} and {@code /api/v1}; "" as soon as one pattern may match
     * anywhere ({@code /}, {@code /*}, {@code *.jsp}, the context root). The whiteboard mounts a
     * bundle's app there, so that bundles sharing a context get routes of their own.
     */
    String commonPrefix() {
        if (contextRoot != null || byDefault != null || !extensions.isEmpty()) {
            return "";
        }
        String common = null;
        for (String prefix : prefixes.keySet()) {
            common = common == null ? prefix : commonSegments(common, prefix);
        }
        for (String path : exact.keySet()) {
            common = common == null ? path : commonSegments(common, path);
        }
        return common == null ? "" : common;
    }

    /** The longest run of whole segments {@code a} and {@code b} (each "" or starting with "/") both start with. */
    static String commonSegments(String a, String b) {
        if (a.isEmpty() || b.isEmpty()) {
            return "";
        }
        List<String> left = List.of(a.substring(1).split("/", -1));
        List<String> right = List.of(b.substring(1).split("/", -1));
        StringBuilder common = new StringBuilder();
        for (int i = 0; i < Math.min(left.size(), right.size()) && left.get(i).equals(right.get(i)); i++) {
            common.append('/').append(left.get(i));
        }
        return common.toString();
    }

    /** Collects patterns; the first target given a pattern keeps it. */
    static final class Builder<T> {

        private final Map<String, Entry<T>> exact = new HashMap<>();
        private final Map<String, Entry<T>> prefixes = new HashMap<>();
        private final Map<String, Entry<T>> extensions = new HashMap<>();
        private Entry<T> contextRoot;
        private Entry<T> byDefault;

        /**
         * Maps {@code pattern} to {@code target}; returns false when an earlier target holds it
         * (shadowed) or the pattern is not valid ({@link #isValidPattern}).
         */
        boolean add(String pattern, T target) {
            if (!isValidPattern(pattern)) {
                return false;
            }
            Entry<T> entry = new Entry<>(target, pattern);
            if (pattern.isEmpty()) {
                return contextRoot == null && (contextRoot = entry) != null;
            }
            if (pattern.equals("/")) {
                return byDefault == null && (byDefault = entry) != null;
            }
            if (pattern.startsWith("*.")) {
                return extensions.putIfAbsent(pattern.substring(2), entry) == null;
            }
            if (pattern.endsWith("/*")) {
                return prefixes.putIfAbsent(pattern.substring(0, pattern.length() - 2), entry) == null;
            }
            return exact.putIfAbsent(pattern, entry) == null;
        }

        ServletMapping<T> build() {
            return new ServletMapping<>(this);
        }
    }
}
