package io.fastpool.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A handler's thread writing a response to the socket itself ({@link #write}), without a task for
 * the event loop: on this machine a sleeping event loop costs a wake-up per response (an eventfd
 * write, epoll's return, the task), about a quarter of a pooled request's CPU at 8 connections.
 *
 * <p>Two things make it safe. Order: a caller writes only while nothing is pending in netty's
 * outbound buffer and the event loop is not writing, and the event loop does not touch the socket
 * while a caller writes ({@link #WRITING}): every write, flush and close of the pipeline passes this
 * handler, first in the pipeline on the way out, which waits out a caller's write in progress (one
 * non-blocking system call) and holds {@link #EVENT_LOOP} meanwhile. What a caller could not write
 * at once (a full socket) is handed to the event loop, which writes it before anything else.
 * Netty's own flushes (the socket writable again) run only while bytes are pending, when no caller
 * writes.
 *
 * <p>The descriptor: a caller must never write to a descriptor that was closed, whose number
 * the next socket opened may have taken (another connection's peer would read this response).
 * Every close marks {@link #CLOSED} and waits out a caller's write first: a close through the
 * pipeline passes this handler; netty's own close after a read error comes after the connection's
 * {@code exceptionCaught}, which calls {@link #fence}; netty closes after a failed flush only
 * while bytes are pending. The epoll transport only: NIO's channel has no descriptor to reach.
 */
final class CallerWrites extends ChannelOutboundHandlerAdapter {

    /** Writes to a socket's descriptor: netty's {@code FileDescriptor.writeAddress}, behind {@link SocketIo}. */
    interface Descriptor {
        /** Bytes written from {@code address + from} up to {@code address + to}; 0 when the socket is full. */
        int write(long address, int from, int to) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(CallerWrites.class.getName());

    /** A caller is writing to the socket. */
    static final int WRITING = 1;
    /** The event loop is writing, flushing or closing through the pipeline. */
    static final int EVENT_LOOP = 2;
    /** A caller's rest waits in {@link #rest} for the event loop. */
    static final int HANDOFF = 4;
    /** The connection is closing or closed: no caller writes any more. */
    static final int CLOSED = 8;

    private final Channel channel;
    private final Descriptor descriptor;
    /** Whether the connection takes callers' writes at all now (not draining nor lingering). */
    private final BooleanSupplier open;
    private final AtomicInteger state = new AtomicInteger();
    /** What a caller could not write at once; set before {@link #HANDOFF}, taken by the event loop. */
    private volatile ByteBuf rest;
    private volatile ChannelHandlerContext context;

    CallerWrites(Channel channel, Descriptor descriptor, BooleanSupplier open) {
        this.channel = channel;
        this.descriptor = descriptor;
        this.open = open;
    }

    /**
     * Any thread but the event loop: writes {@code data} to the socket now, or returns false without
     * touching it when that cannot be (a write of the event loop pending or in progress, another
     * caller writing, the connection closing or draining, a buffer without a memory address).
     * {@code decided} runs once the write is certain, before its first byte goes out. When true,
     * {@code data} is the connection's: written whole, or its rest queued for the event loop ahead of
     * everything else; a socket that fails closes the connection.
     */
    boolean write(ByteBuf data, Runnable decided) {
        if (!data.hasMemoryAddress() || context == null || !state.compareAndSet(0, WRITING)) {
            return false;
        }
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        if (pending == null || pending.totalPendingWriteBytes() != 0 || !channel.isActive() || !open.getAsBoolean()) {
            clear(WRITING);
            return false;
        }
        decided.run();
        int at = data.readerIndex();
        int end = data.writerIndex();
        try {
            long address = data.memoryAddress();
            int written;
            while (at < end && (written = descriptor.write(address, at, end)) > 0) {
                at += written;
            }
        } catch (IOException e) {
            data.release();
            clear(WRITING);
            LOG.log(Level.DEBUG, () -> "connection " + channel + ": a handler's write failed: " + e);
            channel.close(); // through the pipeline, on the event loop
            return true;
        }
        if (at == end) {
            data.release();
            clear(WRITING);
            return true;
        }
        data.readerIndex(at);
        rest = data;
        state.getAndAdd(HANDOFF - WRITING);
        channel.eventLoop().execute(this::flushRest);
        return true;
    }

    /**
     * Event loop, before netty closes the channel itself (after a read error): no caller writes from
     * now on, and one writing now is waited out.
     */
    void fence() {
        state.getAndUpdate(s -> s | CLOSED);
        awaitNoCaller();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean outermost = enter();
        try {
            ctx.write(msg, promise);
        } finally {
            leave(outermost);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        boolean outermost = enter();
        try {
            ctx.flush();
        } finally {
            leave(outermost);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        fence();
        boolean outermost = enter();
        try {
            ctx.close(promise);
        } finally {
            leave(outermost);
        }
    }

    /** Event loop: the task a caller left its rest to. */
    private void flushRest() {
        boolean outermost = enter();
        leave(outermost);
    }

    /**
     * Event loop: takes {@link #EVENT_LOOP} (false when an outer call of this handler holds it),
     * waiting out a caller's write, and writes a caller's rest first.
     */
    private boolean enter() {
        if ((state.get() & EVENT_LOOP) != 0) {
            return false;
        }
        state.getAndAdd(EVENT_LOOP); // no caller starts from now on
        awaitNoCaller();
        if ((state.get() & HANDOFF) != 0) {
            ByteBuf left = rest;
            rest = null;
            clear(HANDOFF);
            context.writeAndFlush(left, channel.voidPromise());
        }
        return true;
    }

    private void leave(boolean outermost) {
        if (outermost) {
            clear(EVENT_LOOP);
        }
    }

    /** Spins while a caller writes: at most one non-blocking system call. */
    private void awaitNoCaller() {
        for (int spins = 0; (state.get() & WRITING) != 0; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the caller lost its core in the middle of its write
            }
        }
    }

    /** Clears {@code bit}, which is set, and set and cleared only by the caller of this (no lambda per call). */
    private void clear(int bit) {
        state.getAndAdd(-bit);
    }

    /** The state's bits, for tests. */
    int state() {
        return state.get();
    }
}
