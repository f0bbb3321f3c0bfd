package io.fastpool.servlet.internal;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The request dispatchers of one app in one servlet context (that context's
 * {@code ServletContext.getRequestDispatcher} and {@code getNamedDispatcher}): a path is decoded,
 * its {@code .} and {@code ..} segments resolved (a path that climbs above the context root has
 * none), and matched, inside the context, against the app's own servlets and resources there; a
 * name against its servlets' names there. The target runs on the calling thread, in the same pool,
 * behind the context's filters for the dispatch's type (FORWARD, INCLUDE).
 *
 * <p>A path no servlet of this bundle matches has no dispatcher ({@code null}), even when another
 * bundle serves it: that bundle is another app, in another pool, with its own class loader and
 * threads, which a pool thread of this one cannot call into. So is a servlet of this bundle in
 * another context: its {@code ServletContext} hands out its dispatchers.
 */
final class AppDispatchers {

    private final ActiveServlets app;
    private final WhiteboardContext context;

    AppDispatchers(ActiveServlets app, WhiteboardContext context) {
        this.app = app;
        this.context = context;
    }

    /** The dispatcher for {@code path} (from this context's root, may carry a query), or {@code null}. */
    RequestDispatcher forPath(String path) {
        if (path == null || !path.startsWith("/")) {
            return null;
        }
        int question = path.indexOf('?');
        String query = question < 0 ? null : path.substring(question + 1);
        String raw = question < 0 ? path : path.substring(0, question);
        String decoded = normalized(decoded(raw));
        if (decoded == null) {
            return null;
        }
        ServletMapping.Match<ServletApp.Registered> match = app.app().routes().match(context, decoded);
        if (match == null) {
            return null;
        }
        return new Dispatcher(match.target(), match.route(), decoded, match.route().contextPath() + raw, query);
    }

    /** The dispatcher for the servlet named {@code name} (configured, or its class name once started), or {@code null}. */
    RequestDispatcher named(String name) {
        if (name == null) {
            return null;
        }
        for (ServletApp.Registered servlet : servlets()) {
            if (name.equals(app.servletName(servlet))) {
                return new Dispatcher(servlet, null, null, null, null);
            }
        }
        return null;
    }

    /** The app's servlets and resources in this context: those with patterns, and error pages. */
    private Set<ServletApp.Registered> servlets() {
        Set<ServletApp.Registered> all = new LinkedHashSet<>();
        for (ServletApp.Registered target : app.app().routes().targets()) {
            if (target.context().equals(context)) {
                all.add(target);
            }
        }
        all.addAll(app.app().errorPages(context).targets());
        return all;
    }

    /** Percent-decoded as UTF-8 (a {@code +} stays a plus: this is a path, not a form); {@code null} if malformed. */
    static String decoded(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        try {
            return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /** {@code path} without {@code .}, {@code ..} and empty segments; {@code null} when it climbs above the root. */
    static String normalized(String path) {
        if (path == null) {
            return null;
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    return null;
                }
                segments.removeLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.addLast(segment);
            }
        }
        StringBuilder normal = new StringBuilder();
        segments.forEach(segment -> normal.append('/').append(segment));
        boolean directory = path.endsWith("/") && !segments.isEmpty();
        return normal.length() == 0 ? "/" : directory ? normal.append('/').toString() : normal.toString();
    }

    /** Our response under the wrappers filters may have put around it, or {@code null}. */
    static ServletResponseAdapter adapterOf(ServletResponse response) {
        ServletResponse current = response;
        while (current instanceof ServletResponseWrapper wrapper) {
            current = wrapper.getResponse();
        }
        return current instanceof ServletResponseAdapter adapter ? adapter : null;
    }

    /** One target: a path's ({@code route} set) or a name's ({@code route} null: the request's path elements stay). */
    private final class Dispatcher implements RequestDispatcher {

        private final ServletApp.Registered target;
        private final ServletRoute route;
        private final String path;
        private final String requestUri;
        private final String query;

        Dispatcher(ServletApp.Registered target, ServletRoute route, String path, String requestUri, String query) {
            this.target = target;
            this.route = route;
            this.path = path;
            this.requestUri = requestUri;
            this.query = query;
        }

        /** Drops what the caller buffered, runs the target, then commits and closes the response. */
        @Override
        public void forward(ServletRequest request, ServletResponse response) throws ServletException, IOException {
            if (response.isCommitted()) {
                throw new IllegalStateException("forward after the response was committed");
            }
            response.resetBuffer();
            String name = app.servletName(target);
            DispatchedRequest forwarded = DispatchedRequest.forward((HttpServletRequest) request, route, requestUri, query, name);
            app.dispatch(target, DispatcherType.FORWARD, path, forwarded, (HttpServletResponse) response);
            ServletResponseAdapter adapter = adapterOf(response);
            if (adapter != null) {
                adapter.closeAfterForward();
            } else {
                response.flushBuffer();
            }
        }

        /** Runs the target into this response's body; its changes to status and headers are ignored. */
        @Override
        public void include(ServletRequest request, ServletResponse response) throws ServletException, IOException {
            String name = app.servletName(target);
            DispatchedRequest included = DispatchedRequest.include((HttpServletRequest) request, route, requestUri, query, name);
            app.dispatch(target, DispatcherType.INCLUDE, path, included, new IncludedResponse((HttpServletResponse) response));
        }
    }
}
