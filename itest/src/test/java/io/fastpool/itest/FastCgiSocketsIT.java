package io.fastpool.itest;

import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.RetainedHeap;
import io.fastpool.itest.support.WebServerProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.fcgi.client.transport.HttpClientTransportOverFCGI;
import org.eclipse.jetty.io.Transport;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The transport and the listener in a real Felix, reached over real TCP and unix sockets by an
 * independent FastCGI client (Jetty's) and by a byte-level one.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FastCgiSocketsIT {

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    static Path socket;
    static int port;
    HttpClient jetty;

    /** The platform with the test app, and Jetty's client as bundles inside the framework, where the tests run. */
    @Configuration
    public Option[] platform() throws IOException {
        Path socket = PlatformOptions.workFolder("sockets-it").resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        return new Option[] {PlatformOptions.withTestApp(socket, port), jettyClientBundles(),
            systemProperty("sockets-it.socket").value(socket.toString()),
            systemProperty("sockets-it.port").value(Integer.toString(port))};
    }

    private static Option jettyClientBundles() {
        Stream<Option> core = Stream.of("jetty-client", "jetty-http", "jetty-io", "jetty-util", "jetty-alpn-client")
                .map(artifact -> mavenBundle("org.eclipse.jetty", artifact).versionAsInProject());
        Stream<Option> more = Stream.of(
                mavenBundle("org.eclipse.jetty.compression", "jetty-compression-common").versionAsInProject(),
                mavenBundle("org.eclipse.jetty.compression", "jetty-compression-gzip").versionAsInProject(),
                mavenBundle("org.eclipse.jetty.fcgi", "jetty-fcgi-client").versionAsInProject());
        return composite(Stream.concat(core, more).toArray(Option[]::new));
    }

    /** One platform for the class; a Jetty client per test. */
    @Before
    public void startJetty() throws Exception {
        socket = Path.of(System.getProperty("sockets-it.socket"));
        port = Integer.getInteger("sockets-it.port");
        await(Duration.ofSeconds(10), "the unix socket " + socket, () -> Files.exists(socket));
        jetty = new HttpClient(new HttpClientTransportOverFCGI(1, "/"));
        jetty.setMaxConnectionsPerDestination(8);
        jetty.start();
    }

    @After
    public void stopJetty() throws Exception {
        try {
            jetty.stop();
        } finally {
            OsgiNettyLeaks.assertNone();
        }
    }

    private static String tcp(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    public void jettysFastCgiClientGetsAnAnswerOverTcp() throws Exception {
        ContentResponse response = jetty.newRequest(tcp("/hello")).timeout(10, TimeUnit.SECONDS).send();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).isEqualTo("Hello, world!");
        assertThat(response.getHeaders().get("Content-Type")).isEqualTo("text/plain");
    }

    @Test
    public void jettysFastCgiClientGetsAnAnswerOverTheUnixSocket() throws Exception {
        ContentResponse response = jetty.newRequest("http://localhost/hello").transport(new Transport.TCPUnix(socket))
                .timeout(10, TimeUnit.SECONDS).send();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).isEqualTo("Hello, world!");
    }

    @Test
    public void theUnixSocketFileIsOwnerAndGroupReadWriteOnly() throws Exception {
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                .isEqualTo("rw-rw----");
    }

    @Test
    public void aPostedBodyReachesTheHandlerWholeWithItsHeaders() throws Exception {
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
    public void anUnmountedPathIsA404() throws Exception {
        ContentResponse response = jetty.newRequest(tcp("/nothing-here")).timeout(10, TimeUnit.SECONDS).send();
        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getContentAsString()).startsWith("404 Not Found");
    }

    @Test
    public void oneKeptConnectionServesAThousandRequests() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            for (int i = 0; i < 1000; i++) {
                RawFcgiClient.Response response = client.get(1, true, "/hello");
                assertThat(response.body()).isEqualTo("Hello, world!");
                assertThat(response.status).isEqualTo(FcgiProtocolStatus.REQUEST_COMPLETE);
            }
        }
    }

    @Test
    public void withoutKeepConnTheServerClosesAfterTheResponse() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.tcp(port)) {
            assertThat(client.get(1, false, "/hello").body()).isEqualTo("Hello, world!");
            assertThat(client.closedByServerWithin(5000)).isTrue();
        }
    }

    @Test
    public void multiplexedRequestsOnOneConnectionAllComeBack() throws Exception {
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
    public void getValuesIsAnsweredFromTheConfiguredLimits() throws Exception {
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
    public void aHundredMebibyteResponseStreamsWithBoundedHeap() throws Exception {
        long size = 100L * 1024 * 1024;
        try (RetainedHeap heap = RetainedHeap.start(); RawFcgiClient client = RawFcgiClient.unix(socket)) {
            long stdout = client.drain(1, "/big?bytes=" + size);
            assertThat(stdout).as("STDOUT bytes: CGI headers and the body").isGreaterThan(size).isLessThan(size + 200);
            assertThat(heap.peakAboveBaseline()).as("retained heap during a 100 MiB response").isLessThan(48L * 1024 * 1024);
        }
    }

    @Test
    public void aGibibyteUploadPassesWithBoundedHeap() throws Exception {
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
