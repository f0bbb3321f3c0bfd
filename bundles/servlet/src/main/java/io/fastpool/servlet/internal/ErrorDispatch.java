package io.fastpool.servlet.internal;

import jakarta.servlet.ServletException;
import java.io.IOException;

/**
 * Where {@link ServletInvoker} sends a request whose servlet or filters answered with
 * {@code sendError} or threw: the app's error pages ({@link AppErrorPages}). Each method answers
 * whether the app had a page for the error; when it had none, the invoker goes on as without error
 * pages (the plain page, or the exception to the pool).
 */
interface ErrorDispatch {

    /** Serves the page for {@code sendError(status, message)}; the response is not sent yet. */
    boolean onStatus(ServletRequestAdapter request, ServletResponseAdapter response, int status, String message)
            throws IOException, ServletException;

    /** Serves the page for an exception the servlet or a filter did not catch; the response is not committed. */
    boolean onException(ServletRequestAdapter request, ServletResponseAdapter response, Throwable problem)
            throws IOException, ServletException;
}
