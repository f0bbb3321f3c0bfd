package io.fastpool.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One accepted connection, as the transport lends it to a {@link ConnectionSession}. Writes may
 * come from any thread; each written buffer goes out whole and in the order one thread wrote it.
 */
@ProviderType
public interface Connection {

    /** A number unique among this transport's connections, for logs and the shell. */
    long id();

    /** The listen address it was accepted on, as configured: {@code unix:run/fastpool.sock}, {@code tcp:127.0.0.1:9000}. */
    String listenAddress();

    /** The peer's IP address, or {@code "unix"} on a unix domain socket. */
    String remoteAddress();

    /** The peer's port, or 0 on a unix domain socket. */
    int remotePort();

    /** The local IP address, or the socket's path on a unix domain socket. */
    String localAddress();

    /** The local port, or 0 on a unix domain socket. */
    int localPort();

    /** The allocator for buffers written to this connection. */
    ByteBufAllocator alloc();

    /**
     * Runs tasks on the connection's event loop (where the session's methods are called). A task
     * that throws is logged and closes this connection, and no other.
     */
    Executor eventLoop();

    /**
     * A task for {@link #eventLoop()} made once: each call of its {@code run()}, from any thread,
     * has {@code task} run on the event loop, guarded as {@link #eventLoop()}'s tasks are, without
     * allocating, for what is handed over once per request (the default, for connections other than
     * the transport's, hands {@code task} to {@link #eventLoop()}).
     *
     * @return throws {@link java.util.concurrent.RejectedExecutionException} from {@code run()} when
     *     the transport has stopped
     */
    default Runnable eventLoopTask(Runnable task) {
        Executor loop = eventLoop();
        return () -> loop.execute(task);
    }

    /**
     * The clock of {@link #schedule}: now, in nanoseconds from an arbitrary origin, as
     * {@link System#nanoTime()} (which the default returns).
     */
    default long nanoTime() {
        return System.nanoTime();
    }

    /** Whether the caller runs on the connection's event loop. */
    boolean inEventLoop();

    /** Runs {@code task} on the event loop after {@code delay}, unless cancelled; throwing closes this connection. */
    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit);

    /** How logs name this connection: {@code connection 12 from 127.0.0.1:41234 on tcp:127.0.0.1:9000}. */
    default String describe() {
        return "connection " + id() + " from " + remoteAddress() + (remotePort() > 0 ? ":" + remotePort() : "") + " on "
                + listenAddress();
    }

    /** Queues {@code data} for writing (taking over its reference); {@link #flush()} sends it. */
    void write(ByteBuf data);

    /** Queues {@code data} and sends everything queued. */
    void writeAndFlush(ByteBuf data);

    /** Sends everything queued. */
    void flush();

    /**
     * From a thread other than the event loop: writes {@code data} to the socket from the calling
     * thread, sparing the event loop a wake-up, when the connection can take it so: nothing of the
     * event loop's pending or being written, no other such write running, the connection open and
     * not draining, and a transport that can (epoll; not NIO). Otherwise returns false and leaves
     * {@code data} to the caller, who then writes through the event loop.
     *
     * <p>When it returns true, {@code data} is the connection's: written whole, or what the socket
     * could not take at once queued for the event loop ahead of anything written after it.
     * {@code decided} runs once, when the write is certain and before its first byte goes out.
     */
    default boolean writeFromCaller(ByteBuf data, Runnable decided) {
        return false;
    }

    /**
     * Queues {@code data}, sends it, then closes the connection without losing the peer's request:
     * the sending side is shut down (the peer reads the end of the answer), and whatever the peer
     * still sends (a body the answer did not wait for) is read and discarded until it closes, for at
     * most {@code lingerSeconds} and {@code lingerBytes}. Closing with unread bytes would make the
     * kernel reset the connection, and a web server still writing would fail the request (Caddy
     * answered 502).
     */
    void writeAndClose(ByteBuf data);

    /** Whether the outbound buffer is below its high water mark. */
    boolean isWritable();

    /** Whether the connection is still open. */
    boolean isOpen();

    /**
     * Runs {@code action} on the event loop once the connection has closed, however it closed (at
     * once if it already has). For whatever waits on the connection from other threads: it learns
     * of the close from the connection itself, not from bookkeeping that might miss it.
     *
     * @return forgets {@code action} when run: a session leaving a connection that stays open (its
     *     handler went away) must not keep itself reachable until the connection closes
     */
    Runnable whenClosed(Runnable action);

    /**
     * Stops handing records to the session and reading from the socket: bytes wait in the kernel,
     * and the peer is slowed by flow control. Records already read are kept, not lost. Pauses are
     * counted: each call needs one {@link #resumeReading()}. Any thread may call it; it takes
     * effect on the event loop (at once when called there, even from inside {@code onRecord}).
     */
    void pauseReading();

    /**
     * Undoes one {@link #pauseReading()}; when none is left, records read before the pause are
     * handed over first, then reading goes on. A call with no pause outstanding does nothing.
     */
    void resumeReading();

    /** Closes the connection. */
    void close();

    /** The limits in effect, which the session enforces for this connection; a reconfiguration may change them. */
    TransportLimits limits();
}
