package io.fastpool.bench.load;

import io.fastpool.fcgi.FcgiDecoder;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.fcgi.FcgiProtocolException;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordListener;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal FastCGI responder for tests, on TCP or a unix socket: answers every request with
 * {@code responseHead} + "Hello" on STDOUT, the empty STDOUT and END_REQUEST (REQUEST_COMPLETE),
 * honours keep-conn, and remembers the last request's parameters and body length. With
 * {@code silent}, it reads requests and never answers.
 */
final class FcgiTestServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final Path socketFile;
    private final String responseHead;
    private final boolean silent;
    final Map<String, String> lastParams = new ConcurrentHashMap<>();
    final AtomicLong lastBodyLength = new AtomicLong(-1);
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    /** Most requests that arrived in one read and so were in flight together on a connection. */
    final AtomicInteger maxInFlightPerConnection = new AtomicInteger();

    private FcgiTestServer(SocketAddress address, Path socketFile, String responseHead, boolean silent)
            throws InterruptedException {
        this.socketFile = socketFile;
        this.responseHead = responseHead;
        this.silent = silent;
        ServerBootstrap bootstrap = new ServerBootstrap().group(group)
                .channel(socketFile != null ? NioServerDomainSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel child) {
                        child.pipeline().addLast(new Connection());
                    }
                });
        this.channel = bootstrap.bind(address).sync().channel();
    }

    /** A server on 127.0.0.1 and a free port. */
    static FcgiTestServer tcp(String responseHead, boolean silent) throws InterruptedException {
        return new FcgiTestServer(new InetSocketAddress("127.0.0.1", 0), null, responseHead, silent);
    }

    /** A server on a unix socket at {@code file}. */
    static FcgiTestServer unix(Path file, String responseHead) throws InterruptedException {
        return new FcgiTestServer(UnixDomainSocketAddress.of(file), file, responseHead, false);
    }

    Target target() {
        if (socketFile != null) {
            return Target.parse("unix:" + socketFile);
        }
        return Target.parse("tcp:127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort());
    }

    @Override
    public void close() throws IOException {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        if (socketFile != null) {
            Files.deleteIfExists(socketFile);
        }
    }

    /** One connection: decodes requests and answers each once its STDIN has ended. */
    private final class Connection extends ChannelInboundHandlerAdapter implements FcgiRecordListener {
        private ChannelHandlerContext ctx;
        private FcgiDecoder decoder;
        private ByteBuf cumulation;
        private final Map<Integer, Boolean> keep = new HashMap<>();
        private final Map<Integer, long[]> bodies = new HashMap<>();
        private final List<int[]> complete = new ArrayList<>();

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            this.decoder = new FcgiDecoder(FcgiLimits.DEFAULTS, this);
            connections.incrementAndGet();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (cumulation == null) {
                cumulation = Unpooled.buffer();
            }
            cumulation.writeBytes(in);
            in.release();
            try {
                decoder.decode(cumulation);
            } catch (FcgiProtocolException e) {
                ctx.close();
            }
            cumulation.discardReadBytes();
            // Answer what this read completed only now, so that requests sent together are in flight together.
            maxInFlightPerConnection.accumulateAndGet(complete.size(), Math::max);
            for (int[] request : complete) {
                answer(request[0], request[1] != 0);
            }
            complete.clear();
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (cumulation != null) {
                cumulation.release();
                cumulation = null;
            }
        }

        @Override
        public void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
            keep.put(requestId, keepConnection);
            bodies.put(requestId, new long[1]);
        }

        @Override
        public void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex,
                int valueLength) {
            lastParams.put(source.toString(nameIndex, nameLength, StandardCharsets.ISO_8859_1),
                    source.toString(valueIndex, valueLength, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
            bodies.get(requestId)[0] += content.readableBytes();
        }

        @Override
        public void onStreamEnd(FcgiRecordType stream, int requestId) {
            if (stream != FcgiRecordType.STDIN) {
                return;
            }
            lastBodyLength.set(bodies.remove(requestId)[0]);
            requests.incrementAndGet();
            complete.add(new int[] {requestId, keep.remove(requestId) ? 1 : 0});
        }

        private void answer(int requestId, boolean keepConnection) {
            if (silent) {
                return;
            }
            ByteBuf out = ctx.alloc().buffer();
            ByteBuf content = Unpooled.copiedBuffer(responseHead + "Hello", StandardCharsets.ISO_8859_1);
            FcgiEncoder.writeStream(out, FcgiRecordType.STDOUT, requestId, content);
            content.release();
            FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDOUT, requestId);
            FcgiEncoder.writeEndRequest(out, requestId, 0, FcgiProtocolStatus.REQUEST_COMPLETE);
            ctx.write(out);
            if (!keepConnection) {
                ctx.flush();
                ctx.close();
            }
        }

        @Override
        public void onRequestError(int requestId, FcgiProtocolException error) {
            ctx.close();
        }
    }
}
