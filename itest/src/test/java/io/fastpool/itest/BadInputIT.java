package io.fastpool.itest;

import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.fastpool.itest.apps.TestApps;
import io.fastpool.itest.support.ConnectionHolder;
import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.itest.support.RetainedHeap;
import io.fastpool.itest.support.WebServerProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.cm.ConfigurationAdminOptions;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Bad input at the socket, as a hostile or broken peer sends it: each gets a clear error and closes
 * at most its request or its connection; other connections keep being served; nothing leaks, and
 * memory stays bounded.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BadInputIT {

    static final int PARAMS_TIMEOUT_SECONDS = 5;
    static final int MAX_CONNECTIONS = 5000;

    @Rule
    public final Timeout timeout = Timeout.seconds(180);

    static Path work;
    static Path socket;
    static int port;
    RawFcgiClient bystander;

    @Configuration
    public Option[] platform() throws IOException {
        Path work = PlatformOptions.workFolder("bad-input-it");
        Path socket = work.resolve("run/fastpool.sock");
        int port = WebServerProcess.freePort();
        return new Option[] {
            PlatformOptions.platform(
                    PlatformOptions.transportOn(socket, port).put("recordTimeoutSeconds", (long) PARAMS_TIMEOUT_SECONDS)
                            .put("maxConnections", MAX_CONNECTIONS),
                    // A request's PARAMS time-out is the listener's; a record's, the transport's: both short here.
                    ConfigurationAdminOptions.newConfiguration("io.fastpool.listener").put("paramsTimeoutSeconds", (long) PARAMS_TIMEOUT_SECONDS)),
            PlatformOptions.testBundle(TestApps.testApp()),
            systemProperty("bad-input-it.work").value(work.toString()),
            systemProperty("bad-input-it.port").value(Integer.toString(port))};
    }

    /** One platform for the class; each test has a bystander connection of its own, kept open through its hostile input. */
    @Before
    public void openBystander() throws IOException {
        work = Path.of(System.getProperty("bad-input-it.work"));
        socket = work.resolve("run/fastpool.sock");
        port = Integer.getInteger("bad-input-it.port");
        await(Duration.ofSeconds(10), "the unix socket " + socket, () -> Files.exists(socket));
        bystander = RawFcgiClient.unix(socket);
    }

    @After
    public void closeBystander() throws IOException {
        try {
            OsgiNettyLeaks.assertNone();
        } finally {
            bystander.close();
        }
    }

    private void assertBystanderServed() throws IOException {
        assertThat(bystander.get(1, true, "/hello").body()).isEqualTo("Hello, world!");
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
    }

    private static byte[] bytes(java.util.function.Consumer<ByteBuf> writer) {
        return RawFcgiClient.bytes(writer);
    }

    @Test
    public void recordsThatBreakTheFramingCloseTheirConnectionAndNoOther() throws Exception {
        Map<String, byte[]> breakers = new LinkedHashMap<>();
        breakers.put("version 2", hex("02 01 0001 0008 00 00 | 0001 01 0000000000"));
        breakers.put("application record with request id 0", hex("01 05 0000 0000 00 00"));
        breakers.put("management record with a request id", hex("01 09 0001 0000 00 00"));
        breakers.put("BEGIN_REQUEST body of 7 bytes", hex("01 01 0001 0007 01 00 | 00010100000000 00"));
        breakers.put("END_REQUEST from the web server", hex("01 03 0001 0008 00 00 | 0000000000000000"));
        breakers.put("STDOUT from the web server", hex("01 06 0001 0001 07 00 | 78 00000000000000"));
        breakers.put("BEGIN_REQUEST for an id in flight", hex("01 01 0001 0008 00 00 | 0001 01 0000000000"
                + "01 01 0001 0008 00 00 | 0001 01 0000000000"));
        breakers.put("GET_VALUES pair running past its record", hex("01 09 0000 0004 04 00 | 05 00 4142 00000000"));
        for (Map.Entry<String, byte[]> breaker : breakers.entrySet()) {
            try (RawFcgiClient client = RawFcgiClient.tcp(port)) {
                client.send(breaker.getValue());
                assertThat(client.closedByServerWithin(3000)).as(breaker.getKey()).isTrue();
            }
            assertBystanderServed();
        }
    }

    @Test
    public void requestsThatBreakARuleAreAnsweredAndTheirConnectionLives() throws Exception {
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(hex("01 01 0001 0008 00 00 | 0009 01 0000000000"));
            assertThat(client.await(1).status).as("role 9").isEqualTo(FcgiProtocolStatus.UNKNOWN_ROLE);

            client.send(RawFcgiClient.requestBytes(2, true,
                    RawFcgiClient.params("GET", "/hello", "HTTP_COOKIE", "c".repeat(70_000)), new byte[0]));
            assertThat(client.await(2).httpStatus()).as("a 70,000-byte header").isEqualTo("431 Request Header Fields Too Large");

            client.send(bytes(out -> {
                FcgiEncoder.writeBeginRequest(out, 3, FcgiRole.RESPONDER, true);
                FcgiEncoder.writeRecord(out, FcgiRecordType.PARAMS.code(), 3, Unpooled.wrappedBuffer(hex("01 0A 4E 616263")), 2);
                FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 3);
            }));
            assertThat(client.await(3).httpStatus()).as("a pair running past its stream").isEqualTo("400 Bad Request");

            assertThat(client.get(4, true, "/a/../../etc/passwd").httpStatus()).as("a path above the root").isEqualTo("400 Bad Request");
            assertThat(client.get(5, true, "/hello").body()).isEqualTo("Hello, world!");
        }
    }

    @Test
    public void tenThousandRequestsOpenedOnOneConnectionAreRefusedPastTheLimitWithBoundedMemory() throws Exception {
        try (RetainedHeap heap = RetainedHeap.start(); RawFcgiClient client = RawFcgiClient.tcp(port)) {
            byte[] begins = bytes(out -> {
                for (int id = 1; id <= 10_000; id++) {
                    FcgiEncoder.writeBeginRequest(out, id, FcgiRole.RESPONDER, true);
                }
            });
            client.send(begins);
            int overloaded = 0;
            for (int id = 129; id <= 10_000; id++) {
                if (client.await(id).status == FcgiProtocolStatus.OVERLOADED) {
                    overloaded++;
                }
            }
            assertThat(overloaded).as("requests past maxRequestsPerConnection (128)").isEqualTo(10_000 - 128);
            // The 128 it took never finish their PARAMS: the connection is cut off.
            assertThat(client.closedByServerWithin((PARAMS_TIMEOUT_SECONDS + 3) * 1000L)).isTrue();
            System.out.printf("10,000 unfinished requests on one connection: retained heap peak +%,d bytes%n", heap.peakAboveBaseline());
            assertThat(heap.peakAboveBaseline()).isLessThan(16L * 1024 * 1024);
        }
        assertBystanderServed();
    }

    @Test
    public void tenThousandConnectionsWithUnfinishedRequestsAreBoundedByTheLimitsAndCutOff() throws Exception {
        byte[] unfinished = bytes(out -> {
            FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true);
            FcgiEncoder.writeParams(out, 1, RawFcgiClient.params("GET", "/hello"));
        });
        long peak;
        int closedByServer;
        try (RetainedHeap heap = RetainedHeap.start();
             ConnectionHolder holder = ConnectionHolder.open(socket, 10_000, unfinished, false, work)) {
            Thread.sleep(1000);
            peak = heap.peakAboveBaseline();
            assertBystanderServed();
            Thread.sleep((PARAMS_TIMEOUT_SECONDS + 3) * 1000L);
            closedByServer = holder.release();
        }
        System.out.printf("10,000 connections with unfinished requests (maxConnections %d): retained heap peak +%,d bytes%n",
                MAX_CONNECTIONS, peak);
        assertThat(closedByServer).as("connections refused by maxConnections or cut off by paramsTimeout").isEqualTo(10_000);
        assertThat(peak).isLessThan(64L * 1024 * 1024);
        assertBystanderServed();
    }

    @Test
    public void aClientSendingOneByteASecondIsCutOffWhileOthersAreServed() throws Exception {
        byte[] request = RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/hello"), new byte[0]);
        try (RawFcgiClient slow = RawFcgiClient.tcp(port)) {
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < request.length && !closed; i++) {
                try {
                    slow.send(new byte[] {request[i]});
                } catch (IOException reset) {
                    closed = true;
                    break;
                }
                assertBystanderServed();
                closed = slow.closedByServerWithin(1000);
            }
            assertThat(closed).as("cut off before the request was complete").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(
                    Duration.ofSeconds(PARAMS_TIMEOUT_SECONDS - 1), Duration.ofSeconds(PARAMS_TIMEOUT_SECONDS + 4));
        }
    }

    @Test
    public void closingAtEveryStageOfARequestLeavesTheServerServing() throws Exception {
        byte[] body = new byte[200];
        byte[] request = RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("POST", "/echo", "CONTENT_LENGTH", "200"), body);
        for (int cut = 0; cut < request.length; cut++) {
            try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                client.send(java.util.Arrays.copyOf(request, cut));
            }
        }
        // Mid-response: a streamed answer the client walks away from.
        for (int i = 0; i < 20; i++) {
            try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                client.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/drip?lines=50"), new byte[0]));
                Thread.sleep(60);
            }
        }
        assertBystanderServed();
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            client.send(request);
            assertThat(client.await(1).body()).contains("body-length: 200\n");
        }
    }

    @Test
    public void afterAHundredThousandConnectionsTheOpenFileCountIsBackWhereItStarted() throws Exception {
        byte[] request = RawFcgiClient.requestBytes(1, false, RawFcgiClient.params("GET", "/hello"), new byte[0]);
        runConnections(2_000, request);
        long before = openFiles();
        long start = System.nanoTime();
        runConnections(100_000, request);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("100,000 connections (one request each, keep-conn off, unix socket) in %.1f s: %,.0f connections/s%n",
                seconds, 100_000 / seconds);
        // Back to where it started within 10 s (or lower, when a file opened by earlier work closed
        // meanwhile): nothing leaked. The count the wait saw is the figure; a look after it could
        // catch a file the server has open for a moment (a jar a class is loaded from), as it did once.
        AtomicLong after = new AtomicLong();
        await(Duration.ofSeconds(10), "the open file count to come back to " + before, () -> {
            after.set(openFiles());
            return after.get() <= before;
        });
        System.out.printf("open files before %d, after 100,000 connections %d%n", before, after.get());
        assertThat(after.get()).isLessThanOrEqualTo(before);
    }

    private static void runConnections(int count, byte[] request) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(clients.submit(() -> {
                    for (int i = 0; i < count / 8; i++) {
                        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                            client.send(request);
                            if (!client.await(1).body().equals("Hello, world!")) {
                                throw new AssertionError("wrong answer");
                            }
                            if (!client.closedByServerWithin(5000)) {
                                throw new AssertionError("the server kept a connection without keep-conn");
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static long openFiles() {
        String[] entries = new File("/proc/self/fd").list();
        return entries == null ? -1 : entries.length;
    }
}
