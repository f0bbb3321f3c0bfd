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
 * server loses nothing and can retry safely: right after the answer it is being sent (the end of
 * the connection follows the answer's last bytes). A connection between requests when the drain
 * begins (idle, or accepted and not yet sent its first request) gets {@value #NEXT_REQUEST_GRACE_MILLIS}
 * ms for its next request (from its accept, or from the drain's start if later), is closed right
 * after answering it, or at the grace's end if none came: a web server under load writes its next
 * request on a kept connection, or its first on a new one, right after the last answer or the
 * connect, so that request may be on its way, and closing then would meet it (nginx logs
 * "upstream prematurely closed connection" for each, and retries). The close itself is {@link LingeringClose}'s: the sending side is shut, and
 * what still arrives is discarded until the peer closes, so the peer never meets a reset.
 *
 * <p>For one {@link NettyConnection}, on its event loop except {@link #active()}. The connection
 * calls {@link #written()} when a write of its session has gone out (the usual moment a request
 * ends), and a check every {@value #RECHECK_MILLIS} ms catches a request that ends without a
 * write (cancelled, or a session that writes nothing).
 */
final class ConnectionDrain {

    private static final System.Logger LOG = System.getLogger(NettyConnection.class.getName());

    /** How long a connection between requests may take to send its next one once the drain began. */
    static final long NEXT_REQUEST_GRACE_MILLIS = 200;
    /** How often a draining connection with a request in flight is looked at, besides after each write. */
    static final long RECHECK_MILLIS = 100;

    /**
     * What follows a draining connection's last answer in the same write: an empty GET_VALUES_RESULT,
     * a management record a FastCGI client may receive at any time. nginx puts a connection back into
     * its keepalive cache only when the END_REQUEST it read was the last byte it received; with bytes
     * behind it, nginx closes the connection itself instead. Otherwise nginx may hand the cached
     * connection to its next request before it sees the close that follows, and that request meets
     * the close ("upstream prematurely closed connection"; nginx retries it on another connection).
     */
    private static final byte[] LAST_ANSWER_TRAILER = emptyGetValuesResult();

    private final NettyConnection connection;
    private final Channel channel;
    private final long openedNanos = System.nanoTime();
    private volatile boolean active;
    // Event-loop confined.
    private long startedNanos;
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

    /** The transport drains: close at the next point between requests. */
    void start() {
        if (active) {
            return;
        }
        active = true;
        startedNanos = System.nanoTime();
        closeIfBetweenRequests(false);
    }

    /** A write of the session went out while draining: the request it ended may have been the last. */
    void written() {
        closeIfBetweenRequests(true);
    }

    /** Closes now if between requests and {@code answered} (a write just ended a request), or once the grace is over. */
    private void closeIfBetweenRequests(boolean answered) {
        if (!active || closing || !channel.isOpen()) {
            return;
        }
        if (!connection.betweenRequests()) {
            recheckIn(RECHECK_MILLIS);
            return;
        }
        if (!answered) {
            long graceLeftNanos = TimeUnit.MILLISECONDS.toNanos(NEXT_REQUEST_GRACE_MILLIS)
                    - (System.nanoTime() - Math.max(openedNanos, startedNanos));
            if (graceLeftNanos > 0) {
                recheckIn(TimeUnit.NANOSECONDS.toMillis(graceLeftNanos) + 1);
                return;
            }
        }
        closing = true;
        if (recheck != null) {
            recheck.cancel(false);
        }
        LOG.log(Level.DEBUG, () -> connection.describe() + ": closed between requests (draining)");
        // Behind whatever is still queued to go out: the close never cuts an answer.
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> connection.closeCleanly());
    }

    private void recheckIn(long millis) {
        if (recheck == null || recheck.isDone()) {
            recheck = channel.eventLoop().schedule(() -> closeIfBetweenRequests(false), millis, TimeUnit.MILLISECONDS);
        }
    }
}
