/**
 * The transport's implementation, private to the bundle: {@link io.fastpool.transport.internal.Transport}
 * (sockets, event loops, admission, handler changes), {@link io.fastpool.transport.internal.SocketIo}
 * (epoll or NIO, chosen so that epoll's optional classes load only when present),
 * {@link io.fastpool.transport.internal.RecordFramer} (FastCGI record framing),
 * {@link io.fastpool.transport.internal.NettyConnection} (one connection and its session) and
 * {@link io.fastpool.transport.internal.TransportComponent} (the DS component).
 */
package io.fastpool.transport.internal;
