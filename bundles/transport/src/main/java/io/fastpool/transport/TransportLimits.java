package io.fastpool.transport;

/**
 * Limits of the transport's configuration (PID {@code io.fastpool.transport}). The transport
 * enforces {@code maxConnections} and {@code idleTimeoutMillis}; a session enforces the others,
 * because only it knows where a request begins and ends.
 *
 * @param maxConnections most open connections; the transport refuses more
 * @param paramsTimeoutMillis time a request may take from BEGIN_REQUEST to the end of its PARAMS
 *     (the session enforces it), and time any one record may take to arrive (the transport
 *     enforces it): a slower sender has its connection closed, whatever it sends
 * @param idleTimeoutMillis time an idle keep-alive connection (no request in flight, nothing read)
 *     stays open; the transport enforces it, also for connections held while no handler is registered
 * @param maxBufferedBytesPerConnection request body bytes held for handlers that have not read
 *     them yet; past this the session pauses reading ({@link Connection#pauseReading()}) until they do
 */
public record TransportLimits(int maxConnections, long paramsTimeoutMillis, long idleTimeoutMillis,
        int maxBufferedBytesPerConnection) {

    /** Defaults: 10,000 connections, 30 s for PARAMS, 5 min idle, 1 MiB buffered. */
    /** The defaults' figures, one place for the component's configuration and the record. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final long DEFAULT_PARAMS_TIMEOUT_SECONDS = 30;
    public static final long DEFAULT_IDLE_TIMEOUT_SECONDS = 300;
    public static final int DEFAULT_MAX_BUFFERED_BYTES_PER_CONNECTION = 1024 * 1024;

    public static final TransportLimits DEFAULTS = new TransportLimits(DEFAULT_MAX_CONNECTIONS,
            DEFAULT_PARAMS_TIMEOUT_SECONDS * 1000, DEFAULT_IDLE_TIMEOUT_SECONDS * 1000, DEFAULT_MAX_BUFFERED_BYTES_PER_CONNECTION);

    /** Checks every limit is positive. */
    public TransportLimits {
        if (maxConnections < 1 || paramsTimeoutMillis < 1 || idleTimeoutMillis < 1 || maxBufferedBytesPerConnection < 1) {
            throw new IllegalArgumentException("transport limits must be positive: maxConnections=" + maxConnections
                    + ", paramsTimeoutMillis=" + paramsTimeoutMillis + ", idleTimeoutMillis=" + idleTimeoutMillis
                    + ", maxBufferedBytesPerConnection=" + maxBufferedBytesPerConnection);
        }
    }
}
