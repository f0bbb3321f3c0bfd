package io.fastpool.transport.internal;

import io.fastpool.transport.ListenerSnapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ReconfigureTest extends TransportTestSupport {

    @Test
    void connectionsOnKeptAddressesSurviveWhileListenersOpenAndClose() throws Exception {
        int[] ports = freePorts(3);
        int portA = ports[0];
        int portB = ports[1];
        int portC = ports[2];
        String a = "tcp:127.0.0.1:" + portA;
        String b = "tcp:127.0.0.1:" + portB;
        String c = "tcp:127.0.0.1:" + portC;
        Transport transport = start(config(a, b), new EchoHandler());
        TestClient onA = connectTcp(portA);
        TestClient onB = connectTcp(portB);
        onA.assertEchoes(Records.beginRequest(1));
        onB.assertEchoes(Records.beginRequest(2));

        transport.reconfigure(config(a, c).build());

        onA.assertEchoes(Records.beginRequest(3));
        // Accepted on the removed address: stays until it ends.
        onB.assertEchoes(Records.beginRequest(4));
        assertThatThrownBy(() -> connectTcp(portB)).isInstanceOf(ConnectException.class);
        connectTcp(portC).assertEchoes(Records.beginRequest(5));
        assertThat(transport.listeners()).extracting(ListenerSnapshot::listenAddress).containsExactly(a, c);
        assertThat(listener(transport, a).accepted()).isEqualTo(1);
        assertThat(onA.closedWithin(Duration.ofMillis(100))).isFalse();
    }

    @Test
    void newLimitsApplyToNewConnectionsAndUnixSocketsGetTheNewMode() throws Exception {
        String tcp = "tcp:127.0.0.1:0";
        Transport transport = start(config(tcp, "unix:fp.sock"), new EchoHandler());
        TestClient first = connectTcp(transport, tcp);
        first.assertEchoes(Records.beginRequest(1));

        transport.reconfigure(config(tcp, "unix:fp.sock").maxConnections(1).unixSocketMode("0600").build());

        assertThat(Files.getPosixFilePermissions(baseDirectory.resolve("fp.sock")))
                .hasSize(2).allMatch(p -> p.name().startsWith("OWNER_"));
        assertThat(connectTcp(transport, tcp).closedWithin(WAIT)).isTrue();
        first.assertEchoes(Records.beginRequest(2));
        assertThat(transport.config().limits().maxConnections()).isEqualTo(1);
    }

    @Test
    void addressThatCannotBeBoundIsReportedAndTheRestIsApplied() throws Exception {
        int portA = freePorts(1)[0];
        String a = "tcp:127.0.0.1:" + portA;
        Transport transport = start(config(a), new EchoHandler());
        Files.writeString(baseDirectory.resolve("occupied"), "a regular file");

        assertThatThrownBy(() -> transport.reconfigure(config(a, "unix:occupied", "tcp:127.0.0.1:0").build()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("occupied exists and is not a socket");

        assertThat(transport.listeners()).extracting(ListenerSnapshot::listenAddress)
                .containsExactly(a, "tcp:127.0.0.1:0");
        connectTcp(transport, "tcp:127.0.0.1:0").assertEchoes(Records.beginRequest(1));
    }
}
