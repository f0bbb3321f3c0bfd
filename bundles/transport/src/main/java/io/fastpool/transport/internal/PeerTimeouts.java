package io.fastpool.transport.internal;

import io.netty.channel.Channel;
import java.lang.System.Logger.Level;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The two time-outs that close a connection whose peer went quiet, for one {@link NettyConnection}
 * and confined to its event loop: {@code idleTimeoutSeconds} (nothing read, nothing in flight) and
 * {@code recordTimeoutSeconds} for a record that has started to arrive and not finished (a peer that
 * sends a byte now and then never looks idle, and would otherwise hold the connection and its
 * buffer for ever).
 */
final class PeerTimeouts {

    private static final System.Logger LOG = System.getLogger(NettyConnection.class.getName());

    private final NettyConnection connection;
    private final Channel channel;
    private final RecordFramer framer;
    private final Transport transport;
    /** Whether nothing is in flight (a connection held without a session counts as idle). */
    private final BooleanSupplier idle;
    private long lastReadNanos = System.nanoTime();
    private ScheduledFuture<?> idleCheck;
    /** Pending while a record is partly buffered. */
    private ScheduledFuture<?> slowSenderCheck;

    PeerTimeouts(NettyConnection connection, Channel channel, RecordFramer framer, Transport transport, BooleanSupplier idle) {
        this.connection = connection;
        this.channel = channel;
        this.framer = framer;
        this.transport = transport;
        this.idle = idle;
    }

    /** The connection is open: the idle clock runs from now. */
    void start() {
        scheduleIdleCheck(TimeUnit.MILLISECONDS.toNanos(connection.limits().idleTimeoutMillis()));
    }

    /** Bytes arrived (and went through the framer). */
    void read() {
        lastReadNanos = System.nanoTime();
        if (slowSenderCheck == null && framer.partialSinceNanos() != 0) {
            scheduleSlowSenderCheck(TimeUnit.MILLISECONDS.toNanos(connection.limits().recordTimeoutMillis()));
        }
    }

    /** When bytes last arrived, or when the connection opened if none have. */
    long lastReadNanos() {
        return lastReadNanos;
    }

    /** Bytes arrived that are discarded (a lingering close): only the idle clock. */
    void discarded() {
        lastReadNanos = System.nanoTime();
    }

    void stop() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        if (slowSenderCheck != null) {
            slowSenderCheck.cancel(false);
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleCheck = channel.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Closes the connection if nothing was read for {@code idleTimeoutMillis} and no request is in flight. */
    private void checkIdle() {
        if (!channel.isOpen()) {
            return;
        }
        long timeoutMillis = connection.limits().idleTimeoutMillis();
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long quietNanos = System.nanoTime() - lastReadNanos;
        if (quietNanos < timeoutNanos) {
            scheduleIdleCheck(timeoutNanos - quietNanos);
        } else if (idle.getAsBoolean()) {
            LOG.log(Level.DEBUG, () -> connection.describe() + ": closed after " + timeoutMillis + " ms idle (idleTimeoutSeconds)");
            channel.close();
        } else {
            scheduleIdleCheck(timeoutNanos);
        }
    }

    private void scheduleSlowSenderCheck(long delayNanos) {
        slowSenderCheck = channel.eventLoop().schedule(this::checkSlowSender, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Closes the connection if the record it is sending has taken longer than {@code recordTimeoutSeconds} to arrive. */
    private void checkSlowSender() {
        slowSenderCheck = null;
        long since = framer.partialSinceNanos();
        if (!channel.isOpen() || since == 0) {
            return;
        }
        long timeoutMillis = connection.limits().recordTimeoutMillis();
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long ageNanos = System.nanoTime() - since;
        if (ageNanos < timeoutNanos) {
            scheduleSlowSenderCheck(timeoutNanos - ageNanos);
            return;
        }
        transport.countSlowSender();
        LOG.log(Level.WARNING, () -> connection.describe() + ": a FastCGI record took longer than " + timeoutMillis
                + " ms to arrive (" + framer.bufferedBytes() + " bytes of it so far; recordTimeoutSeconds); closing the connection");
        channel.close();
    }
}
