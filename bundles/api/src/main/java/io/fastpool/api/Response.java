package io.fastpool.api;

import java.io.IOException;
import java.io.OutputStream;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The response being written. Status and headers may change until the response is committed:
 * when the body's buffer first fills or is flushed, or when the handler returns.
 */
@ProviderType
public interface Response {

    /** Sets the status code (100 to 999); default 200. */
    void setStatus(int status);

    /** The status code. */
    int status();

    /** Sets a header, replacing any values it had. */
    void setHeader(String name, String value);

    /** Adds a value to a header. */
    void addHeader(String name, String value);

    /** The last value of a header set so far, or {@code null}; names compared case-insensitively. */
    String header(String name);

    /** Sets {@code Content-Type}. */
    void setContentType(String contentType);

    /** The body. Writing beyond its buffer, or flushing, commits the response. */
    OutputStream body();

    /**
     * How many body bytes the response holds before it commits: while fewer are written (and the body
     * is not flushed), they are not sent, and status and headers may still change.
     *
     * @since 1.3
     */
    int bufferSize();

    /**
     * Drops the body bytes written and not yet sent, as if they had not been written: what a layer that
     * buffers on its own terms (the Servlet API's {@code resetBuffer}) needs to hold its body here.
     *
     * @throws IllegalStateException if the response is already committed
     * @since 1.3
     */
    void resetBuffer();

    /** Whether status and headers have been sent. */
    boolean isCommitted();

    /**
     * Replaces the response with a short plain-text error page: the status and its reason, and
     * {@code message} if given. Never includes a stack trace.
     *
     * @throws IllegalStateException if the response is already committed
     */
    void sendError(int status, String message) throws IOException;
}
