package io.fastpool.bench.codec;

import io.fastpool.fcgi.FcgiDecoder;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.fcgi.FcgiProtocolException;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordListener;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of the FastCGI codec ({@link FcgiDecoder}, {@link FcgiEncoder}) on the two shapes of
 * traffic a Fastpool connection carries most: a typical nginx request and a 64 KiB response.
 *
 * <ul>
 *   <li>{@code decodeNginxRequest}: decodes the bytes nginx sends for a GET with the stock
 *       {@code fastcgi_params}: BEGIN_REQUEST (RESPONDER, keep-conn), one PARAMS record of 20
 *       pairs (636 content bytes), the empty PARAMS and the empty STDIN: {@value #NGINX_REQUEST_BYTES}
 *       bytes. The listener sums name and value lengths (no strings are made), as a server that
 *       matches names on the bytes would start.
 *   <li>{@code encodeNginxRequest}: encodes that same request from a pre-built list of pairs, as
 *       the test client and a proxying peer do.
 *   <li>{@code decodeStdout64k}: decodes a 64 KiB response: STDOUT records of 65535 and 1 bytes
 *       (as {@link FcgiEncoder#writeStream} cuts them), the empty STDOUT and END_REQUEST:
 *       {@value #STDOUT_64K_BYTES} bytes. Content is handed on as slices, never copied, so this
 *       measures per-record work rather than per-byte work.
 *   <li>{@code encodeStdout64k}: encodes a 64 KiB body from a pre-filled buffer plus the empty STDOUT
 *       and END_REQUEST: {@value #STDOUT_64K_BYTES} bytes, every content byte copied once.
 * </ul>
 *
 * <p>The inputs are encoded once, in {@link #setup()}, into direct pooled buffers; each decode
 * invocation only resets the reader index, and each encode invocation clears a reused, large
 * enough output buffer, so the harness itself allocates nothing. One decoder per input is reused
 * across invocations, as one connection would reuse it: a complete request leaves it with no state
 * ({@code openParamsStreams() == 0}, checked in {@link #setup()} and {@link #checkClean()}).
 *
 * <p>Scores are operations per second; one operation is one whole request or response, so
 * bytes per second = ops/s x the byte counts above (also printed to stderr by {@link #setup()}).
 * Allocation per operation is {@code gc.alloc.rate.norm} from the GC profiler.
 *
 * <p>Run, from the project root:
 *
 * <pre>
 * mvn -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar FcgiCodecBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FcgiCodecBenchmark {

    /** Bytes of the encoded nginx request: 16 (BEGIN_REQUEST) + 8 + 636 + 4 (PARAMS) + 8 + 8. */
    public static final int NGINX_REQUEST_BYTES = 680;

    /** Bytes of the encoded 64 KiB response: 8 + 65535 + 1, 8 + 1 + 7 (STDOUT), 8, 16 (END_REQUEST). */
    public static final int STDOUT_64K_BYTES = 65_584;

    /** Response body length. */
    public static final int BODY_BYTES = 64 * 1024;

    private static final int REQUEST_ID = 1;

    /**
     * What nginx sends for {@code GET https://www.example.com/products/list?page=2&sort=desc}. A plain
     * {@code ArrayList}, never modified: {@code writeParams} iterates its argument twice, and the
     * iterators of a {@code Collections.unmodifiableList} wrapper were measured not to be
     * scalar-replaced there (64 B/op), which would charge the harness's choice to the encoder.
     */
    static final List<Map.Entry<String, String>> NGINX_PARAMS = new ArrayList<>(List.of(
            Map.entry("QUERY_STRING", "page=2&sort=desc"),
            Map.entry("REQUEST_METHOD", "GET"),
            Map.entry("CONTENT_TYPE", ""),
            Map.entry("CONTENT_LENGTH", ""),
            Map.entry("SCRIPT_NAME", "/index.php"),
            Map.entry("REQUEST_URI", "/products/list?page=2&sort=desc"),
            Map.entry("DOCUMENT_URI", "/index.php"),
            Map.entry("DOCUMENT_ROOT", "/var/www/example/public"),
            Map.entry("SERVER_PROTOCOL", "HTTP/1.1"),
            Map.entry("REQUEST_SCHEME", "https"),
            Map.entry("GATEWAY_INTERFACE", "CGI/1.1"),
            Map.entry("SERVER_SOFTWARE", "nginx/1.26.2"),
            Map.entry("REMOTE_ADDR", "203.0.113.42"),
            Map.entry("REMOTE_PORT", "51324"),
            Map.entry("SERVER_ADDR", "10.0.0.5"),
            Map.entry("SERVER_PORT", "443"),
            Map.entry("SERVER_NAME", "www.example.com"),
            Map.entry("HTTP_HOST", "www.example.com"),
            Map.entry("HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                    + " Chrome/126.0.0.0 Safari/537.36"),
            Map.entry("HTTP_ACCEPT", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")));

    private ByteBuf nginxRequest;
    private ByteBuf stdout64k;
    private ByteBuf body;
    private ByteBuf out;
    private Sink requestSink;
    private Sink responseSink;
    private FcgiDecoder requestDecoder;
    private FcgiDecoder responseDecoder;

    @Setup
    public void setup() {
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

        nginxRequest = alloc.directBuffer(1024);
        encodeNginxRequest(nginxRequest);
        requireLength("nginx request", nginxRequest, NGINX_REQUEST_BYTES);

        body = alloc.directBuffer(BODY_BYTES);
        for (int i = 0; i < BODY_BYTES; i++) {
            body.writeByte('a' + i % 26);
        }
        stdout64k = alloc.directBuffer(STDOUT_64K_BYTES);
        encodeStdout64k(stdout64k, body);
        requireLength("64k response", stdout64k, STDOUT_64K_BYTES);

        // Big enough for either output, so encoding never grows it.
        out = alloc.directBuffer(STDOUT_64K_BYTES);

        requestSink = new Sink();
        requestDecoder = new FcgiDecoder(FcgiLimits.DEFAULTS, requestSink);
        responseSink = new Sink();
        responseDecoder = new FcgiDecoder(FcgiLimits.DEFAULTS, responseSink);

        // One check run: the decoders see what was encoded and are left with no state.
        requestDecoder.decode(nginxRequest);
        requireDecoded("nginx request", nginxRequest, requestDecoder, requestSink,
                3 + NGINX_PARAMS.size(), paramsPayload());
        nginxRequest.readerIndex(0);
        responseDecoder.decode(stdout64k);
        requireDecoded("64k response", stdout64k, responseDecoder, responseSink, 4, BODY_BYTES);
        stdout64k.readerIndex(0);

        System.err.printf("nginx request = %d bytes (%d PARAMS pairs), 64k response = %d bytes (%d body bytes)%n",
                NGINX_REQUEST_BYTES, NGINX_PARAMS.size(), STDOUT_64K_BYTES, BODY_BYTES);
    }

    @TearDown
    public void tearDown() {
        checkClean();
        nginxRequest.release();
        stdout64k.release();
        body.release();
        out.release();
    }

    /** Both decoders are left as a finished connection leaves them: no failure, no open PARAMS stream. */
    void checkClean() {
        for (FcgiDecoder decoder : List.of(requestDecoder, responseDecoder)) {
            if (decoder.isFailed() || decoder.openParamsStreams() != 0) {
                throw new IllegalStateException("decoder left with state: failed=" + decoder.isFailed()
                        + ", openParamsStreams=" + decoder.openParamsStreams());
            }
        }
    }

    @Benchmark
    public void decodeNginxRequest(Blackhole bh) {
        ByteBuf in = nginxRequest;
        in.readerIndex(0);
        requestDecoder.decode(in);
        bh.consume(requestSink.bytes);
    }

    @Benchmark
    public void encodeNginxRequest(Blackhole bh) {
        ByteBuf buf = out;
        buf.clear();
        encodeNginxRequest(buf);
        bh.consume(buf.writerIndex());
    }

    @Benchmark
    public void decodeStdout64k(Blackhole bh) {
        ByteBuf in = stdout64k;
        in.readerIndex(0);
        responseDecoder.decode(in);
        bh.consume(responseSink.bytes);
    }

    @Benchmark
    public void encodeStdout64k(Blackhole bh) {
        ByteBuf buf = out;
        buf.clear();
        encodeStdout64k(buf, body);
        bh.consume(buf.writerIndex());
    }

    private static void encodeNginxRequest(ByteBuf buf) {
        FcgiEncoder.writeBeginRequest(buf, REQUEST_ID, FcgiRole.RESPONDER, true);
        FcgiEncoder.writeParams(buf, REQUEST_ID, NGINX_PARAMS);
        FcgiEncoder.writeStreamEnd(buf, FcgiRecordType.PARAMS, REQUEST_ID);
        FcgiEncoder.writeStreamEnd(buf, FcgiRecordType.STDIN, REQUEST_ID);
    }

    private static void encodeStdout64k(ByteBuf buf, ByteBuf content) {
        FcgiEncoder.writeStream(buf, FcgiRecordType.STDOUT, REQUEST_ID, content);
        FcgiEncoder.writeStreamEnd(buf, FcgiRecordType.STDOUT, REQUEST_ID);
        FcgiEncoder.writeEndRequest(buf, REQUEST_ID, 0, FcgiProtocolStatus.REQUEST_COMPLETE);
    }

    private static long paramsPayload() {
        long sum = 0;
        for (Map.Entry<String, String> pair : NGINX_PARAMS) {
            sum += pair.getKey().length() + pair.getValue().length();
        }
        return sum;
    }

    private static void requireLength(String what, ByteBuf buf, int expected) {
        if (buf.readableBytes() != expected) {
            throw new IllegalStateException(what + " encodes to " + buf.readableBytes() + " bytes, expected " + expected);
        }
    }

    private static void requireDecoded(String what, ByteBuf in, FcgiDecoder decoder, Sink sink, long events,
            long bytes) {
        if (in.isReadable() || decoder.openParamsStreams() != 0 || sink.events != events || sink.bytes != bytes) {
            throw new IllegalStateException(what + " decoded wrongly: " + in.readableBytes() + " bytes left, "
                    + decoder.openParamsStreams() + " open PARAMS streams, " + sink.events + " events (expected "
                    + events + "), " + sink.bytes + " payload bytes (expected " + bytes + ")");
        }
    }

    /**
     * Consumes decoded events without making strings or keeping buffers: counts them and sums the
     * name, value and content lengths. Anything a valid request or response does not produce fails.
     */
    private static final class Sink implements FcgiRecordListener {
        long events;
        long bytes;

        @Override
        public void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
            events++;
        }

        @Override
        public void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex,
                int valueLength) {
            events++;
            bytes += nameLength + valueLength;
        }

        @Override
        public void onParamsEnd(int requestId) {
            events++;
        }

        @Override
        public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
            events++;
            bytes += content.readableBytes();
        }

        @Override
        public void onStreamEnd(FcgiRecordType stream, int requestId) {
            events++;
        }

        @Override
        public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
            events++;
        }

        @Override
        public void onAbortRequest(int requestId) {
            throw unexpected("ABORT_REQUEST");
        }

        @Override
        public void onGetValues(List<String> names) {
            throw unexpected("GET_VALUES");
        }

        @Override
        public void onGetValuesResult(Map<String, String> values) {
            throw unexpected("GET_VALUES_RESULT");
        }

        @Override
        public void onUnknownType(int type) {
            throw unexpected("UNKNOWN_TYPE");
        }

        @Override
        public void onUnrecognizedRecord(int type, int requestId) {
            throw unexpected("record of type " + type);
        }

        @Override
        public void onRequestError(int requestId, FcgiProtocolException error) {
            throw new IllegalStateException("request error in benchmark input", error);
        }

        private static IllegalStateException unexpected(String what) {
            return new IllegalStateException("unexpected " + what + " in benchmark input");
        }
    }
}
