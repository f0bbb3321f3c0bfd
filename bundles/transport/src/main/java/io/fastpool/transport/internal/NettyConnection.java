package io.fastpool.transport.internal;

import io.fastpool.transport.ConnectionSnapshot;
import io.fastpool.transport.Connection;
import io.fastpool.transport.ConnectionHandler;
import io.fastpool.transport.ConnectionSession;
import io.fastpool.transport.ListenAddress;
import io.fastpool.transport.TransportLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One accepted connection: the {@link Connection} lent to sessions, and the last handler of the
 * channel's pipeline, so that the session, its reading state and its end live in one place.
 *
 * <p>All session state is confined to the channel's event loop; methods sessions may call from
 * other threads hop there. The connection converges on the transport's current handler: it opens a
 * session when one is present, and when the handler goes away it detaches the session, keeping the
 * connection (not reading, bytes waiting in the kernel or in the {@link RecordFramer}) only if the
 * session was idle.
 *
 * <p>Reading happens only while there is a session and nobody has paused it; pauses are counted, so
 * each {@link #pauseReading()} needs one {@link #resumeReading()}.
 *
 * <p>About 550 lines, on purpose: the {@link Connection} methods sessions call (some twenty, most
 * of them one line) and the channel's pipeline events read and change the same event-loop-confined
 * state (the session, its handler, the pauses), and splitting them would spread that state over
 * classes that must then share it. What stands on its own is apart: the time-outs
 * ({@link PeerTimeouts}), the lingering close ({@link LingeringClose}), the close for a graceful
 * stop ({@link ConnectionDrain}), the set of open connections ({@link OpenConnections}), and the
 * handlers' own writes to the socket ({@link CallerWrites}).
 */
final class NettyConnection extends ChannelInboundHandlerAdapter implements Connection {

    private static final System.Logger LOG = System.getLogger(NettyConnection.class.getName());

    private final Transport transport;
    private final Listener listener;
    private final Channel channel;
    private final RecordFramer framer;
    private final long id;
    private final Instant openedAt = Instant.now();
    private final String remoteAddress;
    private final int remotePort;
    private final String localAddress;
    private final int localPort;

    // Event-loop confined.
    private ConnectionSession session;
    private ConnectionHandler sessionHandler;
    private int pauses;
    /** The peer shut its side down for writing. */
    private boolean inputShutdown;
    private final PeerTimeouts timeouts;
    private final LingeringClose lingering;
    private final ConnectionDrain drain;
    private final Executor executor = this::executeGuarded;
    private volatile CallerWrites callerWrites;

    NettyConnection(Transport transport, Listener listener, Channel channel, RecordFramer framer, long id) {
        this.transport = transport;
        this.listener = listener;
        this.channel = channel;
        this.framer = framer;
        this.id = id;
        this.timeouts = new PeerTimeouts(this, channel, framer, transport, () -> session == null || askIdle(session));
        this.lingering = new LingeringClose(this, channel, framer, transport);
        this.drain = new ConnectionDrain(this, channel);
        SocketAddress remote = channel.remoteAddress();
        if (remote instanceof InetSocketAddress inet) {
            this.remoteAddress = NetUtil.toAddressString(inet.getAddress());
            this.remotePort = inet.getPort();
        } else {
            this.remoteAddress = listener.address() instanceof ListenAddress.Unix ? "unix" : "unknown";
            this.remotePort = 0;
        }
        SocketAddress local = channel.localAddress();
        if (listener.address() instanceof ListenAddress.Unix unix) {
            this.localAddress = unix.path().toString();
            this.localPort = 0;
        } else if (local instanceof InetSocketAddress inet) {
            this.localAddress = NetUtil.toAddressString(inet.getAddress());
            this.localPort = inet.getPort();
        } else {
            // Reset by the peer before it was set up; it closes at once.
            this.localAddress = "unknown";
            this.localPort = 0;
        }
    }

    /** A handler for the front of the pipeline that notes when bytes last arrived, for the idle time-out. */
    ChannelInboundHandlerAdapter readTracker() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (lingering.active()) {
                    timeouts.discarded();
                    lingering.discard((ByteBuf) msg);
                    return;
                }
                ctx.fireChannelRead(msg);
                timeouts.read();
            }
        };
    }

    // ---- Connection: what sessions see.

    @Override
    public long id() {
        return id;
    }

    @Override
    public String listenAddress() {
        return listener.address().text();
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public int remotePort() {
        return remotePort;
    }

    @Override
    public String localAddress() {
        return localAddress;
    }

    @Override
    public int localPort() {
        return localPort;
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public Executor eventLoop() {
        return executor;
    }

    @Override
    public Runnable eventLoopTask(Runnable task) {
        Runnable guarded = guarded(task);
        return () -> channel.eventLoop().execute(guarded);
    }

    @Override
    public long nanoTime() {
        return channel.eventLoop().ticker().nanoTime();
    }

    @Override
    public boolean inEventLoop() {
        return channel.eventLoop().inEventLoop();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return channel.eventLoop().schedule(guarded(task), delay, unit);
    }

    /**
     * Writes with the channel's void promise: nobody reads a future per write. A write that fails
     * still closes the connection (netty does on an I/O error) and is seen: the void promise
     * reports the failure to {@link #exceptionCaught}, which logs it and closes.
     */
    @Override
    public void write(ByteBuf data) {
        channel.write(data, channel.voidPromise());
    }

    @Override
    public void writeAndFlush(ByteBuf data) {
        if (drain.active()) {
            write(data);
            flush();
        } else {
            channel.writeAndFlush(data, channel.voidPromise());
        }
    }

    @Override
    public void flush() {
        if (drain.active()) {
            if (channel.eventLoop().inEventLoop() && betweenRequests()) {
                write(ConnectionDrain.lastAnswerTrailer()); // in the same write as the last answer
            }
            // A flush with a future, to learn when what it sends has gone out.
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(sent -> drain.written());
        } else {
            channel.flush();
        }
    }

    @Override
    public boolean writeFromCaller(ByteBuf data, Runnable decided) {
        CallerWrites writes = callerWrites;
        return writes != null && writes.write(data, decided);
    }

    /** The epoll transport's: handler threads may write to the socket themselves; set before the channel reads. */
    void allowCallerWrites(CallerWrites writes) {
        callerWrites = writes;
    }

    /** Whether handler threads may write now: not once the connection drains for a graceful stop. */
    boolean takesCallerWrites() {
        return !drain.active();
    }

    @Override
    public void writeAndClose(ByteBuf data) {
        channel.writeAndFlush(data).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                lingering.start(inputShutdown);
            } else {
                channel.close();
            }
        });
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public Runnable whenClosed(Runnable action) {
        ChannelFutureListener listener = closed -> guarded(action).run();
        channel.closeFuture().addListener(listener);
        return () -> channel.closeFuture().removeListener(listener);
    }

    @Override
    public void pauseReading() {
        onEventLoop(() -> {
            pauses++;
            updateReading();
        });
    }

    @Override
    public void resumeReading() {
        onEventLoop(() -> {
            if (pauses > 0) {
                pauses--;
                updateReading();
            }
        });
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public TransportLimits limits() {
        return transport.config().limits();
    }

    // ---- Called by the transport.

    Channel channel() {
        return channel;
    }

    Listener listener() {
        return listener;
    }

    /**
     * Brings the session in line with the transport's current handler. Runs on the event loop after
     * every handler change; running it more often than needed does nothing.
     */
    void handlerChanged() {
        if (!channel.isOpen()) {
            return;
        }
        ConnectionHandler current = transport.handler();
        if (session != null && sessionHandler == current) {
            return;
        }
        if (session != null) {
            ConnectionSession leaving = session;
            boolean idle = askIdle(leaving);
            session = null;
            sessionHandler = null;
            pauses = 0;
            updateReading();
            try {
                leaving.detach();
            } catch (Throwable e) {
                LOG.log(Level.WARNING, () -> describe() + ": session failed to detach: " + e, e);
            }
            if (!idle) {
                LOG.log(Level.INFO, () -> describe() + ": closed because a request was in flight when its handler went away");
                channel.close();
                return;
            }
        }
        if (current != null) {
            openSession(current);
        }
        updateReading();
    }

    /** The transport drains (a graceful stop): close at the next point between requests. On the event loop. */
    void drain() {
        drain.start();
    }

    /** Whether {@link #drain} has begun; any thread. */
    boolean draining() {
        return drain.active();
    }

    /**
     * Whether no request is in flight or partly received, so closing now loses nothing the peer
     * sent; false while a lingering close is already under way. On the event loop.
     */
    boolean betweenRequests() {
        return !lingering.active() && (session == null || askIdle(session)) && framer.bufferedBytes() == 0;
    }

    long drainQuietMillis() {
        return transport.drainQuietMillis();
    }

    /** When bytes last arrived, or when the connection was accepted if none have ({@link System#nanoTime()}). */
    long lastReadNanos() {
        return timeouts.lastReadNanos();
    }

    /** Closes without a reset: output shut, then what arrives is discarded until the peer closes ({@link LingeringClose}). */
    void closeCleanly() {
        lingering.start(inputShutdown);
    }

    /** What the shell and status pages show of this connection; on the event loop. */
    ConnectionSnapshot snapshot() {
        ConnectionSnapshot.State state;
        if (session == null) {
            state = ConnectionSnapshot.State.HELD;
        } else {
            state = askIdle(session) ? ConnectionSnapshot.State.IDLE : ConnectionSnapshot.State.ACTIVE;
        }
        return new ConnectionSnapshot(id, listenAddress(), remoteAddress, remotePort, state, openedAt,
                framer.bufferedBytes());
    }

    // ---- Pipeline events.

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeouts.start();
        handlerChanged();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf record = (ByteBuf) msg;
        try {
            if (session == null) {
                // The framer holds records while there is no session; this would be a bug, and losing it silently worse.
                LOG.log(Level.ERROR, () -> describe() + ": record arrived without a session; closing the connection");
                channel.close();
            } else if (channel.isOpen()) {
                session.onRecord(record);
            }
        } catch (Throwable e) {
            sessionFailed("onRecord", e);
        } finally {
            record.release();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (session != null) {
            try {
                session.onWritabilityChanged(channel.isWritable());
            } catch (Throwable e) {
                sessionFailed("onWritabilityChanged", e);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timeouts.stop();
        ConnectionSession closing = session;
        session = null;
        sessionHandler = null;
        if (closing != null) {
            try {
                closing.onClose();
            } catch (Throwable e) {
                LOG.log(Level.WARNING, () -> describe() + ": session failed in onClose: " + e, e);
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (lingering.active() || session == null) {
                channel.close();
            } else {
                boolean closeNow;
                try {
                    closeNow = session.onInputShutdown();
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, () -> describe() + ": session failed in onInputShutdown: " + e, e);
                    closeNow = true;
                }
                if (closeNow) {
                    channel.close();
                }
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        CallerWrites writes = callerWrites;
        if (writes != null) {
            writes.fence(); // netty may close the socket itself after a read error, past the pipeline
        }
        if (cause instanceof IOException) {
            // Resets and broken pipes are how peers leave; not worth an operator's attention.
            LOG.log(Level.DEBUG, () -> describe() + ": closed after I/O error: " + cause);
        } else {
            LOG.log(Level.WARNING, () -> describe() + ": closed after unexpected error: " + cause, cause);
        }
        channel.close();
    }

    // ---- Internals.

    private void openSession(ConnectionHandler handler) {
        try {
            ConnectionSession opened = handler.open(this);
            if (opened == null) {
                throw new IllegalStateException(handler.getClass().getName() + ".open returned null");
            }
            session = opened;
            sessionHandler = handler;
        } catch (Throwable e) {
            LOG.log(Level.WARNING, () -> describe() + ": handler failed to open a session; closing this connection: " + e, e);
            channel.close();
        }
    }

    /** Reads if and only if a session is there and has not paused (or lingering); re-entrant from session callbacks. */
    private void updateReading() {
        if (lingering.active()) {
            return; // reads until the peer closes, whatever the session says
        }
        boolean read = session != null && pauses == 0 && channel.isOpen();
        if (read) {
            // Records read before a pause or a handler change go first; a session may pause again meanwhile.
            framer.passRecords();
            if (session != null && pauses == 0) {
                channel.config().setAutoRead(true);
            }
        } else {
            framer.holdRecords();
            channel.config().setAutoRead(false);
        }
    }

    private boolean askIdle(ConnectionSession asked) {
        try {
            return asked.isIdle();
        } catch (Throwable e) {
            LOG.log(Level.WARNING, () -> describe() + ": session failed in isIdle; treating it as busy: " + e, e);
            return false;
        }
    }

    private void sessionFailed(String method, Throwable e) {
        LOG.log(Level.WARNING, () -> describe() + ": session failed in " + method + "; closing this connection: " + e, e);
        channel.close();
    }

    private void executeGuarded(Runnable task) {
        channel.eventLoop().execute(guarded(task));
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable e) {
                sessionFailed("a task on the event loop", e);
            }
        };
    }

    private void onEventLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            try {
                channel.eventLoop().execute(task);
            } catch (RejectedExecutionException e) {
                // The transport stopped: the connection is closed, and there is no reading left to change.
            }
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
