package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.itest.support.JulNettyLeaks;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.RetainedHeap;
import io.fastpool.itest.support.WebServerProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.fcgi.client.transport.HttpClientTransportOverFCGI;
import org.eclipse.jetty.io.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport and the listener in a real Felix, reached over real TCP and unix sockets by an
 * independent FastCGI client (Jetty's) and by a byte-level one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FastCgiSocketsIT {

    static Path work;
    static Path socket;
    static int port;
    static Platform platform;
    static HttpClient jetty;

    @BeforeAll
    static void startPlatform() throws Exception {
        work = Files.createTempDirectory(Path.of("target"), "sockets-it").toAbsolutePath();
        socket = work.resolve("run/fastpool.sock");
        port = WebServerProcess.freePort();
        platform = Platform.withTestApp(work, socket, port, Map.of());
        jetty = new HttpClient(new HttpClientTransportOverFCGI(1, "/"));
        jetty.setMaxConnectionsPerDestination(8);
        jetty.start();
    }

    @AfterAll
    static void stopPlatform() throws Exception {
        if (platform != null) {
            JulNettyLeaks.assertNoneAfterHello(socket);
        }
        if (jetty != null) {
            jetty.stop();
        }
        if (platform != null) {
            platform.close();
        }
    }

    private static String tcp(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    void jettysFastCgiClientGetsAnAnswerOverTcp() throws Exception {
        ContentResponse response = jetty.newRequest(tcp("/hello")).timeout(10, TimeUnit.SECONDS).send();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).isEqualTo("Hello, world!");
        assertThat(response.getHeaders().get("Content-Type")).isEqualTo("text/plain");
    }

    @Test
    void jettysFastCgiClientGetsAnAnswerOverTheUnixSocket() throws Exception {
        ContentResponse response = jetty.newRequest("http://localhost/hello").transport(new Transport.TCPUnix(socket))
                .timeout(10, TimeUnit.SECONDS).send();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).isEqualTo("Hello, world!");
    }

    @Test
    void theUnixSocketFileIsOwnerAndGroupReadWriteOnly() throws Exception {
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                .isEqualTo("rw-rw----");
    }

    @Test
    void aPostedBodyReachesTheHandlerWholeWithItsHeaders() throws Exception {
        byte[] body = new byte[1024 * 1024 + 17];
        new java.util.Random(7).nextBytes(body);
        ContentResponse response = jetty.POST(tcp("/echo/x?a=1&b=two")).headers(h -> h.put("X-Trace", "abc"))
                .body(new BytesRequestContent("application/octet-stream", body)).timeout(30, TimeUnit.SECONDS).send();
        String text = response.getContentAsString();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getHeaders().get("X-Echo")).isEqualTo("1");
        assertThat(text).contains("method: POST\n", "path: /echo/x\n", "context: /echo\n", "query: a=1&b=two\n",
                "content-length: " + body.length + "\n", "body-length: " + body.length + "\n",
                "body-sha256: " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)) + "\n",
                "header X-Trace: abc\n", "header Content-Type: application/octet-stream\n");
    }

    @Test
    void anUnmountedPathIsA404() throws Exception {
        ContentResponse response = jetty.newRequest(tcp("/nothing-here")).timeout(10, TimeUnit.SECONDS).send();
        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getContentAsString()).startsWith("404 Not Found");
    }

    @Test
    void oneKeptConnectionServesAThousandRequests() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            for (int i = 0; i < 1000; i++) {
                RawFcgiClient.Response response = client.get(1, true, "/hello");
                assertThat(response.body()).isEqualTo("Hello, world!");
                assertThat(response.status).isEqualTo(FcgiProtocolStatus.REQUEST_COMPLETE);
            }
        }
    }

    @Test
    void withoutKeepConnTheServerClosesAfterTheResponse() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.tcp(port)) {
            assertThat(client.get(1, false, "/hello").body()).isEqualTo("Hello, world!");
            assertThat(client.closedByServerWithin(5000)).isTrue();
        }
    }

    @Test
    void multiplexedRequestsOnOneConnectionAllComeBack() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.tcp(port)) {
            for (int id = 1; id <= 20; id++) {
                client.send(RawFcgiClient.requestBytes(id, true,
                        RawFcgiClient.params("GET", "/slow?ms=" + (20 * (21 - id))), new byte[0]));
            }
            for (int id = 1; id <= 20; id++) {
                assertThat(client.await(id).body()).isEqualTo("slept\n");
            }
        }
    }

    @Test
    void getValuesIsAnsweredFromTheConfiguredLimits() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.tcp(port)) {
            ByteBuf out = Unpooled.buffer();
            FcgiEncoder.writeGetValues(out, List.of(Fcgi.MAX_CONNS, Fcgi.MAX_REQS, Fcgi.MPXS_CONNS));
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            client.send(bytes);
            assertThat(client.awaitValues()).containsEntry(Fcgi.MAX_CONNS, "10000").containsEntry(Fcgi.MPXS_CONNS, "1")
                    .containsEntry(Fcgi.MAX_REQS, "128"); // per connection: maxRequestsPerConnection
        }
    }

    @Test
    void aHundredMebibyteResponseStreamsWithBoundedHeap() throws Exception {
        long size = 100L * 1024 * 1024;
        try (RetainedHeap heap = RetainedHeap.start(); RawFcgiClient client = RawFcgiClient.unix(socket)) {
            long stdout = client.drain(1, "/big?bytes=" + size);
            assertThat(stdout).as("STDOUT bytes: CGI headers and the body").isGreaterThan(size).isLessThan(size + 200);
            assertThat(heap.peakAboveBaseline()).as("retained heap during a 100 MiB response").isLessThan(48L * 1024 * 1024);
        }
    }

    @Test
    void aGibibyteUploadPassesWithBoundedHeap() throws Exception {
        long size = 1024L * 1024 * 1024;
        InputStream generated = new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 'u' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'u');
                left -= n;
                return n;
            }
        };
        try (RetainedHeap heap = RetainedHeap.start()) {
            ContentResponse response = jetty.POST(tcp("/upload")).headers(h -> h.put("Content-Length", Long.toString(size)))
                    .body(new InputStreamRequestContent("application/octet-stream", generated, 65536))
                    .timeout(90, TimeUnit.SECONDS).send();
            assertThat(response.getContentAsString()).isEqualTo("received " + size + "\n");
            assertThat(heap.peakAboveBaseline()).as("retained heap during a 1 GiB upload").isLessThan(64L * 1024 * 1024);
        }
    }
}
