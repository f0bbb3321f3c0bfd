package io.fastpool.transport;

/**
 * One listen address and its counters, as the shell and status pages show them.
 *
 * @param listenAddress as configured
 * @param boundAddress what the socket is bound to: {@code 127.0.0.1:9000}, or the socket file's path
 * @param port the bound TCP port (useful when configured as 0), or 0 for a unix socket
 * @param accepted connections admitted since the listener opened
 * @param open admitted connections still open
 * @param refused connections closed at once: peer not in {@code allowedClients}, or {@code maxConnections} reached
 * @param inherited where the listening socket came from when the server did not bind it itself
 *     ({@code inherited fd 3 from systemd}, socket activation), else empty
 */
public record ListenerSnapshot(String listenAddress, String boundAddress, int port, long accepted, int open,
        long refused, String inherited) {

    /** A listener on a socket the server bound itself. */
    public ListenerSnapshot(String listenAddress, String boundAddress, int port, long accepted, int open, long refused) {
        this(listenAddress, boundAddress, port, accepted, open, refused, "");
    }

    /** Whether the listening socket was inherited (socket activation) rather than bound by the server. */
    public boolean isInherited() {
        return !inherited.isEmpty();
    }
}
