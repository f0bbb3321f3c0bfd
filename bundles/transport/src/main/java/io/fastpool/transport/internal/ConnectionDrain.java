package io.fastpool.transport.internal;

import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closing one connection for a graceful stop ({@link Transport#drain}) at a point where the web
 * server loses nothing and can retry safely: right after the answer it is being sent, so that the
 * end of the connection follows the answer's last bytes; or, between requests, once nothing has
 * arrived for {@value #DEFAULT_QUIET_MILLIS} ms.
 *
 * <p>Why not close an idle connection at the very moment the drain begins: a web server under
 * load reuses a kept connection microseconds after its last answer, and its next request would
 * cross the close on the wire. The request is not lost (the server retries on another
 * connection), but nginx logs an "upstream prematurely closed connection" error for it. A
 * connection in use sends its next request within the quiet time and is closed right after that
 * answer, when nginx sees the end together with the answer and never reuses it; one that stays
 * quiet that long is not in use, and goes then. The same covers a connection accepted but not yet
 * sent its first request: a web server writes it right after connecting.
 *
 * <p>The close itself is {@link LingeringClose}'s (the sending side shut, what still arrives read
 * and discarded until the peer closes), behind an empty flush: no answer is cut, and the peer never
 * meets a reset. For one {@link NettyConnection}, on its event loop except {@link #active()}. The
 * connection calls {@link #written()} when a write of its session has gone out (the usual moment a
 * request ends); a look every {@value #RECHECK_MILLIS} ms catches a request that ends without a
 * write (cancelled, or a session that writes nothing).
 */
final class ConnectionDrain {

    private static final System.Logger LOG = System.getLogger(NettyConnection.class.getName());

    /** How long a connection between requests must have been quiet to be closed without an answer to follow. */
    static final long DEFAULT_QUIET_MILLIS = 200;
    /** How often a draining connection is looked at, besides after each write. */
    static final long RECHECK_MILLIS = 100;

    /**
     * What follows a draining connection's last answer in the same write: an empty GET_VALUES_RESULT,
     * a management record a FastCGI client may receive at any time. nginx puts a connection back into
     * its keepalive cache only when the END_REQUEST it read was the last byte it received; with bytes
     * behind it, nginx closes the connection itself. Without them, nginx may read the answer before
     * the close that follows it, cache the connection and hand it to its next request, which then
     * meets the close: SupervisorIT's ten restarts under load logged two "upstream prematurely closed"
     * lines each (retried by nginx, so no request failed) until this record was added, and none since.
     */
    private static final byte[] LAST_ANSWER_TRAILER = emptyGetValuesResult();

    private final NettyConnection connection;
    private final Channel channel;
    private volatile boolean active;
    // Event-loop confined.
    private boolean closing;
    private ScheduledFuture<?> recheck;

    ConnectionDrain(NettyConnection connection, Channel channel) {
        this.connection = connection;
        this.channel = channel;
    }

    private static byte[] emptyGetValuesResult() {
        ByteBuf record = Unpooled.buffer(Fcgi.HEADER_LENGTH);
        FcgiEncoder.writeGetValuesResult(record, Map.of());
        byte[] bytes = new byte[record.readableBytes()];
        record.readBytes(bytes);
        return bytes;
    }

    /** A new buffer of {@link #LAST_ANSWER_TRAILER}, to write behind the last answer. */
    static ByteBuf lastAnswerTrailer() {
        return Unpooled.wrappedBuffer(LAST_ANSWER_TRAILER);
    }

    /** Whether the connection is draining; any thread. */
    boolean active() {
        return active;
    }

    /** The transport drains: close at the next safe point. */
    void start() {
        if (active) {
            return;
        }
        active = true;
        closeIfSafe(false);
    }

    /** A write of the session went out while draining: if it ended the last request in flight, close now. */
    void written() {
        closeIfSafe(true);
    }

    /** @param afterAnswer an answer has just gone out, so the close follows it and needs no quiet time */
    private void closeIfSafe(boolean afterAnswer) {
        if (!active || closing || !channel.isOpen()) {
            return;
        }
        if (!connection.betweenRequests()) {
            recheckIn(RECHECK_MILLIS);
            return;
        }
        if (!afterAnswer) {
            long quietLeftNanos = TimeUnit.MILLISECONDS.toNanos(connection.drainQuietMillis())
                    - (System.nanoTime() - connection.lastReadNanos());
            if (quietLeftNanos > 0) {
                recheckIn(Math.min(RECHECK_MILLIS, TimeUnit.NANOSECONDS.toMillis(quietLeftNanos) + 1));
                return;
            }
        }
        closing = true;
        if (recheck != null) {
            recheck.cancel(false);
            recheck = null;
        }
        LOG.log(Level.DEBUG, () -> connection.describe() + ": closed between requests (draining)");
        // Behind whatever is still queued to go out: the close never cuts an answer.
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> connection.closeCleanly());
    }

    private void recheckIn(long millis) {
        if (recheck == null) {
            recheck = channel.eventLoop().schedule(() -> {
                recheck = null;
                closeIfSafe(false);
            }, millis, TimeUnit.MILLISECONDS);
        }
    }
}
