package io.fastpool.transport.internal;

import io.fastpool.transport.ListenAddress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * Opens the {@link Transport}'s listeners, each in one of two ways: it binds a configured address,
 * or it adopts a listening socket the process inherited from systemd or the supervisor
 * ({@link InheritedSockets}). An inherited socket bound to a configured address takes that
 * address's place (same settings, same name in logs and the shell); one bound to no configured
 * address is served too, under its own address; a configured address with none is bound.
 *
 * <p>An adopted socket is shared with whoever handed it down and with the next server: its unix
 * socket file is never created, changed or removed here, and {@link Listener#close} takes it out
 * of the event loop without closing it.
 */
final class ListenerOpener {

    private static final System.Logger LOG = System.getLogger(Transport.class.getName());

    /** Bounds binding and registering, so a stuck channel cannot hang a component's activation. */
    static final long OPEN_TIMEOUT_MILLIS = 10_000;

    /**
     * One listener to open: a listen address and, if one is bound to it, the inherited socket to serve it with.
     *
     * @param inherited null to bind the address here
     */
    record Planned(ListenAddress address, InheritedSockets.Inspected inherited) {
    }

    private final SocketIo io;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final BiConsumer<Listener, Channel> admit;
    private final List<InheritedSockets.Inspected> inherited;
    private final BooleanSupplier served;

    /**
     * @param admit sets up (or refuses) each accepted connection, on its event loop
     * @param inherited the inherited sockets, as {@link #inspect} found them
     * @param served whether the transport has had a connection handler yet: until then an inherited
     *     socket is registered without accepting ({@link Transport#setHandler} starts it)
     */
    ListenerOpener(SocketIo io, EventLoopGroup acceptGroup, EventLoopGroup ioGroup, BiConsumer<Listener, Channel> admit,
            List<InheritedSockets.Inspected> inherited, BooleanSupplier served) {
        this.io = io;
        this.acceptGroup = acceptGroup;
        this.ioGroup = ioGroup;
        this.admit = admit;
        this.inherited = List.copyOf(inherited);
        this.served = served;
    }

    /**
     * What each inherited descriptor is bound to. A descriptor that is not a listening TCP or unix
     * stream socket is logged and left alone.
     *
     * @throws IOException if there are inherited sockets and {@code io} cannot serve them (NIO):
     *     the addresses they hold are taken, so binding them here would fail anyway, and less clearly
     */
    static List<InheritedSockets.Inspected> inspect(InheritedSockets sockets, SocketIo io, String ioChoice)
            throws IOException {
        if (sockets.isEmpty()) {
            return List.of();
        }
        if (!io.canAdopt()) {
            throw new IOException(sockets.from() + " handed down " + sockets.fds().size() + " listening socket(s)"
                    + " (LISTEN_FDS), which only netty's epoll transport can serve, and the transport is " + ioChoice
                    + "; set useEpoll = true with netty's epoll bundles installed, or start the server without"
                    + " socket activation");
        }
        List<InheritedSockets.Inspected> found = new ArrayList<>();
        for (InheritedSockets.Fd fd : sockets.fds()) {
            try {
                found.add(new InheritedSockets.Inspected(fd, io.inspect(fd.number()), sockets.from()));
            } catch (IOException e) {
                LOG.log(Level.WARNING, () -> "not serving the socket " + sockets.from() + " handed down as fd " + fd.number()
                        + " (named " + fd.name() + "): " + e.getMessage());
            }
        }
        return found;
    }

    /** The listeners {@code settings} asks for: each configured address in order, then inherited sockets bound to none. */
    List<Planned> plan(TransportConfig settings) {
        List<InheritedSockets.Inspected> unclaimed = new ArrayList<>(inherited);
        List<Planned> planned = new ArrayList<>();
        Set<ListenAddress> addresses = new LinkedHashSet<>();
        for (ListenAddress address : settings.listen()) {
            InheritedSockets.Inspected match = unclaimed.stream().filter(socket -> boundTo(socket, address)).findFirst()
                    .orElse(null);
            unclaimed.remove(match);
            planned.add(new Planned(address, match));
            addresses.add(address);
        }
        for (InheritedSockets.Inspected socket : unclaimed) {
            ListenAddress own = ownAddress(socket);
            if (addresses.add(own)) {
                planned.add(new Planned(own, socket));
            }
        }
        return planned;
    }

    /**
     * Opens one planned listener.
     *
     * @throws IOException naming the address that could not be bound or served and why; nothing is left open
     */
    Listener open(Planned planned, TransportConfig settings) throws IOException {
        return planned.inherited() == null ? bind(planned.address(), settings) : adopt(planned.address(), planned.inherited(),
                settings);
    }

    private Listener bind(ListenAddress address, TransportConfig settings) throws IOException {
        // epoll binds a unix socket to netty's DomainSocketAddress, NIO to the JDK's UnixDomainSocketAddress.
        SocketAddress bindTo = address instanceof ListenAddress.Unix unix
                ? io.unixBindAddress(unix.path()) : address.socketAddress();
        if (bindTo instanceof InetSocketAddress inet && inet.isUnresolved()) {
            throw new IOException("cannot listen on " + address.text() + ": host '" + inet.getHostString() + "' is unknown");
        }
        ServerBootstrap bootstrap = bootstrap(address, settings);
        if (address instanceof ListenAddress.Unix unix) {
            UnixSocketFile.prepare(unix.path());
            bootstrap.channel(io.unixServerChannel());
        } else {
            bootstrap.channel(io.tcpServerChannel()).option(ChannelOption.SO_REUSEADDR, true);
        }
        Listener listener = new Listener(address, null);
        bootstrap.childHandler(initializer(listener));
        ChannelFuture binding = bootstrap.bind(bindTo);
        if (!binding.awaitUninterruptibly(OPEN_TIMEOUT_MILLIS) || !binding.isSuccess()) {
            binding.channel().close();
            throw new IOException("cannot listen on " + address.text() + ": " + why(binding), binding.cause());
        }
        Channel server = binding.channel();
        Object socketFileKey = null;
        if (address instanceof ListenAddress.Unix unix) {
            try {
                socketFileKey = UnixSocketFile.applyAccess(unix.path(), settings);
            } catch (IOException e) {
                server.close().awaitUninterruptibly(OPEN_TIMEOUT_MILLIS);
                throw new IOException("cannot listen on " + address.text() + ": " + e.getMessage(), e);
            }
        }
        listener.bound(server, socketFileKey);
        LOG.log(Level.INFO, () -> "listening on " + address.text() + " (" + describeBound(address, server, settings) + ")");
        return listener;
    }

    /**
     * Serves an inherited listening socket: registered with the event loop as it is, never bound, its
     * file left alone. Before the transport's first connection handler it does not accept: the
     * connections stay in the socket's backlog, where the server that serves now (the old one of a
     * restart) takes them, instead of waiting in this one, unread, until it is ready.
     */
    private Listener adopt(ListenAddress address, InheritedSockets.Inspected socket, TransportConfig settings)
            throws IOException {
        ServerChannel server = io.adopt(socket.fd().number(), address instanceof ListenAddress.Unix);
        Listener listener = new Listener(address, socket);
        ServerBootstrap bootstrap = bootstrap(address, settings)
                .option(ChannelOption.AUTO_READ, served.getAsBoolean())
                .channelFactory((ChannelFactory<ServerChannel>) () -> server)
                .childHandler(initializer(listener));
        ChannelFuture registering = bootstrap.register();
        if (!registering.awaitUninterruptibly(OPEN_TIMEOUT_MILLIS) || !registering.isSuccess()) {
            // Deregistered, not closed: the socket belongs to whoever handed it down too.
            registering.channel().deregister();
            throw new IOException("cannot serve " + address.text() + " on " + socket.describe() + ": " + why(registering),
                    registering.cause());
        }
        listener.bound(server, null);
        if (served.getAsBoolean()) {
            server.config().setAutoRead(true); // a handler came while it was registered
        }
        LOG.log(Level.INFO, () -> "listening on " + address.text() + " (" + socket.describe() + ")");
        return listener;
    }

    private ServerBootstrap bootstrap(ListenAddress address, TransportConfig settings) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .option(ChannelOption.SO_BACKLOG, settings.backlog())
                // Reading starts when a session is there to take the records.
                .childOption(ChannelOption.AUTO_READ, false);
        if (address instanceof ListenAddress.Tcp) {
            // Sessions flush whole records; Nagle would only delay the last one.
            bootstrap.childOption(ChannelOption.TCP_NODELAY, true).childOption(ChannelOption.SO_KEEPALIVE, true);
        }
        return bootstrap;
    }

    private ChannelInitializer<Channel> initializer(Listener listener) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                admit.accept(listener, channel);
            }
        };
    }

    private static String why(ChannelFuture failed) {
        Throwable cause = failed.cause();
        return cause == null ? "timed out after " + OPEN_TIMEOUT_MILLIS + " ms"
                : cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private static String describeBound(ListenAddress address, Channel server, TransportConfig settings) {
        if (address instanceof ListenAddress.Unix unix) {
            return unix.path() + ", mode " + settings.unixSocketModeText()
                    + (settings.unixSocketOwner().isEmpty() ? "" : ", owner " + settings.unixSocketOwner())
                    + (settings.unixSocketGroup().isEmpty() ? "" : ", group " + settings.unixSocketGroup());
        }
        return NetUtil.toSocketAddressString((InetSocketAddress) server.localAddress())
                + ", allowedClients " + settings.allowedClients();
    }

    /** Whether the inherited {@code socket} is bound to the configured {@code address}. Resolves host names: not on an event loop. */
    static boolean boundTo(InheritedSockets.Inspected socket, ListenAddress address) {
        if (address instanceof ListenAddress.Tcp tcp && socket.address() instanceof InetSocketAddress bound) {
            return tcp.port() != 0 && tcp.socketAddress() instanceof InetSocketAddress wanted && !wanted.isUnresolved()
                    && wanted.getPort() == bound.getPort() && wanted.getAddress().equals(bound.getAddress());
        }
        if (address instanceof ListenAddress.Unix unix && socket.address() instanceof UnixDomainSocketAddress file) {
            Path path = file.getPath().toAbsolutePath().normalize();
            try {
                return path.equals(unix.path()) || Files.isSameFile(path, unix.path());
            } catch (IOException e) {
                return false; // one of them has no file
            }
        }
        return false;
    }

    /** The listen address an inherited socket bound to no configured address is served under: where it is bound. */
    static ListenAddress ownAddress(InheritedSockets.Inspected socket) {
        if (socket.address() instanceof InetSocketAddress inet) {
            return ListenAddress.parse("tcp:" + NetUtil.toSocketAddressString(inet), Path.of(""));
        }
        Path path = ((UnixDomainSocketAddress) socket.address()).getPath().toAbsolutePath().normalize();
        return ListenAddress.parse("unix:" + path, Path.of("").toAbsolutePath());
    }
}
