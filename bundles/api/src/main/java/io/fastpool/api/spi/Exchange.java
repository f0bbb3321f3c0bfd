package io.fastpool.api.spi;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import org.osgi.annotation.versioning.ProviderType;

/** One request and its response, as a protocol front hands them to a {@link RequestTarget}. */
@ProviderType
public interface Exchange {

    /** The request. */
    Request request();

    /** The response to write. */
    Response response();

    /**
     * Ends the exchange: commits the response if it is not yet, sends what is buffered and tells the
     * front the request is over. Idempotent; any thread.
     */
    void complete();

    /**
     * Answers {@code status} with a short error page saying {@code message} (none when null), with
     * {@code Retry-After} when {@code retryAfterSeconds} is above 0, unless the response has gone out
     * or the request ended meanwhile; then {@linkplain #complete() completes}. For targets that turn
     * a request away (a full queue, a client that may not see a page) without running anything.
     */
    default void answerError(int status, String message, int retryAfterSeconds) {
        Response response = response();
        try {
            if (!response.isCommitted()) {
                if (retryAfterSeconds > 0) {
                    response.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
                }
                response.sendError(status, message);
            }
        } catch (java.io.IOException | IllegalStateException gone) {
            // The request ended meanwhile: nothing more to say.
        }
        complete();
    }

    /** Whether the client or the web server gave up on the request. */
    boolean isCancelled();

    /**
     * Runs {@code action} once when the request is cancelled (at once if it already is), on a
     * transport thread: it must not block. A pool interrupts the handler's worker here.
     */
    void onCancel(Runnable action);

    /** A short description for logs: connection, request id, method and URI. */
    String describe();
}
