package io.fastpool.transport.internal;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;

/**
 * The socket implementation a {@link Transport} runs on: netty's native epoll where it can, NIO
 * otherwise. It supplies what differs between the two (the event loops' I/O handler, the server
 * channel classes, how a unix socket path is addressed); everything else, from socket files to
 * framing, is the same code for both.
 *
 * <p>epoll is optional: the bundle imports {@code io.netty.channel.epoll} and
 * {@code io.netty.channel.unix} with {@code resolution:=optional}, so without netty's epoll
 * bundles those packages are not wired and loading any of their classes throws
 * {@link NoClassDefFoundError}. Only {@link EpollProbe} and {@link EpollSocketIo} name them, and
 * {@link #choose} touches those only behind a {@link LinkageError} catch; {@link Transport} and
 * the rest of the bundle never do, so they load and run on NIO without epoll.
 */
interface SocketIo {

    /** {@code "epoll"} or {@code "nio"}. */
    String kind();

    /** A new I/O handler factory for one event loop group. */
    IoHandlerFactory newHandlerFactory();

    /** The server channel class for {@code tcp:} addresses. */
    Class<? extends ServerChannel> tcpServerChannel();

    /** The server channel class for {@code unix:} addresses. */
    Class<? extends ServerChannel> unixServerChannel();

    /** The address a {@link #unixServerChannel()} binds to for a socket file at {@code path}. */
    SocketAddress unixBindAddress(Path path);

    /**
     * How a handler's thread writes to an accepted channel's socket itself ({@link CallerWrites}),
     * or null where it cannot (NIO).
     */
    CallerWrites.Descriptor descriptor(Channel channel);

    /**
     * Whether {@link #adopt} can serve a listening socket inherited by descriptor number. Only epoll
     * can: the JDK has no way to make a channel of a descriptor (but fd 0, {@code System.inheritedChannel}).
     */
    boolean canAdopt();

    /**
     * What the inherited descriptor {@code fd} is bound to: an {@link java.net.InetSocketAddress}, or
     * a {@link java.net.UnixDomainSocketAddress} for a unix socket with a file.
     *
     * @throws IOException saying why it cannot be served: not a socket, not a listening stream
     *     socket, or of another family
     * @throws UnsupportedOperationException unless {@link #canAdopt()}
     */
    SocketAddress inspect(int fd) throws IOException;

    /**
     * A server channel accepting on the listening socket at {@code fd}, to be registered, not bound.
     *
     * @throws UnsupportedOperationException unless {@link #canAdopt()}
     */
    ServerChannel adopt(int fd, boolean unix);

    /**
     * The implementation to use and the line that says so in the log.
     *
     * @param io the implementation
     * @param why {@code "using epoll"}, or {@code "using NIO (…)"} with the reason
     */
    record Choice(SocketIo io, String why) {
    }

    /**
     * epoll if {@code useEpoll} and netty's epoll is present and loads (classes and native library),
     * else NIO. Never throws for a missing or broken epoll: that is a reason to use NIO, and the
     * returned {@link Choice#why()} names it.
     */
    static Choice choose(boolean useEpoll) {
        if (!useEpoll) {
            return new Choice(new NioSocketIo(), "using NIO (useEpoll=false)");
        }
        String unavailable;
        try {
            Throwable cause = EpollProbe.unavailabilityCause();
            if (cause == null) {
                // Resolves every epoll class it uses now, so a half-wired epoll falls back here, not at bind time.
                return new Choice(new EpollSocketIo(), "using epoll");
            }
            unavailable = cause.toString();
        } catch (LinkageError e) {
            // io.netty.channel.epoll (or .unix) is not wired: netty's epoll bundles are not installed,
            // or were installed after this bundle resolved (a refresh of this bundle picks them up).
            unavailable = "netty's epoll classes are not present (" + e + "); install netty-transport-classes-epoll,"
                    + " netty-transport-native-unix-common and netty-transport-native-epoll for this platform to use it";
        }
        return new Choice(new NioSocketIo(), "using NIO (epoll not available: " + unavailable + ")");
    }
}
