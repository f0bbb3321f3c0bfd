package io.fastpool.transport.internal;

import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The socket implementations the key transport tests run on, as {@code @EnumSource} parameters.
 * EPOLL is not skipped where epoll does not load: {@link TransportTestSupport#start(Io,
 * TransportConfig.Builder, EchoHandler)} fails then, naming netty's reason, because the transport
 * would silently have fallen back to NIO and the test proved nothing about epoll.
 */
enum Io {
    NIO(false, "nio", NioServerSocketChannel.class, NioServerDomainSocketChannel.class),
    EPOLL(true, "epoll", EpollServerSocketChannel.class, EpollServerDomainSocketChannel.class);

    final boolean useEpoll;
    final String kind;
    final Class<? extends ServerChannel> tcpServerChannel;
    final Class<? extends ServerChannel> unixServerChannel;

    Io(boolean useEpoll, String kind, Class<? extends ServerChannel> tcpServerChannel,
            Class<? extends ServerChannel> unixServerChannel) {
        this.useEpoll = useEpoll;
        this.kind = kind;
        this.tcpServerChannel = tcpServerChannel;
        this.unixServerChannel = unixServerChannel;
    }

    /** Why the transport could not run on this, for assertion messages. */
    String whyNot() {
        return this == EPOLL && !Epoll.isAvailable() ? "epoll is not available: " + Epoll.unavailabilityCause() : "";
    }
}
