package io.fastpool.transport.internal;

import io.fastpool.transport.ConnectionSnapshot;
import io.fastpool.transport.ListenAddress;
import io.fastpool.transport.ListenerSnapshot;
import io.fastpool.transport.ConnectionHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The connection holder: listens on every configured address, admits connections, frames their
 * FastCGI records and lends each one to a session of the current {@link ConnectionHandler}. Plain
 * Java, no OSGi: {@link TransportComponent} drives it from Declarative Services, tests directly.
 *
 * <p>While no handler is set, new connections are held without reading, and when the handler goes
 * away idle connections are kept and busy ones closed (see {@link NettyConnection}), so a listener
 * update costs no idle keep-alive connection. {@link #reconfigure} opens and closes listeners
 * without touching the connections of the listeners that stay.
 *
 * <p>Sockets are netty's native epoll when {@code useEpoll} is set and epoll is available (the
 * epoll bundles installed, the native library loaded), else NIO; {@link SocketIo} makes that
 * choice at {@link #start} and keeps this class free of epoll's classes, which may be absent.
 * Both behave the same to connections, sessions and operators.
 *
 * <p>Started with listening sockets inherited from systemd or the supervisor (socket activation,
 * {@link InheritedSockets}), it serves those instead of binding their addresses, so that the
 * kernel queues connections while no server runs and the next server takes over the very same
 * sockets; {@link ListenerOpener} decides which socket serves which address. Only epoll can serve
 * them: on NIO such a start fails, saying so.
 *
 * <p>Threads: one acceptor thread and {@code eventLoopThreads} I/O threads, all named
 * {@value #THREAD_NAME_PREFIX}-…. {@link #start}, {@link #reconfigure} and {@link #stop} block
 * (binding, file system calls, shutdown) and must not run on those threads; {@link #setHandler}
 * may run anywhere.
 *
 * <p>About 430 lines: start, reconfigure, drain and stop share one lock, one state and the map of
 * listeners, and read best side by side; what stands on its own is apart (opening listeners in
 * {@link ListenerOpener}, everything asked of all connections in {@link OpenConnections}).
 */
public final class Transport {

    /** The prefix of every thread the transport starts. */
    public static final String THREAD_NAME_PREFIX = "fastpool-transport";

    private static final System.Logger LOG = System.getLogger(Transport.class.getName());

    /** Bounds on the blocking steps, so a stuck channel cannot hang a component's activation or deactivation. */
    private static final long CONNECTION_CLOSE_TIMEOUT_MILLIS = 2_000;
    private static final long SHUTDOWN_QUIET_PERIOD_MILLIS = 50;
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;

    private enum State { NEW, RUNNING, STOPPED }

    private final Object lifecycleLock = new Object();
    private final AtomicReference<ConnectionHandler> handler = new AtomicReference<>();
    /** Set by the first handler: inherited sockets accept from then on (see ListenerOpener.adopt). */
    private volatile boolean served;
    private final OpenConnections connections = new OpenConnections();
    private final java.util.concurrent.atomic.LongAdder slowSenders = new java.util.concurrent.atomic.LongAdder();

    private volatile TransportConfig config;
    /** Replaced whole under {@link #lifecycleLock}, read without it. */
    private volatile Map<ListenAddress, Listener> listeners = Map.of();
    private State state = State.NEW;
    /** Set once by {@link #drain}: connections set up from then on drain from the start. */
    private volatile boolean draining;
    private volatile long drainQuietMillis = ConnectionDrain.DEFAULT_QUIET_MILLIS;
    /** Completed by the drain with the connections left open. */
    private final CompletableFuture<Integer> drained = new CompletableFuture<>();
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    /** Chosen at start, kept for the transport's life: event loops and channels must be of one kind. */
    private volatile SocketIo socketIo;

    private final InheritedSockets inheritedSockets;
    /** Set at start, with the event loops. */
    private ListenerOpener opener;

    /** A transport that binds every address itself. */
    public Transport(TransportConfig config) {
        this(config, InheritedSockets.NONE);
    }

    /**
     * A transport that serves {@code inheritedSockets} (systemd's socket activation, or the
     * supervisor's), each in place of the configured address it is bound to, and binds the rest.
     */
    Transport(TransportConfig config, InheritedSockets inheritedSockets) {
        this.config = config;
        this.inheritedSockets = inheritedSockets;
    }

    /**
     * Starts the event loops and listens on every configured address; all or nothing.
     *
     * @throws IOException naming the address that could not be bound and why; nothing is left running
     */
    public void start() throws IOException {
        synchronized (lifecycleLock) {
            if (state != State.NEW) {
                throw new IllegalStateException("a transport starts once; it is " + state);
            }
            TransportConfig starting = config;
            SocketIo.Choice choice = SocketIo.choose(starting.useEpoll());
            LOG.log(Level.INFO, choice.why());
            SocketIo io = choice.io();
            socketIo = io;
            acceptGroup = new MultiThreadIoEventLoopGroup(1,
                    new DefaultThreadFactory(THREAD_NAME_PREFIX + "-accept", true), io.newHandlerFactory());
            ioGroup = new MultiThreadIoEventLoopGroup(starting.effectiveEventLoopThreads(),
                    new DefaultThreadFactory(THREAD_NAME_PREFIX + "-io", true), io.newHandlerFactory());
            state = State.RUNNING;
            try {
                opener = new ListenerOpener(io, acceptGroup, ioGroup, this::admit,
                        ListenerOpener.inspect(inheritedSockets, io, choice.why()), () -> served);
                Map<ListenAddress, Listener> opened = new LinkedHashMap<>();
                for (ListenerOpener.Planned planned : opener.plan(starting)) {
                    opened.put(planned.address(), opener.open(planned, starting));
                    // Published as it grows, so that stop() below closes what was opened before a failure.
                    listeners = Collections.unmodifiableMap(new LinkedHashMap<>(opened));
                }
            } catch (IOException | RuntimeException e) {
                stop();
                throw e;
            }
        }
    }

    /**
     * Applies a new configuration without a restart. Listeners for addresses no longer configured
     * close (their connections stay until they end); new addresses are bound; connections on the
     * addresses that stay are not touched. Limits and {@code allowedClients} apply to connections
     * accepted from now on ({@code idleTimeoutMillis} to open ones too); {@code eventLoopThreads},
     * {@code useEpoll} and {@code backlog} of a kept listener apply at the next start.
     *
     * @throws IOException naming every address that could not be bound; the rest is applied
     */
    public void reconfigure(TransportConfig next) throws IOException {
        synchronized (lifecycleLock) {
            if (state != State.RUNNING) {
                throw new IllegalStateException("reconfigure needs a running transport; it is " + state);
            }
            TransportConfig previous = config;
            config = next;
            if (next.eventLoopThreads() != previous.eventLoopThreads()) {
                LOG.log(Level.INFO, () -> "eventLoopThreads changed to " + next.eventLoopThreads()
                        + "; this applies when the transport next starts");
            }
            if (next.useEpoll() != previous.useEpoll()) {
                // Event loops of one kind cannot serve channels of the other: switching means a restart.
                LOG.log(Level.INFO, () -> "useEpoll changed to " + next.useEpoll() + "; this applies when the transport"
                        + " next starts (using " + ioKind() + " until then)");
            }
            List<ListenerOpener.Planned> plan = opener.plan(next);
            Map<ListenAddress, Listener> current = new LinkedHashMap<>(listeners);
            // Close first: a unix path that moved from one configured spelling to another must be free to bind again,
            // and an inherited socket served under a new name is taken out of its event loop before it is added again.
            current.values().removeIf(listener -> {
                if (plan.stream().anyMatch(planned -> planned.address().equals(listener.address())
                        && planned.inherited() == listener.inherited())) {
                    return false;
                }
                listener.close();
                return true;
            });
            List<String> failures = new ArrayList<>();
            Map<ListenAddress, Listener> updated = new LinkedHashMap<>();
            for (ListenerOpener.Planned planned : plan) {
                ListenAddress address = planned.address();
                try {
                    Listener kept = current.get(address);
                    if (kept == null) {
                        updated.put(address, opener.open(planned, next));
                    } else {
                        updated.put(address, kept);
                        if (address instanceof ListenAddress.Unix unix && kept.inherited() == null) {
                            UnixSocketFile.applyAccess(unix.path(), next);
                        }
                    }
                } catch (IOException e) {
                    failures.add(e.getMessage());
                    LOG.log(Level.ERROR, e.getMessage());
                } catch (RuntimeException e) {
                    failures.add("cannot listen on " + address.text() + ": " + e);
                    LOG.log(Level.ERROR, () -> "cannot listen on " + address.text() + ": " + e, e);
                }
            }
            listeners = Collections.unmodifiableMap(updated);
            if (!failures.isEmpty()) {
                throw new IOException(String.join("; ", failures));
            }
        }
    }

    /**
     * Closes the listeners (removing unix socket files; inherited sockets are only taken out of the
     * event loop, see {@link Listener#close}) and every connection, then stops the
     * threads, all within bounded time. Does nothing if not running.
     */
    public void stop() {
        synchronized (lifecycleLock) {
            if (state != State.RUNNING) {
                state = State.STOPPED;
                return;
            }
            state = State.STOPPED;
            for (Listener listener : listeners.values()) {
                listener.close();
            }
            listeners = Map.of();
            List<ChannelFuture> closing = new ArrayList<>();
            for (NettyConnection connection : connections.all()) {
                closing.add(connection.channel().close());
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECTION_CLOSE_TIMEOUT_MILLIS);
            for (ChannelFuture future : closing) {
                future.awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            shutDown(acceptGroup);
            shutDown(ioGroup);
            LOG.log(Level.INFO, "transport stopped");
        }
    }

    /**
     * Drains for a graceful stop (SIGTERM): stops accepting on every listener (an inherited socket
     * is left to the next server, which takes the connections the kernel queues), lets every
     * request already received finish and its answer go out, and closes each connection between
     * requests ({@link ConnectionDrain}). Returns once every connection has closed, or after
     * {@code drainTimeoutMillis}; {@link #stop} then closes what is left. Once per transport: it
     * does not accept again, and a second call waits for the first to end. Blocks: not on an event loop.
     *
     * @return the connections still open when it returned
     */
    public int drain() {
        int stoppedListeners;
        boolean first;
        synchronized (lifecycleLock) {
            if (!draining && state != State.RUNNING) {
                return connections.count();
            }
            first = !draining;
            draining = true;
            stoppedListeners = listeners.size();
            if (first) {
                listeners.values().forEach(Listener::close);
                listeners = Map.of();
            }
        }
        if (!first) {
            // A second SIGTERM, or Ctrl-C, while draining: the stop still waits for the drain.
            return drained.join();
        }
        int left = connections.drain(ioGroup, stoppedListeners, config.drainTimeoutMillis(), drainQuietMillis);
        drained.complete(left);
        return left;
    }

    /** How long a draining connection between requests must be quiet before it is closed (see {@link ConnectionDrain}). */
    long drainQuietMillis() {
        return drainQuietMillis;
    }

    /** Whether every open connection has begun to drain; for tests that must act after that. */
    boolean connectionsDraining() {
        return connections.allDraining();
    }

    /** For tests that must send within the quiet time on a slow machine. */
    void drainQuietMillis(long millis) {
        drainQuietMillis = millis;
    }

    private static void shutDown(EventLoopGroup group) {
        if (!group.shutdownGracefully(SHUTDOWN_QUIET_PERIOD_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS + 1_000)) {
            LOG.log(Level.WARNING, "event loops did not stop within " + SHUTDOWN_TIMEOUT_MILLIS
                    + " ms; a task on them may block");
        }
    }

    /**
     * Sets the handler that serves connections, or none. Each open connection follows on its event
     * loop: held ones get a session; with none, idle ones are kept unread and busy ones closed.
     * Returns once every connection has followed (or after {@link OpenConnections#HANDLER_CHANGE_WAIT_MILLIS}), so
     * a record that arrives after a handler's removal returns is never given to its session.
     */
    public void setHandler(ConnectionHandler next) {
        ConnectionHandler previous = handler.getAndSet(next);
        if (previous == next) {
            return;
        }
        if (next != null && !served) {
            served = true;
            // Inherited sockets start accepting now. Later handler changes keep accepting and hold
            // connections unread, as bound sockets always do: the process is serving by then.
            for (Listener listener : listeners.values()) {
                Channel server = listener.serverChannel();
                if (listener.inherited() != null && server != null) {
                    server.config().setAutoRead(true);
                }
            }
        }
        LOG.log(Level.INFO, () -> next == null
                ? "no connection handler: holding idle connections, not reading from them"
                : "connection handler " + next.getClass().getName() + " serves connections");
        connections.followHandler();
    }

    /** The current handler, or null. */
    public ConnectionHandler handler() {
        return handler.get();
    }

    /** The configuration in effect. */
    public TransportConfig config() {
        return config;
    }

    /**
     * The socket implementation chosen at {@link #start}: {@code "epoll"} or {@code "nio"}; null
     * before the start. It stays the same until the transport is stopped and a new one started.
     */
    public String ioKind() {
        SocketIo io = socketIo;
        return io == null ? null : io.kind();
    }

    /** Every listener with its counters, in configured order. */
    public List<ListenerSnapshot> listeners() {
        List<ListenerSnapshot> snapshots = new ArrayList<>();
        for (Listener listener : listeners.values()) {
            snapshots.add(listener.snapshot());
        }
        return snapshots;
    }

    /**
     * The port bound for a TCP listen address as configured (useful with port 0).
     *
     * @throws IllegalArgumentException if no such TCP listener is open
     */
    public int boundPort(String listenAddress) {
        for (Listener listener : listeners.values()) {
            if (listener.address().text().equals(listenAddress) && listener.port() > 0) {
                return listener.port();
            }
        }
        throw new IllegalArgumentException("no TCP listener on '" + listenAddress + "'");
    }

    /** Connections open now, including those held without a handler. */
    public int openConnections() {
        return connections.count();
    }

    /**
     * Every open connection, by id. Each is asked on its event loop, so this blocks briefly: call it
     * from a shell or status thread, never from an event loop.
     */
    public List<ConnectionSnapshot> connections() {
        return connections.snapshots(ioGroup);
    }

    // ---- Internals.

    /**
     * The bound server channel of a listen address as configured, or null if there is no such
     * listener; for tests and diagnostics that need the channel itself (its class shows epoll or NIO).
     */
    Channel serverChannel(String listenAddress) {
        for (Listener listener : listeners.values()) {
            if (listener.address().text().equals(listenAddress)) {
                return listener.serverChannel();
            }
        }
        return null;
    }

    /** Runs on the new connection's event loop before it reads anything: refuse it, or set it up. */
    private void admit(Listener listener, Channel channel) {
        TransportConfig settings = config;
        // A peer that half-closes is told to the session (a request that arrived whole is still
        // answered). Set here, not as a bootstrap option: NIO's unix socket channel does not have it
        // (there a half-close closes the connection, as before), and the bootstrap would warn for
        // every connection.
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        SocketAddress remote = channel.remoteAddress();
        String peer = remote instanceof InetSocketAddress inet ? NetUtil.toSocketAddressString(inet)
                : listener.address() instanceof ListenAddress.Unix ? "a unix socket peer" : "an unknown peer";
        // Decided by the listener, not the peer's address type: a TCP peer gone before this has no address, and no pass.
        if (listener.address() instanceof ListenAddress.Tcp
                && !(remote instanceof InetSocketAddress inet && settings.allowedClients().allows(inet.getAddress()))) {
            listener.connectionRefused(peer, "not in allowedClients " + settings.allowedClients()
                    + "; add it to allowedClients in io.fastpool.transport.cfg if it should connect");
            channel.close();
            return;
        }
        int maxConnections = settings.limits().maxConnections();
        if (!connections.reserve(maxConnections)) {
            listener.connectionRefused(peer, "maxConnections (" + maxConnections + ") are open"
                    + "; raise maxConnections in io.fastpool.transport.cfg if the host can take more");
            channel.close();
            return;
        }
        long id = connections.nextId();
        channel.config().setWriteBufferWaterMark(
                new WriteBufferWaterMark(settings.writeBufferLowWaterMark(), settings.writeBufferHighWaterMark()));
        RecordFramer framer = new RecordFramer(true);
        NettyConnection connection = new NettyConnection(this, listener, channel, framer, id);
        connections.add(connection, listener);
        channel.pipeline().addLast(connection.readTracker(), framer, connection);
        CallerWrites.Descriptor descriptor = settings.writesFromHandlers() ? socketIo.descriptor(channel) : null;
        if (descriptor != null) {
            CallerWrites writes = new CallerWrites(channel, descriptor, connection::takesCallerWrites);
            channel.pipeline().addFirst(writes); // last on the way out: it sees every write, flush and close
            connection.allowCallerWrites(writes);
        }
        if (draining) {
            connection.drain(); // accepted just before the listeners stopped
        }
        LOG.log(Level.DEBUG, () -> "accepted " + connection);
    }

    /** A connection was closed because a record took longer than {@code recordTimeoutSeconds} to arrive. */
    void countSlowSender() {
        slowSenders.increment();
    }

    /** Connections closed because a record took longer than {@code recordTimeoutSeconds} to arrive. */
    public long slowSenders() {
        return slowSenders.sum();
    }
}
