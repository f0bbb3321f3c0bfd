package io.fastpool.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * Closing a connection after its last answer without losing that answer: the output is shut down,
 * then what the peer still sends is read and discarded until it closes, or until
 * {@code lingerSeconds} or {@code lingerBytes} run out. Closing with unread bytes would reset the
 * connection, and a front still writing its request (Caddy, lighttpd) would fail it. For one
 * {@link NettyConnection}, on its event loop.
 */
final class LingeringClose {

    private static final System.Logger LOG = System.getLogger(NettyConnection.class.getName());

    private final NettyConnection connection;
    private final Channel channel;
    private final RecordFramer framer;
    private final Transport transport;
    private boolean lingering;
    private long discardedBytes;

    LingeringClose(NettyConnection connection, Channel channel, RecordFramer framer, Transport transport) {
        this.connection = connection;
        this.channel = channel;
        this.framer = framer;
        this.transport = transport;
    }

    /** Whether the connection is lingering: whatever arrives is discarded. */
    boolean active() {
        return lingering;
    }

    /** Starts lingering; closes at once if the peer has shut its side already or lingering is off. */
    void start(boolean peerShutItsSide) {
        TransportConfig config = transport.config();
        if (!channel.isOpen() || lingering) {
            return;
        }
        if (peerShutItsSide || config.lingerMillis() == 0 || !(channel instanceof DuplexChannel duplex)) {
            channel.close();
            return;
        }
        lingering = true;
        duplex.shutdownOutput().addListener((ChannelFutureListener) shut -> {
            if (!shut.isSuccess()) {
                channel.close();
            }
        });
        channel.eventLoop().schedule(() -> {
            if (channel.isOpen()) {
                LOG.log(Level.DEBUG, () -> connection.describe() + ": closed after lingering " + config.lingerMillis()
                        + " ms (lingerSeconds)");
                channel.close();
            }
        }, config.lingerMillis(), TimeUnit.MILLISECONDS);
        framer.discardHeld();
        channel.config().setAutoRead(true);
        channel.read();
    }

    /** Releases bytes that arrived while lingering; closes once {@code lingerBytes} are exceeded. */
    void discard(ByteBuf bytes) {
        discardedBytes += bytes.readableBytes();
        bytes.release();
        if (discardedBytes > transport.config().lingerBytes()) {
            LOG.log(Level.DEBUG, () -> connection.describe() + ": closed after discarding " + discardedBytes + " bytes (lingerBytes)");
            channel.close();
        }
    }
}
