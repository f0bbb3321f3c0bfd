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
