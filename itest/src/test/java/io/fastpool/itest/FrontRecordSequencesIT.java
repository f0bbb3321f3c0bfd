package io.fastpool.itest;

import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.WebServerProcess;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * The record sequences fronts other than nginx send, written as bytes over real sockets: Caddy and
 * lighttpd send BEGIN_REQUEST without FCGI_KEEP_CONN, PARAMS, the empty PARAMS and then STDIN, each
 * in a write of its own; a request answered before its body is read must not lose the front's
 * writes of that body (the connection closed at once, so Caddy's next write failed with a broken
 * pipe and it answered 502). A front that half-closes with an incomplete request is closed at once;
 * with a complete one it is answered, then closed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FrontRecordSequencesIT {

    static final int BODY = 1024 * 1024;

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    static Path socket;
    static int port;

    @Configuration
    public Option[] platform() throws IOException {
        Path socket = PlatformOptions.workFolder("front-sequences-it").resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        return new Option[] {PlatformOptions.withTestApp(socket, port),
            systemProperty("front-sequences-it.socket").value(socket.toString()),
            systemProperty("front-sequences-it.port").value(Integer.toString(port))};
    }

    @Before
    public void start() {
        socket = Path.of(System.getProperty("front-sequences-it.socket"));
        port = Integer.getInteger("front-sequences-it.port");
        await(Duration.ofSeconds(10), "the unix socket " + socket, () -> Files.exists(socket));
    }

    @After
    public void checkLeaks() {
        OsgiNettyLeaks.assertNone();
    }

    @Test
    public void aPostAnsweredBeforeItsBodyKeepsEveryWriteOfTheBodyOverUnixAndTcp() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (RawFcgiClient client = i % 2 == 0 ? RawFcgiClient.unix(socket) : RawFcgiClient.tcp(port)) {
                client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, false)));
                client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeParams(out, 1, RawFcgiClient.params("POST", "/nowhere",
                        "CONTENT_LENGTH", Integer.toString(BODY), "CONTENT_TYPE", "application/octet-stream"))));
                client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1)));
                // Fastpool's router answers 404 now, before any of the body: read the answer, as Caddy does.
                // Its END_REQUEST waits for the end of the STDIN (HAProxy stops forwarding a body after it).
                RawFcgiClient.Response answer = client.awaitAnswer(1);
                assertThat(answer.httpStatus()).isEqualTo("404 Not Found");
                assertThat(answer.status).isNull();
                // Then the body, in records of its own, as Caddy writes it: every write succeeds (no reset, no broken pipe).
                byte[] chunk = new byte[60_000];
                for (int sent = 0; sent < BODY; sent += chunk.length) {
                    int length = Math.min(chunk.length, BODY - sent);
                    client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeStream(out, FcgiRecordType.STDIN, 1, Unpooled.wrappedBuffer(chunk, 0, length))));
                }
                client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDIN, 1)));
                assertThat(client.await(1).status).isEqualTo(FcgiProtocolStatus.REQUEST_COMPLETE);
                client.shutdownOutput();
                assertThat(client.endOfStreamWithin(5_000)).as("the server closes in order once the front is done").isTrue();
            }
        }
    }

    @Test
    public void lighttpdsWholeRequestInOneWriteToAnAppThatNeverReadsTheBodyIsAnswered() throws Exception {
        for (int i = 0; i < 10; i++) {
            try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                client.send(RawFcgiClient.requestBytes(1, false, RawFcgiClient.params("POST", "/hello", "CONTENT_LENGTH",
                        Integer.toString(BODY)), new byte[BODY]));
                assertThat(client.await(1).body()).isEqualTo("Hello, world!");
                assertThat(client.endOfStreamWithin(5_000)).isTrue();
            }
        }
    }

    @Test
    public void aFrontThatHalfClosesWithAnIncompleteRequestIsClosedAtOnce() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true)));
            client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeParams(out, 1, RawFcgiClient.params("GET", "/hello"))));
            long started = System.nanoTime();
            client.shutdownOutput();
            // paramsTimeoutSeconds is 30: closing at once, not after it, is the point.
            assertThat(client.closedByServerWithin(3_000)).isTrue();
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3_000);
        }
        try (RawFcgiClient client = RawFcgiClient.tcp(port)) {
            client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true)));
            client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeParams(out, 1, RawFcgiClient.params("POST", "/hello", "CONTENT_LENGTH", "100"))));
            client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1)));
            client.send(RawFcgiClient.bytes(out -> FcgiEncoder.writeStream(out, FcgiRecordType.STDIN, 1, Unpooled.wrappedBuffer(new byte[10]))));
            client.shutdownOutput();
            assertThat(client.closedByServerWithin(3_000)).as("a body that can no longer arrive").isTrue();
        }
    }

    @Test
    public void aFrontThatHalfClosesAfterAWholeRequestIsAnsweredThenClosed() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/hello"), new byte[0]));
            client.shutdownOutput();
            assertThat(client.await(1).body()).isEqualTo("Hello, world!");
            assertThat(client.endOfStreamWithin(3_000)).as("closed after the answer although FCGI_KEEP_CONN was set").isTrue();
        }
    }
}
