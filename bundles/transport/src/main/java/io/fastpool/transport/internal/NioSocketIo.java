package io.fastpool.transport.internal;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** The JDK's sockets through netty's NIO transport: always there (unix domain sockets since JDK 16). */
final class NioSocketIo implements SocketIo {

    @Override
    public String kind() {
        return "nio";
    }

    @Override
    public IoHandlerFactory newHandlerFactory() {
        return NioIoHandler.newFactory();
    }

    @Override
    public Class<? extends ServerChannel> tcpServerChannel() {
        return NioServerSocketChannel.class;
    }

    @Override
    public Class<? extends ServerChannel> unixServerChannel() {
        return NioServerDomainSocketChannel.class;
    }

    @Override
    public SocketAddress unixBindAddress(Path path) {
        return UnixDomainSocketAddress.of(path);
    }

    @Override
    public CallerWrites.Descriptor descriptor(Channel channel) {
        return null; // the JDK's channel keeps its descriptor to itself
    }

    @Override
    public boolean canAdopt() {
        return false;
    }

    @Override
    public SocketAddress inspect(int fd) {
        throw new UnsupportedOperationException("NIO cannot serve an inherited file descriptor");
    }

    @Override
    public ServerChannel adopt(int fd, boolean unix) {
        throw new UnsupportedOperationException("NIO cannot serve an inherited file descriptor");
    }
}
