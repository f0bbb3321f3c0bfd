package io.fastpool.servlet.internal;

/**
 * A {@code multipart/form-data} body or one of its files over the servlet's {@code maxRequestSize} or
 * {@code maxFileSize}, or with more parts than allowed. An {@link IllegalStateException}, as
 * {@code getParts()} must throw; {@link ServletInvoker} answers it 413 if the servlet lets it go.
 */
public final class MultipartTooLargeException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    MultipartTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The HTTP status that answers this request. */
    public int status() {
        return 413;
    }
}
