package io.fastpool.itest.apps;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.spi.Exchange;
import io.fastpool.api.spi.RequestTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A test app bundle, standing in for the pool manager until it exists: registers request targets
 * that the FastCGI listener routes to. {@code /hello} answers on the event loop (the cheapest
 * path); the others run on a small worker pool, as a pool would.
 */
public final class TestAppActivator implements BundleActivator {

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private ExecutorService workers;

    @Override
    public void start(BundleContext context) {
        AtomicInteger threads = new AtomicInteger();
        workers = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000),
                r -> new Thread(r, "test-app-" + threads.incrementAndGet()));
        String text = context.getBundle().getVersion().getMajor() == 2 ? "Hello, version 2!" : "Hello, world!";
        byte[] hello = text.getBytes(StandardCharsets.UTF_8);
        register(context, "/hello", exchange -> {
            Response response = exchange.response();
            response.setContentType("text/plain");
            try {
                response.body().write(hello);
            } catch (IOException aborted) {
                // the client went away
            }
            exchange.complete();
        });
        register(context, "/echo", onWorker(TestAppActivator::echo));
        register(context, "/upload", onWorker(TestAppActivator::upload));
        register(context, "/big", onWorker(TestAppActivator::big));
        register(context, "/slow", onWorker(TestAppActivator::slow));
        register(context, "/drip", onWorker(TestAppActivator::drip));
    }

    @Override
    public void stop(BundleContext context) {
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
        workers.shutdownNow();
    }

    private void register(BundleContext context, String path, RequestTarget target) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(RequestTarget.ROUTE_PATH, path);
        properties.put(RequestTarget.NAME, "test-app" + path);
        registrations.add(context.registerService(RequestTarget.class, target, properties));
    }

    interface Handler {
        void handle(Request request, Response response) throws Exception;
    }

    private RequestTarget onWorker(Handler handler) {
        return exchange -> workers.execute(() -> run(handler, exchange));
    }

    private static void run(Handler handler, Exchange exchange) {
        Thread worker = Thread.currentThread();
        exchange.onCancel(worker::interrupt);
        exchange.request().setAttribute("exchange", exchange.describe());
        try {
            handler.handle(exchange.request(), exchange.response());
        } catch (IOException | InterruptedException aborted) {
            // the request was aborted or the client went away
        } catch (Exception e) {
            try {
                if (!exchange.response().isCommitted()) {
                    exchange.response().sendError(500, null);
                }
            } catch (IOException ignored) {
                // nothing more to tell the client
            }
        } finally {
            exchange.complete();
            Thread.interrupted();
        }
    }

    private static String parameter(Request request, String name, String fallback) {
        for (String pair : request.queryString().split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return fallback;
    }

    /** Method, path, query, headers and a digest of the body, as text. */
    static void echo(Request request, Response response) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long length = 0;
        byte[] buffer = new byte[16384];
        InputStream body = request.body();
        StringBuilder out = new StringBuilder();
        try {
            for (int n; (n = body.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                length += n;
            }
        } catch (IOException e) {
            out.append("body-error: ").append(e.getClass().getSimpleName()).append(": ").append(e.getMessage()).append('\n');
        }
        String described = String.valueOf(request.attribute("exchange"));
        out.append("connection: ").append(described.split(" ")[1]).append('\n');
        out.append("method: ").append(request.method()).append('\n');
        out.append("path: ").append(request.path()).append('\n');
        out.append("context: ").append(request.contextPath()).append('\n');
        out.append("query: ").append(request.queryString()).append('\n');
        out.append("host: ").append(request.serverName()).append('\n');
        out.append("content-length: ").append(request.contentLength()).append('\n');
        out.append("body-length: ").append(length).append('\n');
        out.append("body-sha256: ").append(HexFormat.of().formatHex(sha.digest())).append('\n');
        for (String name : new TreeSet<>(request.headers().names())) {
            out.append("header ").append(name).append(": ").append(request.header(name)).append('\n');
        }
        response.setContentType("text/plain; charset=UTF-8");
        response.setHeader("X-Echo", "1");
        response.body().write(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the whole body and answers its length: for uploads far bigger than the heap. */
    static void upload(Request request, Response response) throws IOException {
        long length = 0;
        byte[] buffer = new byte[65536];
        InputStream body = request.body();
        for (int n; (n = body.read(buffer)) > 0; ) {
            length += n;
        }
        response.body().write(("received " + length + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Streams {@code bytes} bytes of {@link BigResponse}'s answer (packed into this bundle with it). */
    static void big(Request request, Response response) throws IOException {
        response.setContentType("application/octet-stream");
        BigResponse.write(response.body(), Long.parseLong(parameter(request, "bytes", "1048576")));
    }

    /** Waits {@code ms} milliseconds, then answers. */
    static void slow(Request request, Response response) throws Exception {
        Thread.sleep(Long.parseLong(parameter(request, "ms", "1000")));
        response.body().write("slept\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes and flushes a line every 50 ms, {@code lines} times: a response a client can walk away from. */
    static void drip(Request request, Response response) throws Exception {
        int lines = Integer.parseInt(parameter(request, "lines", "100"));
        for (int i = 0; i < lines; i++) {
            response.body().write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            response.body().flush();
            Thread.sleep(50);
        }
    }
}
