package io.fastpool.itest.support;

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
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A blocking FastCGI client over one socket (TCP or unix), built on the codec, for tests that need
 * byte-level control: partial requests, bad records, reusing a connection across bundle updates.
 */
public final class RawFcgiClient implements AutoCloseable {

    /** What came back for one request. */
    public static final class Response {
        public final StringBuilder stdout = new StringBuilder();
        /** Whether the empty STDOUT record came: the answer is whole (END_REQUEST may come later). */
        public boolean stdoutEnded;
        public FcgiProtocolStatus status;

        public String httpStatus() {
            String text = stdout.toString();
            return text.startsWith("Status: ") ? text.substring(8, text.indexOf("\r\n")) : "200 OK";
        }

        public String body() {
            String text = stdout.toString();
            int split = text.indexOf("\r\n\r\n");
            return split < 0 ? "" : text.substring(split + 4);
        }
    }

    private final SocketChannel channel;
    private final ByteBuf received = Unpooled.buffer();
    private final Map<Integer, Response> responses = new LinkedHashMap<>();
    private final List<Map<String, String>> values = new ArrayList<>();
    private final FcgiDecoder decoder = new FcgiDecoder(FcgiLimits.DEFAULTS, new Listener());

    private RawFcgiClient(SocketChannel channel) {
        this.channel = channel;
    }

    public static RawFcgiClient tcp(int port) throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        channel.socket().setSoTimeout(10_000);
        return new RawFcgiClient(channel);
    }

    public static RawFcgiClient tcp6(int port) throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress("::1", port));
        return new RawFcgiClient(channel);
    }

    public static RawFcgiClient unix(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new RawFcgiClient(channel);
    }

    /** The CGI variables nginx sends for {@code method} and {@code uri}, with {@code extra} name-value pairs set over them. */
    public static List<Map.Entry<String, String>> params(String method, String uri, String... extra) {
        CgiParams params = CgiParams.request(method, uri);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            params.set(extra[i], extra[i + 1]);
        }
        return params.list();
    }

    /** The bytes of a whole request. */
    public static byte[] requestBytes(int id, boolean keep, List<Map.Entry<String, String>> params, byte[] body) {
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeBeginRequest(out, id, FcgiRole.RESPONDER, keep);
        FcgiEncoder.writeParams(out, id, params);
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, id);
        if (body.length > 0) {
            FcgiEncoder.writeStream(out, FcgiRecordType.STDIN, id, Unpooled.wrappedBuffer(body));
        }
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDIN, id);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    public void send(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Sends a whole request and waits for its END_REQUEST. */
    public Response get(int id, boolean keep, String uri) throws IOException {
        send(requestBytes(id, keep, params("GET", uri), new byte[0]));
        return await(id);
    }

    /**
     * Reads until request {@code id}'s answer is whole (its STDOUT ended), without waiting for its
     * END_REQUEST; the response stays for {@link #await}.
     */
    public Response awaitAnswer(int id) throws IOException {
        while (true) {
            Response response = responses.get(id);
            if (response != null && (response.stdoutEnded || response.status != null)) {
                return response;
            }
            if (!readSome()) {
                throw new IOException("connection closed before request " + id + " was answered");
            }
        }
    }

    /** Reads until request {@code id} has ended. */
    public Response await(int id) throws IOException {
        while (true) {
            Response response = responses.get(id);
            if (response != null && response.status != null) {
                responses.remove(id);
                return response;
            }
            if (!readSome()) {
                throw new IOException("connection closed before request " + id + " ended");
            }
        }
    }

    /**
     * Sends a GET for {@code uri} and reads its response, counting STDOUT bytes instead of keeping
     * them: for responses larger than the test should hold.
     */
    public long drain(int id, String uri) throws IOException {
        discarding = true;
        try {
            send(requestBytes(id, true, params("GET", uri), new byte[0]));
            await(id);
            return discarded;
        } finally {
            discarding = false;
            discarded = 0;
        }
    }

    private boolean discarding;
    private long discarded;

    /** Reads until the GET_VALUES_RESULT arrives. */
    public Map<String, String> awaitValues() throws IOException {
        while (values.isEmpty()) {
            if (!readSome()) {
                throw new IOException("connection closed before GET_VALUES_RESULT");
            }
        }
        return values.remove(0);
    }

    /** Shuts this side down for writing (a half-close), as some clients do after sending a request. */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /**
     * Whether the server closed the connection in order (end of stream, not a reset) within
     * {@code millis}; data read meanwhile is dropped. A reset throws.
     */
    public boolean endOfStreamWithin(long millis) throws IOException {
        return closedWithin(millis, false);
    }

    /** Whether the server closed the connection (read returns end of stream) within {@code millis}; data read meanwhile is dropped. */
    public boolean closedByServerWithin(long millis) throws IOException {
        return closedWithin(millis, true);
    }

    private boolean closedWithin(long millis, boolean resetCounts) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        channel.configureBlocking(false);
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int n;
                try {
                    n = channel.read(buffer);
                } catch (IOException reset) {
                    if (resetCounts) {
                        return true;
                    }
                    throw reset;
                }
                if (n < 0) {
                    return true;
                }
                buffer.clear();
            }
        } finally {
            channel.configureBlocking(true);
        }
    }

    /** The bytes {@code writer} puts in a buffer: one record or a few, to send as one write. */
    public static byte[] bytes(java.util.function.Consumer<io.netty.buffer.ByteBuf> writer) {
        io.netty.buffer.ByteBuf out = Unpooled.buffer();
        writer.accept(out);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    private boolean readSome() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        int n;
        try {
            n = channel.read(buffer);
        } catch (SocketTimeoutException e) {
            throw new IOException("no answer within the timeout", e);
        }
        if (n < 0) {
            return false;
        }
        buffer.flip();
        received.writeBytes(buffer);
        decoder.decode(received);
        received.discardReadBytes();
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private final class Listener implements FcgiRecordListener {
        private Response of(int id) {
            return responses.computeIfAbsent(id, k -> new Response());
        }

        @Override
        public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
            if (stream == FcgiRecordType.STDOUT) {
                if (discarding) {
                    discarded += content.readableBytes();
                } else {
                    of(requestId).stdout.append(content.toString(StandardCharsets.ISO_8859_1));
                }
            }
        }

        @Override
        public void onStreamEnd(FcgiRecordType stream, int requestId) {
            if (stream == FcgiRecordType.STDOUT) {
                of(requestId).stdoutEnded = true;
            }
        }

        @Override
        public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
            of(requestId).status = protocolStatus;
        }

        @Override
        public void onGetValuesResult(Map<String, String> result) {
            values.add(result);
        }

        @Override
        public void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
            throw new IllegalStateException("server sent BEGIN_REQUEST");
        }

        @Override
        public void onAbortRequest(int requestId) {
            throw new IllegalStateException("server sent ABORT_REQUEST");
        }

        @Override
        public void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex, int valueLength) {
            throw new IllegalStateException("server sent PARAMS");
        }

        @Override
        public void onParamsEnd(int requestId) {
            throw new IllegalStateException("server sent PARAMS");
        }

        @Override
        public void onGetValues(List<String> names) {
            throw new IllegalStateException("server sent GET_VALUES");
        }

        @Override
        public void onRequestError(int requestId, FcgiProtocolException error) {
            throw error;
        }
    }
}
