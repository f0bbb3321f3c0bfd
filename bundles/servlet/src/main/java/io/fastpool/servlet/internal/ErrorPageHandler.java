package io.fastpool.servlet.internal;

import io.fastpool.api.Response;
import java.io.IOException;

/**
 * Writes the page for a {@code sendError}, once the servlet has returned, when the app has no
 * error page of its own for it ({@code osgi.http.whiteboard.servlet.errorPage}: those are
 * {@link ErrorDispatch}ed before this) or its error page failed too: {@link #PLAIN} answers with
 * Fastpool's short plain-text page, never a stack trace.
 */
@FunctionalInterface
public interface ErrorPageHandler {

    /** Fastpool's own error page: the status, its reason and the message. */
    ErrorPageHandler PLAIN = (status, message, response) -> response.sendError(status, message);

    /**
     * @param response Fastpool's response, not yet committed, already carrying the headers the
     *                 servlet set (cookies, for one) except Content-Type and Content-Length
     */
    void sendErrorPage(int status, String message, Response response) throws IOException;
}
