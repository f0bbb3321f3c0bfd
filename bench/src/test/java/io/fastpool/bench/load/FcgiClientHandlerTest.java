package io.fastpool.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FcgiClientHandlerTest {

    private RequestTemplate template;
    private EmbeddedChannel channel;
    private final RecordingEvents events = new RecordingEvents();

    @AfterEach
    void releaseEverything() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        if (template != null) {
            template.close();
        }
    }

    @Test
    void sendsThePreEncodedRequestWhenTheConnectionOpens() {
        open(1, Duration.ofSeconds(10));

        ByteBuf written = channel.readOutbound();
        try {
            assertThat(written.readableBytes()).isEqualTo(template.requestBytes());
            assertThat((int) written.getUnsignedByte(1)).isEqualTo(FcgiRecordType.BEGIN_REQUEST.code());
            assertThat(written.getUnsignedShort(2)).isEqualTo(1);
        } finally {
            written.release();
        }
    }

    @Test
    void aResponseWithoutStatusHeaderIs200() {
        open(1, Duration.ofSeconds(10));

        channel.writeInbound(response(1, FcgiProtocolStatus.REQUEST_COMPLETE, "Content-type: text/html\r\n\r\nHello"));

        assertThat(events.responses).containsExactly(new Response(1, FcgiProtocolStatus.REQUEST_COMPLETE, 200, false));
        assertThat(events.failures).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @ParameterizedTest(name = "{1} from {0}")
    @CsvSource(delimiter = '|', textBlock = """
            Status: 404 Not Found\\r\\nContent-type: text/html\\r\\n\\r\\nmissing | 404
            Content-type: text/html\\r\\nStatus: 503 Busy\\r\\n\\r\\n           | 503
            status:302\\nLocation: /elsewhere\\n\\n                               | 302
            STATUS:   500\\r\\n\\r\\n                                              | 500
            Status: 201                                                           | 201
            X-Status: 500\\r\\nContent-type: text/plain\\r\\n\\r\\nok                | 200
            Statuses: 500\\r\\n\\r\\n                                              | 200
            Content-type: text/plain\\r\\n\\r\\nStatus: 500                         | 200
            \\r\\nStatus: 500\\r\\n                                                 | 200
            Status: 5000\\r\\n\\r\\n                                               | 200
            Status: 50\\r\\n\\r\\n                                                 | 200
            Status: abc\\r\\n\\r\\n                                                | 200
            """)
    void theHttpStatusComesFromTheStatusHeaderOnly(String head, int expected) {
        open(1, Duration.ofSeconds(10));

        channel.writeInbound(response(1, FcgiProtocolStatus.REQUEST_COMPLETE, unescape(head)));

        assertThat(events.responses).extracting(Response::httpStatus).containsExactly(expected);
    }

    @Test
    void aStatusHeaderSplitAcrossStdoutRecordsIsFound() {
        open(1, Duration.ofSeconds(10));

        channel.writeInbound(response(1, FcgiProtocolStatus.REQUEST_COMPLETE, "X-A: 1\r", "\nSta", "tUs: 4", "04 Not Found\r\n\r\n"));

        assertThat(events.responses).extracting(Response::httpStatus).containsExactly(404);
    }

    @Test
    void bytesArrivingOneAtATimeGiveTheSameResponse() {
        open(1, Duration.ofSeconds(10));
        ByteBuf whole = response(1, FcgiProtocolStatus.REQUEST_COMPLETE, "Status: 502 Bad Gateway\r\n\r\n", "oops");
        int total = whole.readableBytes();

        try {
            while (whole.isReadable()) {
                channel.writeInbound(whole.readRetainedSlice(1));
            }
        } finally {
            whole.release();
        }

        assertThat(events.responses).containsExactly(new Response(1, FcgiProtocolStatus.REQUEST_COMPLETE, 502, false));
        assertThat(events.bytes).isEqualTo(total);
    }

    @Test
    void stderrIsNotedAndTheStatusStillRead() {
        open(1, Duration.ofSeconds(10));
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer();
        writeStream(in, FcgiRecordType.STDERR, 1, "Primary script unknown");
        FcgiEncoder.writeStreamEnd(in, FcgiRecordType.STDERR, 1);
        writeStream(in, FcgiRecordType.STDOUT, 1, "Status: 404 Not Found\r\n\r\nFile not found.\n");
        FcgiEncoder.writeStreamEnd(in, FcgiRecordType.STDOUT, 1);
        FcgiEncoder.writeEndRequest(in, 1, 0, FcgiProtocolStatus.REQUEST_COMPLETE);

        channel.writeInbound(in);

        assertThat(events.responses).containsExactly(new Response(1, FcgiProtocolStatus.REQUEST_COMPLETE, 404, true));
    }

    @Test
    void aProtocolStatusOtherThanCompleteIsPassedOn() {
        open(1, Duration.ofSeconds(10));

        channel.writeInbound(response(1, FcgiProtocolStatus.OVERLOADED));

        assertThat(events.responses).containsExactly(new Response(1, FcgiProtocolStatus.OVERLOADED, 200, false));
        assertThat(ErrorKind.ofResponse(FcgiProtocolStatus.OVERLOADED, 200)).isEqualTo(ErrorKind.OVERLOADED);
    }

    @Test
    void multiplexedResponsesMayInterleave() {
        open(2, Duration.ofSeconds(10));
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer();
        writeStream(in, FcgiRecordType.STDOUT, 2, "Status: 500\r\n");
        writeStream(in, FcgiRecordType.STDOUT, 1, "Status: 404\r\n");
        writeStream(in, FcgiRecordType.STDOUT, 2, "\r\nbody");
        FcgiEncoder.writeStreamEnd(in, FcgiRecordType.STDOUT, 1);
        FcgiEncoder.writeEndRequest(in, 1, 0, FcgiProtocolStatus.REQUEST_COMPLETE);
        FcgiEncoder.writeStreamEnd(in, FcgiRecordType.STDOUT, 2);
        FcgiEncoder.writeEndRequest(in, 2, 0, FcgiProtocolStatus.REQUEST_COMPLETE);

        channel.writeInbound(in);

        assertThat(events.responses).containsExactly(
                new Response(1, FcgiProtocolStatus.REQUEST_COMPLETE, 404, false),
                new Response(2, FcgiProtocolStatus.REQUEST_COMPLETE, 500, false));
    }

    @Test
    void aRecordForARequestNotInFlightFailsTheConnection() {
        open(1, Duration.ofSeconds(10));

        channel.writeInbound(response(2, FcgiProtocolStatus.REQUEST_COMPLETE, "Hello"));

        assertThat(events.responses).isEmpty();
        assertThat(events.failures).containsExactly(new Failure(ErrorKind.DECODE,
                "STDOUT record for request id 2, which is not in flight"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(events.closed).isEqualTo(1);
    }

    @Test
    void brokenFramingFailsTheConnection() {
        open(1, Duration.ofSeconds(10));
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer();
        in.writeLong(0x0206_0001_0000_0000L); // version 2

        channel.writeInbound(in);

        assertThat(events.failures).extracting(Failure::kind).containsExactly(ErrorKind.DECODE);
        assertThat(events.failures.get(0).detail()).contains("version");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void theServerClosingWithARequestInFlightFailsItAsClosed() {
        open(1, Duration.ofSeconds(10));

        channel.close();

        assertThat(events.failures).containsExactly(new Failure(ErrorKind.CLOSED, "connection closed by the server"));
        assertThat(events.closed).isEqualTo(1);
    }

    @Test
    void aRequestWithoutAnswerTimesOutAndTheConnectionCloses() throws InterruptedException {
        open(1, Duration.ofMillis(20));

        Thread.sleep(60);
        channel.runPendingTasks();

        assertThat(events.failures).containsExactly(
                new Failure(ErrorKind.TIMEOUT, "no END_REQUEST within 20ms (--timeout)"));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void theIdIsFreeForTheNextRequestAfterItsResponse() {
        open(1, Duration.ofSeconds(10));
        events.sendAgain = true;

        channel.writeInbound(response(1, FcgiProtocolStatus.REQUEST_COMPLETE, "Status: 201\r\n\r\n"));
        channel.writeInbound(response(1, FcgiProtocolStatus.REQUEST_COMPLETE, "\r\n"));

        assertThat(events.responses).extracting(Response::httpStatus).containsExactly(201, 200);
        assertThat(channel.outboundMessages()).hasSize(3);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void open(int multiplex, Duration timeout) {
        LoadOptions options = LoadOptions.builder(Target.parse("tcp:127.0.0.1:9000")).multiplex(multiplex)
                .timeout(timeout).build();
        template = RequestTemplate.encode(options, PooledByteBufAllocator.DEFAULT);
        events.multiplex = multiplex;
        channel = new EmbeddedChannel(new FcgiClientHandler(template, multiplex, timeout, events));
    }

    /** STDOUT records with these contents, the empty STDOUT and END_REQUEST, in one direct buffer. */
    private static ByteBuf response(int requestId, FcgiProtocolStatus status, String... stdout) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        for (String content : stdout) {
            writeStream(out, FcgiRecordType.STDOUT, requestId, content);
        }
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDOUT, requestId);
        FcgiEncoder.writeEndRequest(out, requestId, 0, status);
        return out;
    }

    private static void writeStream(ByteBuf out, FcgiRecordType type, int requestId, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.ISO_8859_1);
        FcgiEncoder.writeHeader(out, type.code(), requestId, bytes.length, Fcgi.paddingFor(bytes.length));
        out.writeBytes(bytes);
        out.writeZero(Fcgi.paddingFor(bytes.length));
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }

    record Response(int requestId, FcgiProtocolStatus protocolStatus, int httpStatus, boolean wroteStderr) {
    }

    record Failure(ErrorKind kind, String detail) {
    }

    /** Sends request ids 1..multiplex when the connection opens; records everything else. */
    private static final class RecordingEvents implements ConnectionEvents {
        final List<Response> responses = new ArrayList<>();
        final List<Failure> failures = new ArrayList<>();
        int multiplex;
        boolean sendAgain;
        long bytes;
        int closed;

        @Override
        public void connectionActive(FcgiClientHandler connection) {
            for (int id = 1; id <= multiplex; id++) {
                connection.send(id, true, System.nanoTime());
            }
        }

        @Override
        public void responded(FcgiClientHandler connection, int requestId, boolean measured, long latencyNanos,
                FcgiProtocolStatus protocolStatus, int httpStatus, boolean wroteStderr) {
            assertThat(measured).isTrue();
            assertThat(latencyNanos).isPositive();
            responses.add(new Response(requestId, protocolStatus, httpStatus, wroteStderr));
            if (sendAgain) {
                connection.send(requestId, true, System.nanoTime());
            }
        }

        @Override
        public void failed(boolean measured, ErrorKind kind, String detail) {
            failures.add(new Failure(kind, detail));
        }

        @Override
        public void received(int count) {
            bytes += count;
        }

        @Override
        public void connectionClosed(FcgiClientHandler connection, long responseCount) {
            closed++;
        }
    }
}
