package io.fastpool.bench.load;

import io.fastpool.fcgi.FcgiProtocolStatus;

/**
 * What a {@link FcgiClientHandler} reports to whoever drives its connection: the run decides what
 * to send next and what to count. Called on the connection's event loop.
 */
interface ConnectionEvents {

    /** The connection is open: send the first requests with {@link FcgiClientHandler#send}. */
    void connectionActive(FcgiClientHandler connection);

    /**
     * The END_REQUEST of {@code requestId} arrived; the id is free for the next request.
     *
     * @param measured whether the request was admitted for measuring (not warm-up)
     * @param latencyNanos from the request's start to its END_REQUEST
     * @param protocolStatus END_REQUEST's protocol status
     * @param httpStatus the CGI {@code Status:} header's code, or 200 without one
     * @param wroteStderr whether the response had STDERR content
     */
    void responded(FcgiClientHandler connection, int requestId, boolean measured, long latencyNanos,
            FcgiProtocolStatus protocolStatus, int httpStatus, boolean wroteStderr);

    /** A request in flight failed; the connection is closing. */
    void failed(boolean measured, ErrorKind kind, String detail);

    /** Bytes arrived on the connection. */
    void received(int bytes);

    /** The connection closed, after {@code responses} responses; requests in flight were reported as failed. */
    void connectionClosed(FcgiClientHandler connection, long responses);
}
