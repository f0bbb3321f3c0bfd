package io.fastpool.transport.internal;

import io.fastpool.transport.ConnectionSnapshot;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport's open connections: counted against {@code maxConnections} before one is set up,
 * numbered, forgotten when closed, and asked things on their own event loops (each connection's
 * state belongs to its loop). Asking waits, so {@link #followHandler} and {@link #snapshots} run on
 * component, shell or status threads, never on an event loop.
 */
final class OpenConnections {

    private static final System.Logger LOG = System.getLogger(Transport.class.getName());

    /** The longest {@link #followHandler} waits for the connections to follow. */
    static final long HANDLER_CHANGE_WAIT_MILLIS = 10_000;
    private static final long SNAPSHOT_TIMEOUT_MILLIS = 2_000;

    private final Map<Long, NettyConnection> byId = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong lastId = new AtomicLong();

    /** Counts one more connection unless {@code maxConnections} are open; true if counted. */
    boolean reserve(int maxConnections) {
        while (true) {
            int now = open.get();
            if (now >= maxConnections) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    long nextId() {
        return lastId.incrementAndGet();
    }

    /** Keeps a reserved connection until its channel closes, then forgets it and tells {@code listener}. */
    void add(NettyConnection connection, Listener listener) {
        listener.connectionOpened();
        byId.put(connection.id(), connection);
        connection.channel().closeFuture().addListener(closed -> {
            byId.remove(connection.id());
            open.decrementAndGet();
            listener.connectionClosed();
        });
    }

    int count() {
        return open.get();
    }

    Collection<NettyConnection> all() {
        return byId.values();
    }

    /**
     * The connections' part of {@link Transport#drain}, once the listeners have stopped: each
     * connection drains on its event loop, and this waits until all have closed or
     * {@code limitMillis} passed, logging a line at the start and one at the end with the counts.
     *
     * @return the connections still open
     */
    int drain(EventLoopGroup ioGroup, int stoppedListeners, long limitMillis, long quietMillis) {
        long started = System.nanoTime();
        int atStart = count();
        // First, so that an answer written from now on already closes its connection behind it.
        for (NettyConnection connection : byId.values()) {
            connection.channel().eventLoop().execute(connection::drain);
        }
        long busy = busy(ioGroup);
        LOG.log(Level.INFO, () -> "draining: stopped accepting on " + stoppedListeners + " listen address(es); " + atStart
                + " connection(s) open, " + busy + " with a request in flight; each closes right after its answer, or once"
                + " quiet for " + quietMillis + " ms between requests, within " + limitMillis / 1000
                + " s (drainTimeoutSeconds)");
        int left = awaitAllClosed(started + TimeUnit.MILLISECONDS.toNanos(limitMillis));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (left == 0) {
            LOG.log(Level.INFO, () -> "drained in " + tookMillis + " ms: all " + atStart + " connection(s) closed between requests");
        } else {
            long stillBusy = busy(ioGroup);
            LOG.log(Level.WARNING, () -> "drain time limit passed (" + limitMillis / 1000 + " s, drainTimeoutSeconds) with "
                    + left + " connection(s) still open, " + stillBusy + " with a request in flight; they are closed now");
        }
        return left;
    }

    /** Whether every open connection drains; for tests. */
    boolean allDraining() {
        return byId.values().stream().allMatch(NettyConnection::draining);
    }

    private long busy(EventLoopGroup ioGroup) {
        return snapshots(ioGroup).stream().filter(c -> c.state() == ConnectionSnapshot.State.ACTIVE).count();
    }

    /**
     * Waits until every connection has closed, or until {@code deadlineNanos} ({@link System#nanoTime()}).
     *
     * @return the connections still open
     */
    private int awaitAllClosed(long deadlineNanos) {
        while (open.get() > 0) {
            long leftNanos = deadlineNanos - System.nanoTime();
            if (leftNanos <= 0) {
                break;
            }
            NettyConnection closing = byId.values().stream().filter(c -> !c.channel().closeFuture().isDone()).findFirst()
                    .orElse(null);
            if (closing != null) {
                closing.channel().closeFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(leftNanos) + 1);
            } else {
                // Closed, and forgotten by their close listeners in a moment; or counted and set up this moment.
                Thread.yield();
            }
        }
        return open.get();
    }

    /**
     * Has every connection follow a change of handler on its event loop, and returns once they all
     * have (or after {@link #HANDLER_CHANGE_WAIT_MILLIS}): a record that arrives after a handler's
     * removal returned is never given to its session.
     */
    void followHandler() {
        List<Future<?>> following = new ArrayList<>();
        boolean onEventLoop = false;
        for (NettyConnection connection : byId.values()) {
            EventLoop loop = connection.channel().eventLoop();
            onEventLoop |= loop.inEventLoop();
            try {
                following.add(loop.submit(connection::handlerChanged));
            } catch (RejectedExecutionException e) {
                // Stopping: the connection is being closed.
            }
        }
        if (onEventLoop) {
            return; // waiting here would wait for ourselves
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDLER_CHANGE_WAIT_MILLIS);
        for (Future<?> future : following) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.log(Level.WARNING, () -> "connections did not follow the handler change within "
                        + HANDLER_CHANGE_WAIT_MILLIS + " ms; an event loop may be blocked");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                // handlerChanged logs its own failures; a connection that failed is closed.
            }
        }
    }

    /**
     * Every open connection, by id, each asked on its event loop; a loop that does not answer
     * within {@value #SNAPSHOT_TIMEOUT_MILLIS} ms is left out and logged.
     *
     * @throws IllegalStateException when called on one of {@code ioGroup}'s loops
     */
    List<ConnectionSnapshot> snapshots(EventLoopGroup ioGroup) {
        if (ioGroup != null) {
            for (EventExecutor loop : ioGroup) {
                if (loop.inEventLoop()) {
                    throw new IllegalStateException("connections() blocks; call it off the transport's event loops");
                }
            }
        }
        Map<EventLoop, List<NettyConnection>> byLoop = new LinkedHashMap<>();
        for (NettyConnection connection : byId.values()) {
            byLoop.computeIfAbsent(connection.channel().eventLoop(), loop -> new ArrayList<>()).add(connection);
        }
        Map<EventLoop, CompletableFuture<List<ConnectionSnapshot>>> answers = new LinkedHashMap<>();
        byLoop.forEach((loop, onLoop) -> {
            CompletableFuture<List<ConnectionSnapshot>> answer = new CompletableFuture<>();
            answers.put(loop, answer);
            try {
                loop.execute(() -> {
                    List<ConnectionSnapshot> taken = new ArrayList<>();
                    for (NettyConnection connection : onLoop) {
                        if (connection.channel().isOpen()) {
                            taken.add(connection.snapshot());
                        }
                    }
                    answer.complete(taken);
                });
            } catch (RejectedExecutionException e) {
                answer.complete(List.of());
            }
        });
        List<ConnectionSnapshot> all = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_TIMEOUT_MILLIS);
        for (Map.Entry<EventLoop, CompletableFuture<List<ConnectionSnapshot>>> answer : answers.entrySet()) {
            try {
                all.addAll(answer.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                LOG.log(Level.WARNING, () -> "event loop " + answer.getKey() + " did not answer within "
                        + SNAPSHOT_TIMEOUT_MILLIS + " ms; something blocks it; its connections are left out");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        all.sort(Comparator.comparingLong(ConnectionSnapshot::id));
        return all;
    }
}
