package io.fastpool.transport;

import java.time.Instant;

/**
 * One open connection as the shell and status pages show it, taken on its event loop.
 *
 * @param id the connection's number, as in logs
 * @param listenAddress the listen address it was accepted on, as configured
 * @param remoteAddress the peer's IP address, or {@code "unix"}
 * @param remotePort the peer's port, or 0 on a unix socket
 * @param state what it is doing
 * @param openedAt when it was accepted
 * @param bufferedBytes bytes read but not yet handed to a session (held across a handler change, or paused)
 */
public record ConnectionSnapshot(long id, String listenAddress, String remoteAddress, int remotePort, State state,
        Instant openedAt, int bufferedBytes) {

    /** What a connection is doing. */
    public enum State {
        /** A request is in flight. */
        ACTIVE,
        /** A keep-alive connection between requests. */
        IDLE,
        /** No handler is registered: kept open, not read from, until one is. */
        HELD
    }
}
