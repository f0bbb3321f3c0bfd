package io.fastpool.servlet.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceObjects;
import org.osgi.service.servlet.context.ServletContextHelper;

/**
 * One servlet context while an app runs in it: the context's {@link ServletContextHelper}, got in
 * the name of the bundle whose servlets use it (so a bundle-scoped helper is that bundle's own, as
 * the specification asks), the {@link ServletContext} made over it, and the helper's security
 * around each request. Opened on the app's first request in the context, closed (the helper
 * released) when the app stops or the context goes.
 */
final class ActiveContext {

    private final WhiteboardContext context;
    private final ServiceObjects<ServletContextHelper> objects;
    private final ServletContextHelper helper;
    private final WhiteboardServletContext servletContext;

    private ActiveContext(WhiteboardContext context, ServiceObjects<ServletContextHelper> objects, ServletContextHelper helper,
            Bundle bundle, AppDispatchers dispatchers) {
        this.context = context;
        this.objects = objects;
        this.helper = helper;
        this.servletContext = new WhiteboardServletContext(bundle, context, helper, dispatchers);
    }

    /**
     * {@code bundle}'s view of {@code context}, whose {@code ServletContext} hands out
     * {@code dispatchers}; a helper that cannot be got (it went meanwhile, or
     * the bundle is not active) is an {@link IllegalStateException} that says so.
     */
    static ActiveContext open(Bundle bundle, WhiteboardContext context, AppDispatchers dispatchers) {
        if (context.isBuiltIn()) {
            return new ActiveContext(context, null, new DefaultContextHelper(bundle), bundle, dispatchers);
        }
        BundleContext user = bundle.getBundleContext();
        ServiceObjects<ServletContextHelper> objects = user == null ? null : user.getServiceObjects(context.helper());
        ServletContextHelper helper = objects == null ? null : objects.getService();
        if (helper == null) {
            throw new IllegalStateException("the ServletContextHelper of context " + context.name() + " (service "
                    + context.serviceId() + ") could not be got for bundle " + bundle.getSymbolicName());
        }
        return new ActiveContext(context, objects, helper, bundle, dispatchers);
    }

    WhiteboardContext context() {
        return context;
    }

    ServletContext servletContext() {
        return servletContext;
    }

    /** Whether requests go through the helper's security (not for the built-in default, whose helper lets all through). */
    boolean checksSecurity() {
        return objects != null;
    }

    /** {@code next} behind the helper's {@code handleSecurity} and {@code finishSecurity}. */
    FilterChain secured(FilterChain next) {
        return checksSecurity() ? new Secured(helper, next) : next;
    }

    /** Releases the helper. */
    void close() {
        if (objects != null) {
            try {
                objects.ungetService(helper);
            } catch (RuntimeException alreadyGone) {
                // the helper's bundle is stopping; the framework releases it anyway
            }
        }
    }

    /**
     * The helper's security around the rest of the chain. A request it refuses goes no further; if
     * the helper left the response uncommitted with no status of its own, the answer is 403. A
     * user or authentication type it sets as request attributes is what the request reports.
     */
    private record Secured(ServletContextHelper helper, FilterChain next) implements FilterChain {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response) throws IOException, ServletException {
            HttpServletRequest httpRequest = (HttpServletRequest) request;
            HttpServletResponse httpResponse = (HttpServletResponse) response;
            if (!helper.handleSecurity(httpRequest, httpResponse)) {
                if (!httpResponse.isCommitted() && httpResponse.getStatus() == HttpServletResponse.SC_OK) {
                    httpResponse.sendError(HttpServletResponse.SC_FORBIDDEN);
                }
                return;
            }
            try {
                next.doFilter(authenticated(httpRequest), response);
            } finally {
                helper.finishSecurity(httpRequest, httpResponse);
            }
        }

        private static HttpServletRequest authenticated(HttpServletRequest request) {
            Object user = request.getAttribute(ServletContextHelper.REMOTE_USER);
            Object type = request.getAttribute(ServletContextHelper.AUTHENTICATION_TYPE);
            if (user == null && type == null) {
                return request;
            }
            return new HttpServletRequestWrapper(request) {
                @Override
                public String getRemoteUser() {
                    return user != null ? user.toString() : super.getRemoteUser();
                }

                @Override
                public String getAuthType() {
                    return type != null ? type.toString() : super.getAuthType();
                }
            };
        }
    }
}
