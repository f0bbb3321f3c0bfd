package io.fastpool.transport.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Linux's epoll through netty's native transport. Loaded only by {@link SocketIo#choose} once
 * {@link EpollProbe} said epoll is available; see {@link SocketIo} for why no other class may name
 * the epoll classes.
 *
 * <p>Accepted channels differ from NIO's in one way that matters: a unix peer's address is
 * netty's {@link DomainSocketAddress}, not the JDK's {@link java.net.UnixDomainSocketAddress}.
 * {@link NettyConnection} derives the address strings from the listen address, not from the
 * channel's address types, so they read the same on both.
 *
 * <p>Inherited sockets: netty's epoll channels wrap an existing descriptor, and its
 * {@link Socket} reads socket options and the bound address of one, which is how
 * {@link #inspect} learns what systemd or the supervisor handed down.
 */
final class EpollSocketIo implements SocketIo {

    // Linux's numbers (asm-generic, as on x86-64 and arm64; epoll is Linux only), from <sys/socket.h>.
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SO_DOMAIN = 39;
    private static final int SOCK_STREAM = 1;
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private final Class<? extends ServerChannel> tcpServerChannel;
    private final Class<? extends ServerChannel> unixServerChannel;

    EpollSocketIo() {
        // Loads each epoll class now, so a missing one shows in SocketIo.choose() rather than at bind time.
        this.tcpServerChannel = EpollServerSocketChannel.class;
        this.unixServerChannel = EpollServerDomainSocketChannel.class;
        DomainSocketAddress.class.getName();
        EpollIoHandler.class.getName();
    }

    @Override
    public String kind() {
        return "epoll";
    }

    @Override
    public IoHandlerFactory newHandlerFactory() {
        return EpollIoHandler.newFactory();
    }

    @Override
    public Class<? extends ServerChannel> tcpServerChannel() {
        return tcpServerChannel;
    }

    @Override
    public Class<? extends ServerChannel> unixServerChannel() {
        return unixServerChannel;
    }

    @Override
    public SocketAddress unixBindAddress(Path path) {
        return new DomainSocketAddress(path.toFile());
    }

    @Override
    public CallerWrites.Descriptor descriptor(Channel channel) {
        if (!(channel instanceof UnixChannel unix)) {
            return null;
        }
        FileDescriptor fd = unix.fd();
        return fd::writeAddress;
    }

    @Override
    public boolean canAdopt() {
        return true;
    }

    @Override
    public SocketAddress inspect(int fd) throws IOException {
        // A view of the descriptor, not an owner: nothing closes it when this object goes.
        Socket socket;
        int domain;
        try {
            socket = new Socket(fd); // asks getsockname(2): a ChannelException for what is not a socket
            domain = socket.getIntOpt(SOL_SOCKET, SO_DOMAIN);
        } catch (IOException | ChannelException e) {
            throw new IOException("fd " + fd + " is not a socket (" + e.getMessage() + ")", e);
        }
        if (socket.getIntOpt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM) {
            throw new IOException("fd " + fd + " is not a stream socket (a datagram socket?)");
        }
        if (socket.getIntOpt(SOL_SOCKET, SO_ACCEPTCONN) == 0) {
            throw new IOException("fd " + fd + " is a socket that does not listen (listen(2) was not called)");
        }
        return switch (domain) {
            case AF_INET, AF_INET6 -> socket.localAddress();
            case AF_UNIX -> {
                DomainSocketAddress local = socket.localDomainSocketAddress();
                String path = local == null ? "" : local.path();
                if (path.isEmpty() || path.charAt(0) == '\0') {
                    throw new IOException("fd " + fd + " is an unnamed or abstract unix socket; only a socket with a file"
                            + " can be a unix: listen address");
                }
                yield UnixDomainSocketAddress.of(path);
            }
            default -> throw new IOException("fd " + fd + " is a socket of address family " + domain
                    + ", neither TCP (IPv4, IPv6) nor unix");
        };
    }

    @Override
    public ServerChannel adopt(int fd, boolean unix) {
        // The one-argument unix constructor takes the socket as not yet active (not bound), and would never accept.
        return unix ? new EpollServerDomainSocketChannel(fd, true) : new EpollServerSocketChannel(fd);
    }
}
