package io.fastpool.listener.internal;

import io.fastpool.api.spi.RequestTarget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes by virtual host, port and path prefix. A request's path is tried at each of its segment
 * boundaries, longest first ({@code /a/b/c}, {@code /a/b}, {@code /a}, the root), so {@code /app}
 * matches {@code /app} and {@code /app/x} but never {@code /apple}, and a lookup costs a few hash
 * probes however many routes there are. Among routes on the same prefix the most specific host
 * wins (exact, then the longest {@code *.domain}, then {@code *}), then a specific port over any.
 *
 * <p>Reads take an immutable snapshot without locking; changes rebuild it (routes change when apps
 * are deployed, not per request).
 */
final class RoutingTable implements Router {

    /** One route: host pattern (lower case), port (0 for any), prefix (normalised, "" for the root). */
    record Route(String host, int port, String prefix, RequestTarget target, String name) {

        Route {
            host = normaliseHost(host);
            prefix = normalisePrefix(prefix);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("route port must be between 0 (any) and 65535, was " + port);
            }
        }

        boolean matchesHost(String requestHost) {
            if (host.equals("*")) {
                return true;
            }
            if (host.startsWith("*.")) {
                return requestHost.length() > host.length() - 1 && requestHost.endsWith(host.substring(1));
            }
            return host.equals(requestHost);
        }

        /** Higher is more specific: exact host beats any wildcard, a longer wildcard a shorter one; a port adds one. */
        int specificity() {
            int hostScore = host.equals("*") ? 0 : host.startsWith("*.") ? 2 * host.length() : 1_000_000;
            return hostScore * 2 + (port != 0 ? 1 : 0);
        }
    }

    private final List<Route> routes = new ArrayList<>();
    private volatile Map<String, Route[]> byPrefix = Map.of();

    /** Adds a route; routes with the same host, port and prefix as an earlier one stay behind it. */
    synchronized void add(Route route) {
        routes.add(route);
        rebuild();
    }

    /** Removes every route of {@code target}; returns how many there were. */
    synchronized int remove(RequestTarget target) {
        int before = routes.size();
        routes.removeIf(r -> r.target() == target);
        rebuild();
        return before - routes.size();
    }

    /**
     * Puts {@code replacements} in place of every route of {@code target} at once: no request meets
     * neither. Returns false, and changes nothing, when they are the routes it has already.
     */
    synchronized boolean replace(RequestTarget target, List<Route> replacements) {
        if (routes.stream().filter(r -> r.target() == target).toList().equals(replacements)) {
            return false;
        }
        routes.removeIf(r -> r.target() == target);
        routes.addAll(replacements);
        rebuild();
        return true;
    }

    /** The routes, in the order they were added. */
    synchronized List<Route> routes() {
        return List.copyOf(routes);
    }

    @Override
    public Match route(String host, int port, String path) {
        Map<String, Route[]> table = byPrefix;
        if (table.isEmpty()) {
            return null;
        }
        String candidate = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        if (candidate.equals("/")) {
            candidate = "";
        }
        while (true) {
            Route[] onPrefix = table.get(candidate);
            if (onPrefix != null) {
                for (Route route : onPrefix) {
                    if ((route.port() == 0 || route.port() == port) && route.matchesHost(host)) {
                        return new Match(route.target(), route.prefix(), route.name());
                    }
                }
            }
            if (candidate.isEmpty()) {
                return null;
            }
            candidate = candidate.substring(0, candidate.lastIndexOf('/'));
        }
    }

    private void rebuild() {
        Map<String, List<Route>> grouped = new HashMap<>();
        for (Route route : routes) {
            grouped.computeIfAbsent(route.prefix(), p -> new ArrayList<>()).add(route);
        }
        Map<String, Route[]> table = new HashMap<>();
        grouped.forEach((prefix, list) -> {
            // Stable sort: equally specific routes keep the order they were added in.
            list.sort((a, b) -> Integer.compare(b.specificity(), a.specificity()));
            table.put(prefix, list.toArray(new Route[0]));
        });
        byPrefix = Map.copyOf(table);
    }

    static String normalisePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || !prefix.startsWith("/")) {
            throw new IllegalArgumentException("route path must start with '/', was " + (prefix == null ? "null" : "'" + prefix + "'"));
        }
        String decoded = RequestPath.decode(prefix);
        return decoded.endsWith("/") ? decoded.substring(0, decoded.length() - 1) : decoded;
    }

    static String normaliseHost(String host) {
        if (host == null || host.isBlank()) {
            return "*";
        }
        String trimmed = host.trim();
        StringBuilder lower = new StringBuilder(trimmed.length());
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c <= ' ' || c == '/' || c >= 0x7F) {
                throw new IllegalArgumentException("route host '" + host + "' has character " + (int) c + " at " + i);
            }
            lower.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        String result = lower.toString();
        if (result.indexOf('*') >= 0 && !result.equals("*") && !(result.startsWith("*.") && result.indexOf('*', 1) < 0)) {
            throw new IllegalArgumentException("route host '" + host + "' must be a name, '*', or '*.domain'");
        }
        return result;
    }
}
