package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class StopTest extends TransportTestSupport {

    @ParameterizedTest
    @EnumSource(Io.class)
    void stopClosesConnectionsAndLeavesNoThreads(Io io) throws Exception {
        EchoHandler handler = new EchoHandler();
        Transport transport = start(io, config("tcp:127.0.0.1:0", "unix:fp.sock").eventLoopThreads(3), handler);
        TestClient tcp = connectTcp(transport, "tcp:127.0.0.1:0");
        TestClient unix = connectUnix(baseDirectory.resolve("fp.sock"));
        tcp.assertEchoes(Records.beginRequest(1));
        unix.assertEchoes(Records.beginRequest(1));
        assertThat(transportThreads()).isNotEmpty();

        transport.stop();

        assertThat(tcp.closedWithin(WAIT)).isTrue();
        assertThat(unix.closedWithin(WAIT)).isTrue();
        assertThat(handler.closed).hasValue(2);
        assertThat(baseDirectory.resolve("fp.sock")).doesNotExist();
        awaitNoTransportThreads();
        transport.stop();
    }

    /** Waits until no thread named like the transport's is alive: a terminated loop's thread ends a moment later. */
    static void awaitNoTransportThreads() throws InterruptedException {
        await("no " + Transport.THREAD_NAME_PREFIX + " thread remains (left: " + transportThreads() + ")",
                () -> transportThreads().isEmpty());
    }

    private static List<String> transportThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.contains(Transport.THREAD_NAME_PREFIX))
                .collect(Collectors.toList());
    }
}
