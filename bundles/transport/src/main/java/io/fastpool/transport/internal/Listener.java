package io.fastpool.transport.internal;

import io.fastpool.transport.ListenAddress;
import io.fastpool.transport.ListenerSnapshot;
import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One bound listen address: its server channel, its socket file (for {@code unix:}), and its
 * counters. Connections accepted on it keep a reference, so they and their counters outlive a
 * reconfiguration that closes the listener.
 */
final class Listener {

    private static final System.Logger LOG = System.getLogger(Listener.class.getName());

    /** Refusals are logged at most once per interval per listener, so a flood cannot flood the log too. */
    private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** How long closing the server channel may take before the transport goes on without it. */
    private static final long CLOSE_TIMEOUT_MILLIS = 5_000;

    private final ListenAddress address;
    /** The inherited socket this listener serves, or null if it bound its address itself. */
    private final InheritedSockets.Inspected inherited;
    private volatile Channel serverChannel;
    private volatile Object socketFileKey;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong nextRefusalLogNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong refusalsNotLogged = new AtomicLong();

    /**
     * A listener about to be bound or registered; connections may arrive before {@link #bound} is called.
     *
     * @param inherited the inherited socket it serves, or null if it binds its address
     */
    Listener(ListenAddress address, InheritedSockets.Inspected inherited) {
        this.address = address;
        this.inherited = inherited;
    }

    /**
     * Records the bound server channel.
     *
     * @param socketFileKey the unix socket file's identity, or null for TCP
     */
    void bound(Channel serverChannel, Object socketFileKey) {
        this.serverChannel = serverChannel;
        this.socketFileKey = socketFileKey;
    }

    ListenAddress address() {
        return address;
    }

    /** The inherited socket served, or null if the address was bound here. */
    InheritedSockets.Inspected inherited() {
        return inherited;
    }

    /** The bound server channel; null until {@link #bound}. */
    Channel serverChannel() {
        return serverChannel;
    }

    /** The bound port, or 0 for a unix socket. */
    int port() {
        return boundAddress() instanceof InetSocketAddress inet ? inet.getPort() : 0;
    }

    private SocketAddress boundAddress() {
        Channel server = serverChannel;
        SocketAddress local = server == null ? null : server.localAddress();
        return local == null && inherited != null ? inherited.address() : local;
    }

    void connectionOpened() {
        accepted.increment();
        open.incrementAndGet();
    }

    void connectionClosed() {
        open.decrementAndGet();
    }

    /** Counts a refused connection and logs it, unless another refusal was logged within the last second. */
    void connectionRefused(String peer, String reason) {
        refused.increment();
        long now = System.nanoTime();
        long next = nextRefusalLogNanos.get();
        if (now - next >= 0 && nextRefusalLogNanos.compareAndSet(next, now + REFUSAL_LOG_INTERVAL_NANOS)) {
            long notLogged = refusalsNotLogged.getAndSet(0);
            LOG.log(Level.WARNING, () -> "refused connection from " + peer + " on " + address.text() + ": " + reason
                    + (notLogged > 0 ? " (" + notLogged + " more refused in the last second, not logged)" : ""));
        } else {
            refusalsNotLogged.incrementAndGet();
        }
    }

    ListenerSnapshot snapshot() {
        String bound;
        if (address instanceof ListenAddress.Unix unix) {
            bound = unix.path().toString();
        } else if (boundAddress() instanceof InetSocketAddress inet) {
            bound = NetUtil.toSocketAddressString(inet);
        } else {
            bound = "(closed)";
        }
        return new ListenerSnapshot(address.text(), bound, port(), accepted.sum(), open.get(), refused.sum(),
                inherited == null ? "" : inherited.describe());
    }

    /**
     * Stops accepting (open connections stay). A socket bound here is closed and its unix socket
     * file removed. An inherited one is only taken out of its event loop: systemd or the supervisor
     * and the next server share it, so its file stays; and epoll watches an open file description,
     * which those processes still hold, so closing the descriptor alone would leave it in this
     * event loop's epoll set, waking it for connections that are the next server's. The descriptor
     * itself stays open for the process's life: closing it would free its number for any file the
     * process opens next, and a later start of the transport (a bundle restart) serves it again.
     */
    void close() {
        if (inherited != null) {
            if (!serverChannel.deregister().awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS)) {
                LOG.log(Level.WARNING, () -> "taking " + address.text() + " (" + inherited.describe() + ") out of its event"
                        + " loop took over " + CLOSE_TIMEOUT_MILLIS + " ms; going on without waiting");
            }
            LOG.log(Level.INFO, () -> "stopped accepting on " + address.text() + " (" + inherited.describe()
                    + ", left open for " + inherited.from() + " and the next server)");
            return;
        }
        if (!serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS)) {
            LOG.log(Level.WARNING, () -> "closing the listener on " + address.text() + " took over "
                    + CLOSE_TIMEOUT_MILLIS + " ms; going on without waiting");
        }
        if (address instanceof ListenAddress.Unix unix) {
            UnixSocketFile.remove(unix.path(), socketFileKey);
        }
        LOG.log(Level.INFO, () -> "stopped listening on " + address.text());
    }
}
