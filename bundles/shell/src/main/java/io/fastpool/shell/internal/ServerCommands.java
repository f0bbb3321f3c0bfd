package io.fastpool.shell.internal;

import io.fastpool.listener.ListenerStatus;
import io.fastpool.transport.ConnectionSnapshot;
import io.fastpool.transport.ListenerSnapshot;
import io.fastpool.transport.TransportStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code fastpool:} commands about the server rather than its pools: routes, connections, and
 * deploying or undeploying app bundles through the {@code deploy/} folder.
 */
@Component(service = ServerCommands.class, property = {
        "osgi.command.scope=fastpool",
        "osgi.command.function=routes", "osgi.command.function=connections",
        "osgi.command.function=deploy", "osgi.command.function=undeploy"})
public final class ServerCommands {

    /** The transport; absent while its bundle is being updated. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile TransportStatus transport;

    /** The listener; absent while its bundle is being updated. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ListenerStatus listener;

    private final Deployer deployer;
    private final Supplier<Instant> clock;

    @Activate
    public ServerCommands(BundleContext context) {
        this(new Deployer(context), Instant::now);
    }

    ServerCommands(Deployer deployer, Supplier<Instant> clock) {
        this.deployer = deployer;
        this.clock = clock;
    }

    @Descriptor("list the routes: virtual host, port, path prefix and the app that serves them")
    public String routes() {
        ListenerStatus current = listener;
        if (current == null) {
            return "the FastCGI listener is not running (being updated?): no routes\n";
        }
        Table table = new Table("HOST", "PORT", "PATH", "APP");
        current.routes().forEach(route -> table.row(route.host(), route.port() == 0 ? "*" : route.port(), route.path(),
                route.target()));
        return table.size() == 0 ? "no routes: no app is mounted\n" : table.toString();
    }

    /** Any arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String routes(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:routes", wrong);
    }

    @Descriptor("list the listen addresses with their connections: accepted, open, active, idle, held, refused")
    public String connections(
            @Descriptor("also list every open connection: peer, state, age and bytes waiting")
            @Parameter(names = {"-l", "--list"}, presentValue = "true", absentValue = "false") boolean list) {
        TransportStatus current = transport;
        if (current == null) {
            return "the transport is not running: no connections\n";
        }
        List<ConnectionSnapshot> connections = current.connections();
        Map<String, Map<ConnectionSnapshot.State, Integer>> byListener = new LinkedHashMap<>();
        for (ConnectionSnapshot connection : connections) {
            byListener.computeIfAbsent(connection.listenAddress(), a -> new EnumMap<>(ConnectionSnapshot.State.class))
                    .merge(connection.state(), 1, Integer::sum);
        }
        Table table = new Table("LISTEN", "BOUND", "ACCEPTED", "OPEN", "ACTIVE", "IDLE", "HELD", "REFUSED");
        for (ListenerSnapshot listen : current.listeners()) {
            Map<ConnectionSnapshot.State, Integer> states = byListener.getOrDefault(listen.listenAddress(), Map.of());
            table.row(listen.listenAddress(), listen.boundAddress(), listen.accepted(), listen.open(),
                    states.getOrDefault(ConnectionSnapshot.State.ACTIVE, 0), states.getOrDefault(ConnectionSnapshot.State.IDLE, 0),
                    states.getOrDefault(ConnectionSnapshot.State.HELD, 0), listen.refused());
        }
        StringBuilder out = new StringBuilder();
        out.append(table.size() == 0 ? "not listening on any address\n" : table.toString());
        for (ListenerSnapshot listen : current.listeners()) {
            if (listen.isInherited()) {
                out.append(listen.listenAddress()).append(" serves the ").append(listen.inherited())
                        .append(" (socket activation)\n");
            }
        }
        out.append(connections.size()).append(" open connection").append(connections.size() == 1 ? "" : "s")
                .append(" (").append(current.ioKind()).append("); ").append(current.slowSendersCutOff())
                .append(" cut off for sending a request too slowly\n");
        if (list && !connections.isEmpty()) {
            Instant now = clock.get();
            Table each = new Table("ID", "LISTEN", "PEER", "STATE", "AGE S", "BUFFERED");
            for (ConnectionSnapshot connection : connections) {
                String peer = connection.remotePort() == 0 ? connection.remoteAddress()
                        : connection.remoteAddress() + ":" + connection.remotePort();
                each.row(connection.id(), connection.listenAddress(), peer, connection.state(),
                        Math.max(0, Duration.between(connection.openedAt(), now).toSeconds()), connection.bufferedBytes());
            }
            out.append('\n').append(each);
        }
        return out.toString();
    }

    /** {@code connections} without options: the table per listen address. */
    public String connections() {
        return connections(false);
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String connections(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:connections [-l|--list]", wrong);
    }

    @Descriptor("deploy an app bundle: copies the jar (a path or URL) into deploy/ atomically and waits until it is installed")
    public String deploy(@Descriptor("the jar: a file path or a URL") String source) throws Exception {
        return deployer.deploy(source);
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String deploy(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:deploy JAR", wrong);
    }

    @Descriptor("undeploy an app bundle: removes its jar from deploy/ and waits until it is uninstalled")
    public String undeploy(@Descriptor("the bundle's symbolic name, its id, or its jar's file name in deploy/") String name)
            throws Exception {
        return deployer.undeploy(name);
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String undeploy(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:undeploy NAME", wrong);
    }
}
