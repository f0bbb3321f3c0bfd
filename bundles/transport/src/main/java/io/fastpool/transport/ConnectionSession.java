package io.fastpool.transport;

import io.netty.buffer.ByteBuf;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One connection as its {@link ConnectionHandler} serves it. Every method is called on the
 * connection's event loop and must not block.
 */
@ConsumerType
public interface ConnectionSession {

    /**
     * One whole FastCGI record: the 8-byte header, the content and the padding. The transport
     * releases {@code record} when the call returns; a session that keeps any of it retains it, as
     * a slice of its own or read by absolute index later: the transport points the same buffer at
     * the next record read with it, so its reader and writer indexes are this record's only during
     * the call. Throwing is logged and closes this connection only.
     */
    void onRecord(ByteBuf record);

    /** The connection's outbound buffer crossed a water mark: writers should wait, or may go on. */
    void onWritabilityChanged(boolean writable);

    /** Whether no request is in flight: the connection may be closed as idle, or held across a handler change. */
    boolean isIdle();

    /**
     * The handler is going away while the connection stays (the listener bundle is being updated):
     * end all work on it and release everything held for it. The transport keeps the connection
     * only if {@link #isIdle()} was true; it closes the others. After this the transport calls no
     * method of this session again, not even {@link #onClose()}, and the session must not use the
     * connection any more (a later session of the next handler may own it).
     */
    void detach();

    /**
     * The peer shut its side down for writing (a half-close): nothing more will arrive on this
     * connection. Answer true to have it closed now (a request that cannot complete any more is then
     * cancelled), false to keep it open while requests that arrived whole are answered; the session
     * then closes it after the last answer. By default the connection closes now, as it did before
     * sessions were told.
     */
    default boolean onInputShutdown() {
        return true;
    }

    /**
     * The connection closed, from either side; release everything held for it. Called once, and
     * not at all for a session that was {@linkplain #detach() detached}.
     */
    void onClose();
}
