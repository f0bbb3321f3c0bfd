package io.fastpool.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadGeneratorTest {

    private static final String OK_HEAD = "Content-type: text/plain\r\n\r\n";

    @TempDir
    Path dir;

    @Test
    void aRequestCountRunMeasuresExactlyThatManyWithKeptConnections() throws Exception {
        try (FcgiTestServer server = FcgiTestServer.tcp(OK_HEAD, false)) {
            LoadResult result = LoadGenerator.run(quick(server.target()).connections(4).requests(500).build());

            assertThat(result.failed()).isFalse();
            assertThat(result.stopReason()).isEqualTo(StopReason.REQUESTS);
            assertThat(result.responses()).isEqualTo(500);
            assertThat(result.errors()).isEmpty();
            assertThat(result.silentConnections()).isZero();
            assertThat(result.latency().getTotalCount()).isEqualTo(500);
            assertThat(result.p50Nanos()).isPositive().isLessThanOrEqualTo(result.p99Nanos());
            assertThat(result.maxNanos()).isGreaterThanOrEqualTo(result.p999Nanos());
            assertThat(result.bytesReceived()).isPositive();
            assertThat(result.requestsPerSecond()).isPositive();
            assertThat(server.connections.get()).isEqualTo(4);
            assertThat(server.lastParams).containsEntry("REQUEST_METHOD", "GET");
        }
    }

    @Test
    void keepConnOffOpensAConnectionPerRequest() throws Exception {
        try (FcgiTestServer server = FcgiTestServer.tcp(OK_HEAD, false)) {
            LoadResult result = LoadGenerator.run(quick(server.target()).connections(2).requests(50)
                    .keepConnection(false).build());

            assertThat(result.responses()).isEqualTo(50);
            assertThat(result.errors()).isEmpty();
            assertThat(server.connections.get()).isEqualTo(50);
        }
    }

    @Test
    void multiplexKeepsSeveralRequestsInFlightOnOneConnection() throws Exception {
        try (FcgiTestServer server = FcgiTestServer.tcp(OK_HEAD, false)) {
            LoadResult result = LoadGenerator.run(quick(server.target()).connections(1).multiplex(4)
                    .requests(200).build());

            assertThat(result.responses()).isEqualTo(200);
            assertThat(result.errors()).isEmpty();
            assertThat(server.connections.get()).isEqualTo(1);
            assertThat(server.maxInFlightPerConnection.get()).isGreaterThan(1);
        }
    }

    @Test
    void aPostSendsItsWholeBody() throws Exception {
        try (FcgiTestServer server = FcgiTestServer.tcp(OK_HEAD, false)) {
            LoadResult result = LoadGenerator.run(quick(server.target()).connections(2).multiplex(2).bodySize(100_000)
                    .requests(100).build());

            assertThat(result.responses()).isEqualTo(100);
            assertThat(result.errors()).isEmpty();
            assertThat(server.lastBodyLength.get()).isEqualTo(100_000);
            assertThat(server.lastParams).containsEntry("REQUEST_METHOD", "POST")
                    .containsEntry("CONTENT_LENGTH", "100000");
        }
    }

    @Test
    void aUnixSocketTargetWorksAsTcpDoes() throws Exception {
        try (FcgiTestServer server = FcgiTestServer.unix(dir.resolve("fcgi.sock"), OK_HEAD)) {
            LoadResult result = LoadGenerator.run(quick(server.target()).connections(2).requests(100).build());

            assertThat(result.responses()).isEqualTo(100);
            assertThat(result.errors()).isEmpty();
        }
    }

    @Test
    void aTimedRunStopsAfterItsDurationAndCountsErrorStatuses() throws Exception {
        try (FcgiTestServer server = FcgiTestServer.tcp("Status: 503 Service Unavailable\r\n\r\n", false)) {
            LoadResult result = LoadGenerator.run(quick(server.target()).connections(2)
                    .duration(Duration.ofMillis(300)).warmup(Duration.ofMillis(100)).build());

            assertThat(result.stopReason()).isEqualTo(StopReason.DURATION);
            assertThat(result.elapsed()).isBetween(Duration.ofMillis(300), Duration.ofMillis(1000));
            assertThat(result.responses()).isPositive();
            assertThat(result.errors()).containsOnlyKeys(ErrorKind.HTTP_5XX);
            assertThat(result.errorCount(ErrorKind.HTTP_5XX)).isEqualTo(result.responses());
            assertThat(result.format()).contains("http-5xx").contains("Status 503");
        }
    }

    @Test
    void requestsNobodyAnswersTimeOutAndTheConnectionsShowAsSilent() throws Exception {
        try (FcgiTestServer server = FcgiTestServer.tcp(OK_HEAD, true)) {
            LoadResult result = LoadGenerator.run(quick(server.target()).connections(2)
                    .duration(Duration.ofMillis(400)).timeout(Duration.ofMillis(100)).build());

            assertThat(result.responses()).isZero();
            assertThat(result.errorCount(ErrorKind.TIMEOUT)).isGreaterThanOrEqualTo(2);
            assertThat(result.silentConnections()).isEqualTo(2);
        }
    }

    @Test
    void nothingListeningEndsTheRunAtOnceWithAClearFailure() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        long start = System.nanoTime();

        LoadResult result = LoadGenerator.run(quick(Target.parse("tcp:127.0.0.1:" + port))
                .duration(Duration.ofSeconds(30)).build());

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(result.stopReason()).isEqualTo(StopReason.NO_CONNECTION);
        assertThat(result.failure()).startsWith("could not connect to tcp:127.0.0.1:" + port + ": ")
                .contains("Connection refused")
                .endsWith("(8 of 8 connections failed); is the FastCGI server running and listening there?");
    }

    @Test
    void theCommandAppendsCsvLinesWithOneHeader() throws Exception {
        Path csv = dir.resolve("results.csv");
        try (FcgiTestServer server = FcgiTestServer.tcp(OK_HEAD, false)) {
            String[] args = {"-n", "20", "-c", "2", "--warmup", "0", "--csv", csv.toString(), server.target().text()};
            java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());

            assertThat(FcgiLoad.run(args, quiet, quiet)).isZero();
            assertThat(FcgiLoad.run(args, quiet, quiet)).isZero();
        }

        assertThat(Files.readAllLines(csv)).hasSize(3)
                .first().isEqualTo(LoadResult.csvHeader());
        assertThat(Files.readAllLines(csv).get(1)).contains(",20,");
    }

    @Test
    void theServerPidsCpuTimeOverTheMeasuredSpanIsReportedPerRequest() throws Exception {
        // The test server answers in this very process, so its CPU time is this process's.
        try (FcgiTestServer server = FcgiTestServer.tcp(OK_HEAD, false)) {
            LoadResult result = LoadGenerator.run(quick(server.target()).connections(4).requests(2000)
                    .serverPid(ProcessHandle.current().pid()).build());

            assertThat(result.responses()).isEqualTo(2000);
            assertThat(result.serverCpu()).isPositive();
            assertThat(result.serverCpuMicrosPerRequest())
                    .isEqualTo(result.serverCpu().toNanos() / 1e3 / 2000, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(result.format()).contains("server CPU").contains("us per request (process "
                    + ProcessHandle.current().pid() + " and its children)");
            assertThat(result.csvLine(java.time.Instant.EPOCH)).doesNotEndWith(",,");
        }
    }

    @Test
    void withoutAServerPidNoCpuTimeIsReported() throws Exception {
        try (FcgiTestServer server = FcgiTestServer.tcp(OK_HEAD, false)) {
            LoadResult result = LoadGenerator.run(quick(server.target()).connections(2).requests(100).build());

            assertThat(result.serverCpu()).isNull();
            assertThat(result.serverCpuMicrosPerRequest()).isNegative();
            assertThat(result.format()).doesNotContain("server CPU");
            assertThat(result.csvLine(java.time.Instant.EPOCH)).endsWith(",,");
            assertThat(LoadResult.csvHeader()).endsWith(",server_cpu_s,server_cpu_us_per_request");
        }
    }

    private static LoadOptions.Builder quick(Target target) {
        return LoadOptions.builder(target).warmup(Duration.ZERO).threads(2).timeout(Duration.ofSeconds(5))
                .reconnectDelay(Duration.ofMillis(10));
    }
}
