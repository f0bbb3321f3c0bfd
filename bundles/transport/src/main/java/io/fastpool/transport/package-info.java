/**
 * The connection holder's contract with whatever speaks a protocol over its connections.
 *
 * <p>The transport bundle owns every socket: it listens, accepts, frames FastCGI records and keeps
 * connections open. The FastCGI listener registers a {@link io.fastpool.transport.ConnectionHandler}
 * service; the transport opens a {@link io.fastpool.transport.ConnectionSession} with it for each
 * connection and hands it whole records. While no handler is registered (the listener bundle is
 * being updated) the transport stops reading, so bytes wait in the kernel, and idle connections
 * stay open until a handler comes back.
 */
@Export
@Version("2.3.0")
package io.fastpool.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
