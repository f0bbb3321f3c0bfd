package io.fastpool.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.listener.ListenerStatus;
import io.fastpool.transport.ConnectionSnapshot;
import io.fastpool.transport.ListenerSnapshot;
import io.fastpool.transport.TransportStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerCommandsTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private final ServerCommands commands = new ServerCommands(new Deployer(null, null, List::of, Duration.ZERO), () -> NOW);

    private static TransportStatus transport(List<ListenerSnapshot> listeners, List<ConnectionSnapshot> connections) {
        return new TransportStatus() {
            @Override
            public List<ListenerSnapshot> listeners() {
                return listeners;
            }

            @Override
            public List<ConnectionSnapshot> connections() {
                return connections;
            }

            @Override
            public int openConnections() {
                return connections.size();
            }

            @Override
            public String ioKind() {
                return "epoll";
            }

            @Override
            public long slowSendersCutOff() {
                return 2;
            }
        };
    }

    @Test
    void routesListsHostPortPathAndApp() {
        commands.listener = new ListenerStatus() {
            @Override
            public List<Route> routes() {
                return List.of(new Route("*", 0, "/hello", "hello/app"), new Route("*.example.com", 9000, "/", "shop/app"));
            }

            @Override
            public Counters counters() {
                throw new UnsupportedOperationException();
            }
        };
        List<String> lines = commands.routes().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).split(" +")).containsExactly("HOST", "PORT", "PATH", "APP");
        assertThat(lines.get(1).split(" +")).containsExactly("*", "*", "/hello", "hello/app");
        assertThat(lines.get(2).split(" +")).containsExactly("*.example.com", "9000", "/", "shop/app");
    }

    @Test
    void withoutListenerOrTransportTheCommandsSaySo() {
        assertThat(commands.routes()).isEqualTo("the FastCGI listener is not running (being updated?): no routes\n");
        assertThat(commands.connections()).isEqualTo("the transport is not running: no connections\n");
    }

    @Test
    void connectionsCountsEachListenAddresssConnectionsByState() {
        commands.transport = transport(
                List.of(new ListenerSnapshot("unix:run/fastpool.sock", "/srv/run/fastpool.sock", 0, 120, 3, 0),
                        new ListenerSnapshot("tcp:127.0.0.1:9000", "127.0.0.1:9000", 9000, 7, 1, 4)),
                List.of(new ConnectionSnapshot(1, "unix:run/fastpool.sock", "unix", 0, ConnectionSnapshot.State.ACTIVE,
                                NOW.minusSeconds(90), 0),
                        new ConnectionSnapshot(2, "unix:run/fastpool.sock", "unix", 0, ConnectionSnapshot.State.IDLE, NOW, 0),
                        new ConnectionSnapshot(3, "unix:run/fastpool.sock", "unix", 0, ConnectionSnapshot.State.IDLE, NOW, 0),
                        new ConnectionSnapshot(9, "tcp:127.0.0.1:9000", "127.0.0.1", 51000, ConnectionSnapshot.State.HELD,
                                NOW.minusSeconds(5), 320)));
        List<String> lines = commands.connections().lines().toList();
        assertThat(lines.get(0).split(" +")).containsExactly("LISTEN", "BOUND", "ACCEPTED", "OPEN", "ACTIVE", "IDLE", "HELD", "REFUSED");
        assertThat(lines.get(1).split(" +")).containsExactly("unix:run/fastpool.sock", "/srv/run/fastpool.sock", "120", "3", "1", "2", "0", "0");
        assertThat(lines.get(2).split(" +")).containsExactly("tcp:127.0.0.1:9000", "127.0.0.1:9000", "7", "1", "0", "0", "1", "4");
        assertThat(lines.get(3)).isEqualTo("4 open connections (epoll); 2 cut off for sending a request too slowly");
        assertThat(lines).hasSize(4);

        String listed = commands.connections(true);
        assertThat(listed).contains("ID  LISTEN");
        List<String> each = listed.lines().dropWhile(l -> !l.startsWith("ID")).toList();
        assertThat(each.get(0).split(" +")).containsExactly("ID", "LISTEN", "PEER", "STATE", "AGE", "S", "BUFFERED");
        assertThat(each.get(1).strip().split(" +")).containsExactly("1", "unix:run/fastpool.sock", "unix", "ACTIVE", "90", "0");
        assertThat(each.get(4).strip().split(" +")).containsExactly("9", "tcp:127.0.0.1:9000", "127.0.0.1:51000", "HELD", "5", "320");
    }

    @Test
    void connectionsSaysWhichListenerServesAnInheritedSocket() {
        commands.transport = transport(
                List.of(new ListenerSnapshot("unix:run/fastpool.sock", "/srv/run/fastpool.sock", 0, 0, 0, 0),
                        new ListenerSnapshot("tcp:127.0.0.1:9000", "127.0.0.1:9000", 9000, 0, 0, 0,
                                "inherited fd 3 from systemd")),
                List.of());

        List<String> lines = commands.connections().lines().toList();

        assertThat(lines.get(2).split(" +")).containsExactly("tcp:127.0.0.1:9000", "127.0.0.1:9000", "0", "0", "0", "0", "0", "0");
        assertThat(lines.get(3)).isEqualTo("tcp:127.0.0.1:9000 serves the inherited fd 3 from systemd (socket activation)");
        assertThat(lines).hasSize(5);
    }
}
