package io.fastpool.transport.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
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
 */
final class EpollSocketIo implements SocketIo {

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
}
