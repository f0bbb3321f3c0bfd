package io.fastpool.servlet.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * One request's way to its app's error pages ({@link ErrorPages}) in the servlet context the
 * request is in: the page chosen for the status or exception runs as an ERROR dispatch
 * ({@link DispatchedRequest#error}: the request's own path, the {@code jakarta.servlet.error.*}
 * attributes), behind the context's filters for ERROR, in the response reopened for it with the
 * error's status. An exception answered by a page is logged here, as the pool would have logged it.
 *
 * <p>Error pages are per context, as servlets are: a bundle's error page serves the errors of its
 * servlets in the contexts it selects itself (the default, unless it selects others), so a page
 * made for one context's paths and look is not shown for another's.
 *
 * @param app           the app whose pages these are
 * @param context       the servlet context the request is in
 * @param failedServlet the name of the servlet the request went to ({@code null}: none matched)
 */
record AppErrorPages(ActiveServlets app, WhiteboardContext context, String failedServlet) implements ErrorDispatch {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    /** What a path no servlet matches meets when its context has error pages: a 404 for them to answer. */
    private static final FilterChain NOT_FOUND = (request, response) -> ((HttpServletResponse) response).sendError(404);

    /**
     * Answers a request no servlet of the app matches: a plain 404, or, when the longest context
     * of the app the path falls in has error pages, the 404 through them (behind that context's
     * security, as its servlets are).
     */
    static void notFound(ActiveServlets app, Request request, Response response) throws IOException, ServletException {
        String path = request.path();
        WhiteboardContext in = null;
        for (WhiteboardContext candidate : app.app().errorPageContexts()) {
            if (candidate.pathInside(path) != null && (in == null || candidate.contextPath().length() > in.contextPath().length())) {
                in = candidate;
            }
        }
        if (in == null) {
            response.sendError(404, null);
            return;
        }
        String inside = in.pathInside(path);
        ServletRoute nowhere = new ServletRoute(in.contextPath(), inside.isEmpty() ? "/" : inside, null, MappingMatch.DEFAULT, "/");
        ActiveContext context = app.contextOf(in);
        app.app().invoker().service(context.secured(NOT_FOUND), null, request, response, nowhere, context.servletContext(), null,
                new AppErrorPages(app, in, null));
    }

    @Override
    public boolean onStatus(ServletRequestAdapter request, ServletResponseAdapter response, int status, String message)
            throws IOException, ServletException {
        ServletApp.Registered page = app.app().errorPages(context).forStatus(status);
        if (page == null) {
            return false;
        }
        show(page, request, response, status, message, null);
        return true;
    }

    @Override
    public boolean onException(ServletRequestAdapter request, ServletResponseAdapter response, Throwable problem)
            throws IOException, ServletException {
        ErrorPages.Page<ServletApp.Registered> page = app.app().errorPages(context).forException(problem);
        if (page == null) {
            return false;
        }
        LOG.log(Level.ERROR, "request " + request.getMethod() + " " + request.getRequestURI() + " failed in "
                + (failedServlet == null ? "a filter" : "servlet " + failedServlet) + " of bundle " + app.app().bundleName()
                + "; answered by its error page", problem);
        Throwable shown = page.matched() != null ? page.matched() : problem;
        show(page.target(), request, response, 500, null, shown);
        return true;
    }

    private void show(ServletApp.Registered page, ServletRequestAdapter request, ServletResponseAdapter response, int status,
            String message, Throwable exception) throws IOException, ServletException {
        response.reopenForErrorPage(status);
        DispatchedRequest error = DispatchedRequest.error(request, status, message, exception, failedServlet);
        app.dispatch(page, DispatcherType.ERROR, request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo()),
                error, response);
    }
}
