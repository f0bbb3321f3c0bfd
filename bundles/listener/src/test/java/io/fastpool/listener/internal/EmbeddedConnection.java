package io.fastpool.listener.internal;

import io.fastpool.transport.Connection;
import io.fastpool.transport.TransportLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A {@link Connection} over netty's {@link EmbeddedChannel}: single-threaded, time under the test's control. */
final class EmbeddedConnection implements Connection {

    final EmbeddedChannel channel = new EmbeddedChannel();
    private final TransportLimits limits;
    int pauses;
    int resumes;
    boolean paused;
    /** Tasks handed to {@link #eventLoop()}, and flushes (also those of writeAndFlush). */
    int executes;
    int flushes;
    /** Tasks handed to {@link #schedule}. */
    int schedules;
    private final Executor executor = task -> {
        executes++;
        channel.eventLoop().execute(task);
    };
    /** False to act as a handler thread would: writes then wait for writability. */
    volatile boolean callerIsEventLoop = true;
    /** True to take handler threads' own writes ({@link #writeFromCaller}), as the epoll transport does. */
    boolean takesCallerWrites;
    /** Buffers written by callers themselves. */
    int callerWrites;
    /** Runs when a caller's own write is refused, before the caller hears of it. */
    Runnable onCallerWriteRefused;

    EmbeddedConnection(TransportLimits limits) {
        this.limits = limits;
        channel.freezeTime();
    }

    @Override
    public long id() {
        return 7;
    }

    @Override
    public String listenAddress() {
        return "tcp:127.0.0.1:9000";
    }

    @Override
    public String remoteAddress() {
        return "127.0.0.1";
    }

    @Override
    public int remotePort() {
        return 50000;
    }

    @Override
    public String localAddress() {
        return "127.0.0.1";
    }

    @Override
    public int localPort() {
        return 9000;
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
    public boolean inEventLoop() {
        return callerIsEventLoop;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        schedules++;
        return channel.eventLoop().schedule(task, delay, unit);
    }

    @Override
    public long nanoTime() {
        return channel.eventLoop().ticker().nanoTime(); // the channel's clock, which advanceTimeBy moves
    }

    @Override
    public boolean writeFromCaller(ByteBuf data, Runnable decided) {
        if (!takesCallerWrites || callerIsEventLoop) {
            if (onCallerWriteRefused != null) {
                onCallerWriteRefused.run();
            }
            return false;
        }
        decided.run();
        callerWrites++;
        channel.writeOneOutbound(data);
        channel.flushOutbound();
        return true;
    }

    @Override
    public void write(ByteBuf data) {
        channel.write(data);
    }

    @Override
    public void writeAndFlush(ByteBuf data) {
        flushes++;
        channel.writeAndFlush(data);
    }

    @Override
    public void flush() {
        flushes++;
        channel.flush();
    }

    @Override
    public void writeAndClose(ByteBuf data) {
        channel.writeAndFlush(data).addListener(ChannelFutureListener.CLOSE);
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
        ChannelFutureListener listener = closed -> action.run();
        channel.closeFuture().addListener(listener);
        return () -> channel.closeFuture().removeListener(listener);
    }

    @Override
    public void pauseReading() {
        pauses++;
        paused = true;
    }

    @Override
    public void resumeReading() {
        resumes++;
        paused = false;
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public TransportLimits limits() {
        return limits;
    }
}
