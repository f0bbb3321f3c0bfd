package io.fastpool.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Speaks a protocol over the transport's connections; registered as an OSGi service (the FastCGI
 * listener is one). The transport uses the highest-ranked one; while there is none it holds its
 * connections without reading from them.
 */
@ConsumerType
public interface ConnectionHandler {

    /**
     * Starts serving {@code connection}: called on the connection's event loop when it is accepted,
     * and again for a held idle connection when a handler (re)appears.
     */
    ConnectionSession open(Connection connection);
}
