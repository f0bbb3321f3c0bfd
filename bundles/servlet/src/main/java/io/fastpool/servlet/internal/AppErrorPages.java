package io.fastpool.servlet.internal;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * One request's way to its app's error pages ({@link ErrorPages}): the page chosen for the status
 * or exception runs as an ERROR dispatch ({@link DispatchedRequest#error}: the request's own path,
 * the {@code jakarta.servlet.error.*} attributes), behind the app's filters for ERROR, in the
 * response reopened for it with the error's status. An exception answered by a page is logged
 * here, as the pool would have logged it.
 *
 * @param app           the app whose pages these are
 * @param failedServlet the name of the servlet the request went to ({@code null}: none matched)
 */
record AppErrorPages(ActiveServlets app, String failedServlet) implements ErrorDispatch {

    private static final System.Logger LOG = System.getLogger(ServletWhiteboard.class.getName());

    @Override
    public boolean onStatus(ServletRequestAdapter request, ServletResponseAdapter response, int status, String message)
            throws IOException, ServletException {
        ServletApp.Registered page = app.errorPages().forStatus(status);
        if (page == null) {
            return false;
        }
        show(page, request, response, status, message, null);
        return true;
    }

    @Override
    public boolean onException(ServletRequestAdapter request, ServletResponseAdapter response, Throwable problem)
            throws IOException, ServletException {
        ErrorPages.Page<ServletApp.Registered> page = app.errorPages().forException(problem);
        if (page == null) {
            return false;
        }
        LOG.log(Level.ERROR, "request " + request.getMethod() + " " + request.getRequestURI() + " failed in "
                + (failedServlet == null ? "a filter" : "servlet " + failedServlet) + " of bundle " + app.bundleName()
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
