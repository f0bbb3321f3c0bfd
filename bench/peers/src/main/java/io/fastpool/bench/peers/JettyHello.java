package io.fastpool.bench.peers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.fastpool.samples.servlethello.HelloServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.fcgi.server.ServerFCGIConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty 12 as a FastCGI responder on a unix domain socket, answering every request with
 * {@code Hello, world!} in plain text, as Fastpool's hello sample does: the Jetty peer of
 * {@code bench/compare}.
 *
 * <p>The handler is an ordinary (blocking) Jetty handler, so Jetty runs it on a thread of its pool
 * rather than on the selector thread; that matches Fastpool, whose apps run on their pool's worker
 * threads, and PHP-FPM. {@code --non-blocking} declares the handler non-blocking instead, which
 * lets Jetty call it on the thread that read the request.
 *
 * <p>{@code --servlet} answers with a servlet instead: the servlet hello sample's own
 * {@link HelloServlet} at {@value #SERVLET_PATH} in an ee10 {@link ServletContextHandler} at the
 * root context, without sessions or security, the Jetty peer of Fastpool's servlet path.
 *
 * <pre>
 * java -cp bench/peers/target/peers.jar io.fastpool.bench.peers.JettyHello --socket /tmp/jetty.sock
 * </pre>
 *
 * Runs until the process is stopped (SIGTERM or SIGINT stop Jetty and remove the socket file).
 */
public final class JettyHello {

    private static final String USAGE = """
            usage: JettyHello --socket PATH [--max-threads N] [--non-blocking | --servlet]
              --socket PATH      unix domain socket to listen on (created; an old file there is replaced)
              --max-threads N    most threads in Jetty's pool (default: Jetty's own, 200)
              --non-blocking     declare the handler non-blocking (Jetty may run it on the selector thread)
              --servlet          answer with the servlet hello (ee10 ServletContextHandler) at /servlet-hello
            """;

    static final String SERVLET_PATH = "/servlet-hello";
    private static final byte[] HELLO = "Hello, world!".getBytes(StandardCharsets.US_ASCII);

    private JettyHello() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = null;
        int maxThreads = 0;
        boolean nonBlocking = false;
        boolean servlet = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--socket" -> socket = Path.of(value(args, ++i, "--socket"));
                    case "--max-threads" -> maxThreads = Integer.parseInt(value(args, ++i, "--max-threads"));
                    case "--non-blocking" -> nonBlocking = true;
                    case "--servlet" -> servlet = true;
                    case "-h", "--help" -> {
                        System.out.print(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (socket == null) {
                throw new IllegalArgumentException("--socket PATH is required");
            }
            if (servlet && nonBlocking) {
                throw new IllegalArgumentException("--servlet and --non-blocking exclude each other");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("JettyHello: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }

        QueuedThreadPool threads = maxThreads > 0 ? new QueuedThreadPool(maxThreads) : new QueuedThreadPool();
        threads.setName("jetty-hello");
        Server server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        // Fastpool's hello sends neither (nor a Content-Length): keep the responses the same.
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server, new ServerFCGIConnectionFactory(http));
        Files.deleteIfExists(socket);
        connector.setUnixDomainPath(socket);
        // Fastpool's default backlog: with the JDK's 50, connections opened all at once (nginx,
        // fcgi-load -c 64) to a JVM still warming up were turned away with EAGAIN.
        connector.setAcceptQueueSize(511);
        server.addConnector(connector);
        server.setHandler(servlet ? servletHello() : nonBlocking ? new NonBlockingHello() : new Hello());
        server.setStopAtShutdown(true);
        server.start();
        System.out.println("JettyHello: listening on unix:" + socket + " (Jetty " + Server.getVersion()
                + ", " + (servlet ? "servlet at " + SERVLET_PATH : (nonBlocking ? "non-blocking" : "blocking") + " handler") + ", max threads "
                + threads.getMaxThreads() + ")");
        server.join();
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    /** The servlet hello at {@value #SERVLET_PATH} of the root context; no sessions, no security. */
    static ServletContextHandler servletHello() {
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        context.setContextPath("/");
        context.addServlet(HelloServlet.class, SERVLET_PATH);
        return context;
    }

    /** Writes the greeting; shared by both invocation types. */
    static boolean answer(Response response, Callback callback) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.write(true, ByteBuffer.wrap(HELLO).asReadOnlyBuffer(), callback);
        return true;
    }

    /** The greeting from a blocking handler: Jetty runs it on a pool thread. */
    static final class Hello extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            return answer(response, callback);
        }
    }

    /** The greeting from a handler that never blocks: Jetty may run it where the request was read. */
    static final class NonBlockingHello extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            return answer(response, callback);
        }
    }
}
