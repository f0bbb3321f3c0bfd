package io.fastpool.bench.footprint;

import io.fastpool.fcgi.CgiParams;
import io.fastpool.fcgi.FcgiDecoder;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.fcgi.FcgiProtocolException;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordListener;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A one-request-at-a-time FastCGI client over a unix socket, for footprint runs: sends a GET as
 * nginx would (keep-conn, so one connection serves every probe) and returns the CGI status of the
 * answer. Not a load generator: {@code fcgi-load} is.
 */
final class FcgiProbe implements AutoCloseable {

    private static final int REQUEST_ID = 1;

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(16 * 1024);
    private final ByteBuf cumulation = Unpooled.buffer(16 * 1024);
    private final Answer answer = new Answer();
    private final FcgiDecoder decoder = new FcgiDecoder(FcgiLimits.DEFAULTS, answer);

    private FcgiProbe(SocketChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    /** Connects to the unix socket at {@code socket}; throws if nobody listens there. */
    static FcgiProbe connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            Selector selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new FcgiProbe(channel, selector);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Sends {@code GET path} and waits up to {@code timeoutMillis} for END_REQUEST; returns the
     * status (200 when the answer has no {@code Status:} line). Throws when the connection closes
     * or the time runs out; the probe is then unusable.
     */
    int get(String path, long timeoutMillis) throws IOException {
        ByteBuf request = Unpooled.buffer(512);
        FcgiEncoder.writeBeginRequest(request, REQUEST_ID, FcgiRole.RESPONDER, true);
        FcgiEncoder.writeParams(request, REQUEST_ID, CgiParams.request("GET", path).set("SERVER_SOFTWARE", "fastpool-footprint").list());
        FcgiEncoder.writeStreamEnd(request, FcgiRecordType.PARAMS, REQUEST_ID);
        FcgiEncoder.writeStreamEnd(request, FcgiRecordType.STDIN, REQUEST_ID);
        ByteBuffer out = request.nioBuffer();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                waitFor(deadline, path);
            }
        }
        answer.reset();
        while (!answer.ended) {
            readBuffer.clear();
            int read = channel.read(readBuffer);
            if (read < 0) {
                throw new IOException("the server closed the connection before answering GET " + path);
            }
            if (read == 0) {
                waitFor(deadline, path);
                continue;
            }
            readBuffer.flip();
            cumulation.writeBytes(readBuffer);
            try {
                decoder.decode(cumulation);
            } catch (FcgiProtocolException e) {
                throw new IOException("the server broke the FastCGI framing answering GET " + path + ": " + e.getMessage(), e);
            }
            cumulation.discardReadBytes();
        }
        if (answer.protocolStatus != FcgiProtocolStatus.REQUEST_COMPLETE) {
            throw new IOException("GET " + path + " ended with " + answer.protocolStatus);
        }
        return answer.status();
    }

    private void waitFor(long deadline, String path) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new IOException("no answer to GET " + path + " in time");
        }
        selector.select(left);
        selector.selectedKeys().clear();
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }

    /** What came back for the request in flight. */
    private static final class Answer implements FcgiRecordListener {
        private final StringBuilder head = new StringBuilder();
        boolean ended;
        FcgiProtocolStatus protocolStatus;

        void reset() {
            head.setLength(0);
            ended = false;
            protocolStatus = null;
        }

        @Override
        public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
            if (stream == FcgiRecordType.STDOUT && head.length() < 256) {
                head.append(content.toString(content.readerIndex(), Math.min(content.readableBytes(), 256),
                        StandardCharsets.ISO_8859_1));
            }
        }

        @Override
        public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus status) {
            ended = true;
            protocolStatus = status;
        }

        /** The CGI {@code Status:} of the answer, 200 without one. */
        int status() {
            String text = head.toString();
            if (text.startsWith("Status: ") && text.length() >= 11) {
                try {
                    return Integer.parseInt(text.substring(8, 11));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            return 200;
        }
    }
}
