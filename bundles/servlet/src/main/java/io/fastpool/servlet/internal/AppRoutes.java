package io.fastpool.servlet.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One bundle's servlets and resources, by the servlet contexts they are in: a {@link ServletMapping}
 * per context, and the rule that picks among contexts. A request goes to the context with the
 * longest path it falls under; when nothing there matches, the next shorter one is tried (as
 * Felix's whiteboard does), so a bundle with servlets in "/" and "/shop" still reaches both.
 *
 * <p>Immutable: {@link ServletApp} builds a new one when servlets or contexts change.
 */
final class AppRoutes {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    private record ContextMapping(WhiteboardContext context, ServletMapping<ServletApp.Registered> mapping) {
    }

    /** Longest context path first. */
    private final List<ContextMapping> contexts;

    private AppRoutes(List<ContextMapping> contexts) {
        this.contexts = contexts;
    }

    /**
     * The routes of {@code entries}, given highest-ranked first: each pattern of a context goes to
     * the first entry that claims it. A pattern the specification does not allow is logged and left out.
     */
    static AppRoutes of(List<ServletApp.Registered> entries) {
        Map<WhiteboardContext, ServletMapping.Builder<ServletApp.Registered>> builders = new LinkedHashMap<>();
        for (ServletApp.Registered entry : entries) {
            ServletMapping.Builder<ServletApp.Registered> builder = builders.computeIfAbsent(entry.context(), c -> ServletMapping.builder());
            for (String pattern : entry.description().patterns()) {
                if (!ServletMapping.isValidPattern(pattern)) {
                    LOG.log(Level.WARNING, "servlet service " + entry.description().serviceId() + " has the pattern '" + pattern
                            + "', which the Servlet specification does not allow (exact /path, /prefix/*, *.ext, / or \"\"): left out");
                } else if (!builder.add(pattern, entry)) {
                    LOG.log(Level.DEBUG, () -> "pattern " + pattern + " of servlet service " + entry.description().serviceId()
                            + " in context " + entry.context().name() + " is shadowed by a higher-ranked servlet");
                }
            }
        }
        List<ContextMapping> mappings = new ArrayList<>();
        builders.forEach((context, builder) -> {
            ServletMapping<ServletApp.Registered> mapping = builder.build();
            if (!mapping.isEmpty()) {
                mappings.add(new ContextMapping(context, mapping));
            }
        });
        mappings.sort(Comparator.comparingInt((ContextMapping m) -> m.context().contextPath().length()).reversed());
        return new AppRoutes(List.copyOf(mappings));
    }

    boolean isEmpty() {
        return contexts.isEmpty();
    }

    /** Matches the decoded request path (from the root); {@code null} when nothing of this bundle serves it. */
    ServletMapping.Match<ServletApp.Registered> match(String path) {
        for (ContextMapping candidate : contexts) {
            String inside = candidate.context().pathInside(path);
            if (inside == null) {
                continue;
            }
            ServletMapping.Match<ServletApp.Registered> match = candidate.mapping().match(candidate.context().contextPath(), inside);
            if (match != null) {
                return match;
            }
        }
        return null;
    }

    /** Matches {@code pathInContext} against {@code context}'s routes only; {@code null} when nothing of this bundle there serves it. */
    ServletMapping.Match<ServletApp.Registered> match(WhiteboardContext context, String pathInContext) {
        for (ContextMapping candidate : contexts) {
            if (candidate.context().equals(context)) {
                return candidate.mapping().match(context.contextPath(), pathInContext);
            }
        }
        return null;
    }

    /**
     * Where the app is mounted: the longest path, in whole segments, that every request these routes
     * can match starts with (each context's path followed by where its patterns meet); "/" for the root.
     */
    String mountPath() {
        String common = null;
        for (ContextMapping mapping : contexts) {
            String full = mapping.context().contextPath() + mapping.mapping().commonPrefix();
            common = common == null ? full : ServletMapping.commonSegments(common, full);
        }
        return common == null || common.isEmpty() ? "/" : common;
    }

    /** Every servlet and resource, once per context. */
    Set<ServletApp.Registered> targets() {
        Set<ServletApp.Registered> targets = new HashSet<>();
        contexts.forEach(mapping -> targets.addAll(mapping.mapping().targets()));
        return targets;
    }
}
