package io.fastpool.transport;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the connection holder is doing, for the shell and the status page: the transport registers
 * this service while it runs. Read-only; nothing here changes a connection.
 */
@ProviderType
public interface TransportStatus {

    /** Every listen address with its counters, in configured order. */
    List<ListenerSnapshot> listeners();

    /**
     * Every open connection, by id. Each connection is asked on its own event loop, so this waits
     * briefly: call it from a shell or status thread, never from a transport event loop.
     *
     * @throws IllegalStateException if called on a transport event loop
     */
    List<ConnectionSnapshot> connections();

    /** Connections open now, on every listen address, including those held without a handler. */
    int openConnections();

    /** The socket implementation in use: {@code "epoll"} or {@code "nio"}. */
    String ioKind();

    /** Connections cut off because they did not finish a request's PARAMS in time, since the transport started. */
    long slowSendersCutOff();
}
