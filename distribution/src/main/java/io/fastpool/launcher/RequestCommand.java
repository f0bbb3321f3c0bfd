package io.fastpool.launcher;

import io.fastpool.fcgi.CgiParams;
import io.fastpool.fcgi.FcgiDecoder;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.fcgi.FcgiProtocolException;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordListener;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.fastpool.transport.ListenAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * {@code bin/fastpool request [-c ADDRESS] [-X METHOD] [-H 'Name: value']... [-d BODY] [-i] PATH}:
 * sends one FastCGI request, as nginx would, and prints the response, so Fastpool can be tried
 * without a web server. Exit codes: 0 for a 1xx-3xx answer, 1 for 4xx/5xx, 2 for bad arguments,
 * 3 when the server cannot be reached or breaks the protocol.
 *
 * <p>The address is read as the transport reads its {@code listen} setting ({@link ListenAddress},
 * a relative socket path from the home folder) and the request carries the parameters nginx sends
 * ({@link CgiParams}); both come from the bundles in {@code bundle/}, which {@code bin/fastpool}
 * puts on the class path with netty's buffers. The arguments are parsed here by hand rather than
 * with a command-line library: six options do not earn a jar in {@code lib/} beside the framework,
 * and the launcher jar stays free of dependencies of its own.
 */
public final class RequestCommand {

    static final String USAGE = """
            usage: bin/fastpool request [-c ADDRESS] [-X METHOD] [-H 'Name: value']... [-d BODY] [-i] PATH
              -c ADDRESS   unix:PATH or tcp:HOST:PORT (default: the first listen address in conf/io.fastpool.transport.cfg)
              -X METHOD    the HTTP method (default GET, or POST with -d)
              -H HEADER    a request header, 'Name: value'; may be repeated
              -d BODY      a request body
              -i           print the CGI headers too, as sent (a Status header for anything but 200)
              PATH         the request path and query, such as /hello?name=you
            """;

    private RequestCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, Path.of(System.getProperty("fastpool.home", ".")), System.out, System.err));
    }

    static int run(String[] args, Path home, PrintStream out, PrintStream err) {
        String address = null;
        String method = null;
        String body = null;
        String path = null;
        boolean includeHeaders = false;
        List<String[]> headers = new ArrayList<>();
        ListenAddress target;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "-c" -> address = value(args, ++i, arg);
                    case "-X" -> method = value(args, ++i, arg).toUpperCase(Locale.ROOT);
                    case "-d" -> body = value(args, ++i, arg);
                    case "-i" -> includeHeaders = true;
                    case "-H" -> {
                        String header = value(args, ++i, arg);
                        int colon = header.indexOf(':');
                        if (colon <= 0) {
                            throw new IllegalArgumentException("-H '" + header + "' is not 'Name: value'");
                        }
                        headers.add(new String[] {header.substring(0, colon).trim(), header.substring(colon + 1).trim()});
                    }
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> {
                        if (arg.startsWith("-") || path != null) {
                            throw new IllegalArgumentException("unexpected argument '" + arg + "'");
                        }
                        path = arg;
                    }
                }
            }
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException(path == null ? "no PATH given" : "PATH must start with '/', was '" + path + "'");
            }
            if (address == null) {
                String first = defaultAddress(home);
                try {
                    target = ListenAddress.parseConnectable(first, home);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("the first address in conf/io.fastpool.transport.cfg: " + e.getMessage()
                            + (refusedByTheServer(first, home) ? " (the server refuses it too: fastpool:config io.fastpool.transport)" : "")
                            + "; give one with -c");
                }
            } else {
                target = ListenAddress.parseConnectable(address, home);
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("fastpool request: " + e.getMessage() + "; see bin/fastpool request --help");
            return 2;
        }
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String verb = method != null ? method : body != null ? "POST" : "GET";
        try (SocketChannel channel = SocketChannel.open(target.socketAddress())) {
            write(channel, request(verb, path, headers, content));
            Response response = read(channel);
            String text = response.stdout.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String statusLine = statusLine(head);
            out.print(includeHeaders || split < 0 ? text : text.substring(split + 4));
            out.flush();
            if (response.stderr.size() > 0) {
                err.print(response.stderr.toString(StandardCharsets.UTF_8));
            }
            if (response.protocolStatus != FcgiProtocolStatus.REQUEST_COMPLETE) {
                err.println("fastpool request: the server refused the request: " + response.protocolStatus);
                return 3;
            }
            int status = statusLine == null ? 200 : Integer.parseInt(statusLine.substring(0, 3));
            return status >= 400 ? 1 : 0;
        } catch (IOException | FcgiProtocolException | NumberFormatException e) {
            err.println("fastpool request: " + target.text() + ": " + e.getMessage() + "; is Fastpool running (bin/fastpool)?");
            return 3;
        }
    }

    /** The value of the CGI answer's {@code Status} header ("404 Not Found"), or null when it has none. */
    static String statusLine(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Status")) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    /** The first {@code listen} entry of conf/io.fastpool.transport.cfg, else the shipped default. */
    static String defaultAddress(Path home) throws IOException {
        Path cfg = home.resolve("conf/io.fastpool.transport.cfg");
        if (Files.exists(cfg)) {
            Properties properties = new Properties();
            try (var in = Files.newBufferedReader(cfg)) {
                properties.load(in);
            }
            String listen = properties.getProperty("listen");
            if (listen != null && !listen.isBlank()) {
                return listen.split(",")[0].trim();
            }
        }
        return "unix:run/fastpool.sock";
    }

    /** Whether the transport refuses {@code address} too, as opposed to one only a client cannot use (port 0). */
    private static boolean refusedByTheServer(String address, Path home) {
        try {
            ListenAddress.parse(address, home);
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private static ByteBuf request(String method, String uri, List<String[]> headers, byte[] body) {
        CgiParams params = CgiParams.request(method, uri).set("SERVER_SOFTWARE", "fastpool-request");
        if (body.length > 0) {
            params.header("Content-Length", Integer.toString(body.length));
        }
        for (String[] header : headers) {
            params.header(header[0], header[1]);
        }
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, false);
        FcgiEncoder.writeParams(out, 1, params.list());
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
        FcgiEncoder.writeStream(out, FcgiRecordType.STDIN, 1, Unpooled.wrappedBuffer(body));
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDIN, 1);
        return out;
    }

    private static void write(SocketChannel channel, ByteBuf bytes) throws IOException {
        ByteBuffer buffer = bytes.nioBuffer();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static Response read(SocketChannel channel) throws IOException {
        Response response = new Response();
        FcgiDecoder decoder = new FcgiDecoder(FcgiLimits.DEFAULTS, response);
        ByteBuf received = Unpooled.buffer();
        ByteBuffer chunk = ByteBuffer.allocate(65536);
        while (response.protocolStatus == null) {
            chunk.clear();
            if (channel.read(chunk) < 0) {
                throw new IOException("the connection closed before the response ended");
            }
            chunk.flip();
            received.writeBytes(chunk);
            decoder.decode(received);
            received.discardReadBytes();
        }
        return response;
    }

    /** Collects one response. */
    private static final class Response implements FcgiRecordListener {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        FcgiProtocolStatus protocolStatus;

        @Override
        public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
            byte[] bytes = new byte[content.readableBytes()];
            content.getBytes(content.readerIndex(), bytes);
            (stream == FcgiRecordType.STDERR ? stderr : stdout).writeBytes(bytes);
        }

        @Override
        public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus status) {
            protocolStatus = status;
        }

        @Override
        public void onRequestError(int requestId, FcgiProtocolException error) {
            throw error;
        }
    }
}
