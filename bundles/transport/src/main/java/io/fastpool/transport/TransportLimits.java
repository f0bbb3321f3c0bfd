package io.fastpool.transport;

/**
 * Limits of the transport's configuration (PID {@code io.fastpool.transport}), all enforced by the
 * transport on sockets and records. Limits that need to know where a request begins and ends
 * (how long its PARAMS may take, how much of its body may wait for a handler) belong to the protocol
 * bundle above it: the FastCGI listener's configuration.
 *
 * @param maxConnections most open connections; the transport refuses more
 * @param recordTimeoutMillis time any one record may take to arrive once it has begun: a slower
 *     sender has its connection closed, whatever it sends (a peer that sends a byte now and then
 *     never looks idle)
 * @param idleTimeoutMillis time an idle keep-alive connection (no request in flight, nothing read)
 *     stays open; also for connections held while no handler is registered
 */
public record TransportLimits(int maxConnections, long recordTimeoutMillis, long idleTimeoutMillis) {

    /** The defaults' figures, one place for the component's configuration and the record. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final long DEFAULT_RECORD_TIMEOUT_SECONDS = 30;
    public static final long DEFAULT_IDLE_TIMEOUT_SECONDS = 300;

    /** Defaults: 10,000 connections, 30 s for a record, 5 min idle. */
    public static final TransportLimits DEFAULTS = new TransportLimits(DEFAULT_MAX_CONNECTIONS,
            DEFAULT_RECORD_TIMEOUT_SECONDS * 1000, DEFAULT_IDLE_TIMEOUT_SECONDS * 1000);

    /** Checks every limit is positive. */
    public TransportLimits {
        if (maxConnections < 1 || recordTimeoutMillis < 1 || idleTimeoutMillis < 1) {
            throw new IllegalArgumentException("transport limits must be positive: maxConnections=" + maxConnections
                    + ", recordTimeoutMillis=" + recordTimeoutMillis + ", idleTimeoutMillis=" + idleTimeoutMillis);
        }
    }
}
