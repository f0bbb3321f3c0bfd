package io.fastpool.servlet.internal;

/**
 * A request the Servlet API cannot describe as the client sent it: a malformed parameter, a
 * Content-Length that is not a number, a form too large. Unchecked because the Servlet methods that
 * meet it ({@code getParameter}, {@code getContentLength}) declare no exception; {@link ServletInvoker}
 * answers it with {@link #status()} and its message. The request's body and query string stay as
 * they came, so nothing the client sent is lost to the servlet.
 */
public abstract class BadRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected BadRequestException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The HTTP status that answers this request. */
    public abstract int status();
}
