package io.fastpool.listener.internal;

import io.fastpool.api.WebApp;
import io.fastpool.api.spi.RequestTarget;
import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiDecoder;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordListener;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.fastpool.pool.internal.BenchPool;
import io.fastpool.samples.hello.Hello;
import io.fastpool.samples.servlethello.HelloServlet;
import io.fastpool.servlet.internal.ErrorPageHandler;
import io.fastpool.servlet.internal.ServletInvoker;
import io.fastpool.servlet.internal.ServletLimits;
import io.fastpool.servlet.internal.ServletRoute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.MappingMatch;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code GET /hello} through the server without a socket: the bytes nginx sends go into the
 * FastCGI listener's {@link FcgiSession} record by record, as the transport hands them over, the
 * hello sample answers, and the response (STDOUT records and END_REQUEST, one write) comes out of
 * the session's connection. One operation is one whole request and response on one keep-alive
 * connection, with request id 1 each time, as nginx reuses it.
 *
 * <ul>
 *   <li>{@code listenerOnly}: the route's target runs {@link Hello} at once on the calling thread,
 *       which plays the connection's event loop: the listener's own cost (decoding, the request and
 *       response objects, routing, the CGI response) plus the app's.
 *   <li>{@code listenerOnlyServlet}: the same, with the hello answered by an {@link HttpServlet}
 *       (the servlet hello sample's {@link HelloServlet}) through the Servlet adapter
 *       ({@link ServletInvoker}): what the Servlet API costs per request on top of
 *       {@code listenerOnly}, before any whiteboard routing.
 *   <li>{@code listenerAndPool}: the route's target is a real pool ({@link BenchPool}: its queue and
 *       its worker thread, with the app's class loader as context class loader, timing and
 *       allocation figures per request); the benchmark thread waits for END_REQUEST as an event
 *       loop would (spinning briefly, then parked until the worker queues the write).
 *   <li>{@code listenerAndPoolServlet}: the same pool running the servlet hello through the adapter,
 *       as {@code listenerOnlyServlet} does on the calling thread.
 * </ul>
 *
 * <p>The request is what nginx sends with its stock {@code fastcgi_params} and {@code
 * fastcgi_keep_conn on} for {@code curl http://localhost/hello}: BEGIN_REQUEST (RESPONDER,
 * KEEP_CONN), one PARAMS record of {@value #PARAM_COUNT} pairs, the empty PARAMS, the empty STDIN;
 * it is encoded once into a pooled direct buffer, and each record handed over is a slice made once,
 * so the harness allocates nothing per operation (see {@link LoopConnection} for what a real netty
 * connection would add). Bytes allocated per request are {@code gc.alloc.rate.norm} from
 * {@code -prof gc}: every thread's allocations over the iteration divided by the requests served.
 *
 * <p>This class and {@link LoopConnection} are in the listener's internal package, and
 * {@link BenchPool} in the pool's, because the classes they drive are package-private: that works
 * on the benchmarks jar's plain class path, outside OSGi.
 *
 * <pre>
 * mvn -o -q package -pl bench
 * java -jar bench/target/benchmarks.jar RequestPathBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RequestPathBenchmark {

    static final int REQUEST_ID = 1;
    static final int PARAM_COUNT = 22;
    static final String EXPECTED_BODY = "Hello, world!";

    /** nginx's stock {@code fastcgi_params} for {@code GET /hello}, then the request headers curl sends. */
    static final List<Map.Entry<String, String>> NGINX_PARAMS = new ArrayList<>(List.of(
            Map.entry("QUERY_STRING", ""),
            Map.entry("REQUEST_METHOD", "GET"),
            Map.entry("CONTENT_TYPE", ""),
            Map.entry("CONTENT_LENGTH", ""),
            Map.entry("SCRIPT_NAME", "/hello"),
            Map.entry("REQUEST_URI", "/hello"),
            Map.entry("DOCUMENT_URI", "/hello"),
            Map.entry("DOCUMENT_ROOT", "/usr/share/nginx/html"),
            Map.entry("SERVER_PROTOCOL", "HTTP/1.1"),
            Map.entry("REQUEST_SCHEME", "http"),
            Map.entry("GATEWAY_INTERFACE", "CGI/1.1"),
            Map.entry("SERVER_SOFTWARE", "nginx/1.22.1"),
            Map.entry("REMOTE_ADDR", "127.0.0.1"),
            Map.entry("REMOTE_PORT", "51324"),
            Map.entry("REMOTE_USER", ""),
            Map.entry("SERVER_ADDR", "127.0.0.1"),
            Map.entry("SERVER_PORT", "8080"),
            Map.entry("SERVER_NAME", "localhost"),
            Map.entry("REDIRECT_STATUS", "200"),
            Map.entry("HTTP_HOST", "localhost"),
            Map.entry("HTTP_USER_AGENT", "curl/7.88.1"),
            Map.entry("HTTP_ACCEPT", "*/*")));

    /** The listener with the app answering inline on the event loop. */
    @State(Scope.Thread)
    public static class ListenerOnly {
        Rig rig;

        @Setup
        public void setup() {
            Hello hello = new Hello();
            rig = new Rig(exchange -> {
                try {
                    hello.handle(exchange.request(), exchange.response());
                } catch (IOException e) {
                    throw new IllegalStateException("hello failed", e);
                } finally {
                    exchange.complete();
                }
            });
        }

        @TearDown
        public void tearDown() {
            rig.close();
        }
    }

    /**
     * The servlet hello as a {@link WebApp}, through the Servlet adapter, as the whiteboard's app runs
     * a bundle's only servlet when no filter or request listener applies: what {@link HelloServlet}
     * answers is byte for byte what {@link Hello} does. The servlet is mapped at the exact pattern
     * {@code /hello} (the sample's is {@code /servlet-hello}), whose route the whiteboard makes once
     * ({@code ServletMapping}) and hands to every request: so does this.
     */
    static WebApp servletHello() {
        HelloServlet servlet = new HelloServlet();
        ServletInvoker invoker = new ServletInvoker(ServletLimits.DEFAULTS, ErrorPageHandler.PLAIN, Clock.systemUTC());
        ServletRoute route = new ServletRoute("", "/hello", null, MappingMatch.EXACT, "/hello");
        return (request, response) -> invoker.service(servlet, request, response, route, null, null);
    }

    /** The listener with a servlet answering inline on the event loop, through the Servlet adapter. */
    @State(Scope.Thread)
    public static class ListenerOnlyServlet {
        Rig rig;

        @Setup
        public void setup() {
            WebApp servlet = servletHello();
            rig = new Rig(exchange -> {
                try {
                    servlet.handle(exchange.request(), exchange.response());
                } catch (Exception e) {
                    throw new IllegalStateException("hello servlet failed", e);
                } finally {
                    exchange.complete();
                }
            });
        }

        @TearDown
        public void tearDown() {
            rig.close();
        }
    }

    /** The listener with a real pool running the app on its worker thread. */
    @State(Scope.Thread)
    public static class ListenerAndPool {
        Rig rig;
        BenchPool pool;

        /** The pool setting {@code statistics}: on, per-request latency, queue wait, CPU and allocation are measured. */
        @Param({"true", "false"})
        public String statistics;

        @Setup
        public void setup() {
            pool = pooled("io.fastpool.samples.hello", new Hello(), statistics);
            rig = new Rig(pool);
        }

        @TearDown
        public void tearDown() {
            rig.close();
            closePool(pool);
        }
    }

    /** The listener with a real pool running the servlet hello through the adapter on its worker thread. */
    @State(Scope.Thread)
    public static class ListenerAndPoolServlet {
        Rig rig;
        BenchPool pool;

        @Setup
        public void setup() {
            pool = pooled("io.fastpool.samples.servlethello", servletHello(), "true");
            rig = new Rig(pool);
        }

        @TearDown
        public void tearDown() {
            rig.close();
            closePool(pool);
        }
    }

    /** A pool with the hello pool's settings in the distribution (conf/io.fastpool.pool~io.fastpool.samples.hello.cfg). */
    static BenchPool pooled(String name, WebApp app, String statistics) {
        return new BenchPool(name, app, Map.of("maxThreads", 4, "idleTimeout", "20m", "statistics", statistics));
    }

    static void closePool(BenchPool pool) {
        int threads = pool.threads();
        long served = pool.snapshot().counters().served();
        long allocated = pool.snapshot().counters().allocatedBytes();
        pool.close();
        // The pool's own figure covers the worker thread only: from acquire to complete().
        System.err.printf("pool: %d requests served, %d worker thread(s) at the end, worker allocated %.0f B per request%n",
                served, threads, served == 0 ? 0.0 : (double) allocated / served);
    }

    @Benchmark
    public int listenerOnly(ListenerOnly state) {
        return state.rig.request();
    }

    @Benchmark
    public int listenerOnlyServlet(ListenerOnlyServlet state) {
        return state.rig.request();
    }

    @Benchmark
    public int listenerAndPool(ListenerAndPool state) {
        return state.rig.request();
    }

    @Benchmark
    public int listenerAndPoolServlet(ListenerAndPoolServlet state) {
        return state.rig.request();
    }

    /** One connection's session, a route to {@code target} at /hello, and the request as records. */
    static final class Rig {
        private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

        final LoopConnection connection = new LoopConnection();
        final ListenerStats stats = new ListenerStats();
        final FcgiSession session;
        private final ByteBuf request;
        private final ByteBuf[] records;
        private final int responseBytes;

        Rig(RequestTarget target) {
            RoutingTable routes = new RoutingTable();
            routes.add(new RoutingTable.Route("*", 0, "/hello", target, "io.fastpool.samples.hello/io.fastpool.samples.hello.Hello"));
            session = new FcgiSession(connection, ListenerSettings.DEFAULTS, routes, stats);
            request = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
            FcgiEncoder.writeBeginRequest(request, REQUEST_ID, FcgiRole.RESPONDER, true);
            FcgiEncoder.writeParams(request, REQUEST_ID, NGINX_PARAMS);
            FcgiEncoder.writeStreamEnd(request, FcgiRecordType.PARAMS, REQUEST_ID);
            FcgiEncoder.writeStreamEnd(request, FcgiRecordType.STDIN, REQUEST_ID);
            records = splitRecords(request);
            if (records.length != 4) {
                throw new IllegalStateException("the request should be 4 records, was " + records.length);
            }
            responseBytes = checkOneRequest();
            System.err.printf("request: %d bytes in %d records (%d PARAMS pairs); response: %d bytes%n",
                    request.readableBytes(), records.length, NGINX_PARAMS.size(), responseBytes);
        }

        /** One request in, its response out and released; returns the response's length. */
        int request() {
            if (!connection.inEventLoop()) {
                throw new IllegalStateException("the benchmark must run on the thread that set it up (its event loop)");
            }
            for (ByteBuf record : records) {
                record.readerIndex(0);
                session.onRecord(record);
            }
            ByteBuf response = connection.awaitResponse(TIMEOUT_NANOS);
            int length = response.readableBytes();
            response.release();
            if (length != responseBytes) {
                throw new IllegalStateException("response of " + length + " bytes, the first was " + responseBytes);
            }
            return length;
        }

        /** Runs one request and decodes its answer: 200, the hello text, END_REQUEST, connection kept. */
        private int checkOneRequest() {
            for (ByteBuf record : records) {
                record.readerIndex(0);
                session.onRecord(record);
            }
            ByteBuf response = connection.awaitResponse(TIMEOUT_NANOS);
            try {
                int length = response.readableBytes();
                Answer answer = new Answer();
                new FcgiDecoder(FcgiLimits.DEFAULTS, answer).decode(response);
                String stdout = answer.stdout.toString();
                if (stdout.startsWith("Status: ") || !stdout.endsWith("\r\n\r\n" + EXPECTED_BODY)
                        || !answer.stdoutEnded || answer.end != FcgiProtocolStatus.REQUEST_COMPLETE
                        || response.isReadable() || connection.isClosed() || !session.isIdle()) {
                    throw new IllegalStateException("unexpected answer to GET /hello: " + stdout.replace("\r\n", "\\r\\n")
                            + " (STDOUT ended: " + answer.stdoutEnded + ", END_REQUEST: " + answer.end + ", "
                            + response.readableBytes() + " bytes left, closed: " + connection.isClosed() + ")");
                }
                return length;
            } finally {
                response.release();
            }
        }

        void close() {
            session.onClose();
            for (ByteBuf record : records) {
                record.release();
            }
            request.release();
        }

        /** The whole records in {@code buf}, as retained slices (one reference each), made once. */
        private static ByteBuf[] splitRecords(ByteBuf buf) {
            List<ByteBuf> found = new ArrayList<>();
            int at = buf.readerIndex();
            while (at + Fcgi.HEADER_LENGTH <= buf.writerIndex()) {
                int length = Fcgi.recordLength(buf, at);
                found.add(buf.retainedSlice(at, length));
                at += length;
            }
            return found.toArray(new ByteBuf[0]);
        }
    }

    /** The web server's view of one response. */
    private static final class Answer implements FcgiRecordListener {
        final StringBuilder stdout = new StringBuilder();
        boolean stdoutEnded;
        FcgiProtocolStatus end;

        @Override
        public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
            stdout.append(content.toString(StandardCharsets.ISO_8859_1));
        }

        @Override
        public void onStreamEnd(FcgiRecordType stream, int requestId) {
            stdoutEnded |= stream == FcgiRecordType.STDOUT;
        }

        @Override
        public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
            end = protocolStatus;
        }
    }
}
