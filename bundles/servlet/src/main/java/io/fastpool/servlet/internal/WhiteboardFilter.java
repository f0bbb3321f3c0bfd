package io.fastpool.servlet.internal;

import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_FILTER_ASYNC_SUPPORTED;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_FILTER_DISPATCHER;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_FILTER_INIT_PARAM_PREFIX;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_FILTER_NAME;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_FILTER_PATTERN;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_FILTER_REGEX;
import static org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants.HTTP_WHITEBOARD_FILTER_SERVLET;

import jakarta.servlet.DispatcherType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One filter service as its whiteboard properties describe it: the paths it applies to (servlet
 * patterns, {@code .filter.pattern}; regular expressions over the whole path in the context,
 * {@code .filter.regex}), the servlets it applies to by name ({@code .filter.servlet}), its name,
 * init parameters ({@code filter.init.*}), dispatcher types ({@code .filter.dispatcher}: REQUEST by
 * default; ASYNC, FORWARD, INCLUDE and ERROR run on the dispatches of those types), whether it
 * supports async requests ({@code .filter.asyncSupported}) and order (service ranking, then the
 * older service, first).
 *
 * @param serviceId     the service's {@code service.id}
 * @param ranking       the service's {@code service.ranking} (0 without one)
 * @param name          the filter's name, or {@code null} to take its class name
 * @param patterns      its servlet-style patterns
 * @param regexes       its regular expressions, compiled
 * @param servletNames  the names of the servlets it applies to
 * @param initParams    its init parameters
 * @param dispatchers   the dispatcher types it filters ({@code REQUEST} by default)
 * @param contextSelect its context selection filter, or {@code null} for the default context
 * @param asyncSupported whether it may run in a request that starts async ({@code .filter.asyncSupported=true})
 */
record WhiteboardFilter(long serviceId, int ranking, String name, List<String> patterns, List<Pattern> regexes,
        List<String> servletNames, Map<String, String> initParams, Set<DispatcherType> dispatchers, String contextSelect,
        boolean asyncSupported) {

    /** Reads a filter service's properties; a regular expression that does not compile is an {@link IllegalArgumentException}. */
    static WhiteboardFilter of(Map<String, Object> properties) {
        List<Pattern> regexes = new ArrayList<>();
        for (String regex : WhiteboardServlet.strings(properties.get(HTTP_WHITEBOARD_FILTER_REGEX))) {
            try {
                regexes.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(HTTP_WHITEBOARD_FILTER_REGEX + " '" + regex + "' is not a regular expression: "
                        + e.getDescription(), e);
            }
        }
        Set<DispatcherType> dispatchers = EnumSet.noneOf(DispatcherType.class);
        for (String type : WhiteboardServlet.strings(properties.get(HTTP_WHITEBOARD_FILTER_DISPATCHER))) {
            try {
                dispatchers.add(DispatcherType.valueOf(type.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(HTTP_WHITEBOARD_FILTER_DISPATCHER + " '" + type + "' is not a dispatcher type", e);
            }
        }
        return new WhiteboardFilter(WhiteboardServlet.serviceId(properties), WhiteboardServlet.ranking(properties),
                WhiteboardServlet.text(properties, HTTP_WHITEBOARD_FILTER_NAME),
                WhiteboardServlet.strings(properties.get(HTTP_WHITEBOARD_FILTER_PATTERN)), List.copyOf(regexes),
                WhiteboardServlet.strings(properties.get(HTTP_WHITEBOARD_FILTER_SERVLET)),
                WhiteboardServlet.initParams(properties, HTTP_WHITEBOARD_FILTER_INIT_PARAM_PREFIX),
                dispatchers.isEmpty() ? Set.of(DispatcherType.REQUEST) : Set.copyOf(dispatchers),
                WhiteboardServlet.contextSelect(properties), WhiteboardServlet.flag(properties, HTTP_WHITEBOARD_FILTER_ASYNC_SUPPORTED));
    }

    /** Whether it runs before {@code other}: higher ranking, then the older service. */
    boolean outranks(WhiteboardFilter other) {
        return WhiteboardServlet.outranks(ranking, serviceId, other.ranking, other.serviceId);
    }

    /** Whether it applies to a request for {@code path} (in its context) that goes to the servlet named {@code servletName}. */
    boolean appliesTo(String path, String servletName) {
        return appliesTo(DispatcherType.REQUEST, path, servletName);
    }

    /**
     * Whether it applies to a dispatch of {@code type} for {@code path} to the servlet named
     * {@code servletName}; a named dispatch has no path ({@code null}) and is filtered by servlet name only.
     */
    boolean appliesTo(DispatcherType type, String path, String servletName) {
        if (!dispatchers.contains(type)) {
            return false;
        }
        if (servletName != null && servletNames.contains(servletName)) {
            return true;
        }
        if (path == null) {
            return false;
        }
        for (String pattern : patterns) {
            if (matches(pattern, path)) {
                return true;
            }
        }
        for (Pattern regex : regexes) {
            if (regex.matcher(path).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A filter's servlet-style pattern against a path: every path for {@code /} and {@code /*}, the
     * context root for "", the prefix and below for {@code /a/*}, the last segment's extension for
     * {@code *.ext}, else the exact path.
     */
    static boolean matches(String pattern, String path) {
        String inContext = path.isEmpty() ? "/" : path;
        if (pattern.equals("/") || pattern.equals("/*")) {
            return true;
        }
        if (pattern.isEmpty()) {
            return inContext.equals("/");
        }
        if (pattern.endsWith("/*")) {
            String prefix = pattern.substring(0, pattern.length() - 2);
            return inContext.equals(prefix) || inContext.startsWith(prefix + "/");
        }
        if (pattern.startsWith("*.")) {
            int lastSlash = inContext.lastIndexOf('/');
            return inContext.endsWith(pattern.substring(1)) && inContext.lastIndexOf('.') > lastSlash;
        }
        return inContext.equals(pattern);
    }
}
