package io.fastpool.status.internal;

import io.fastpool.config.ConfigurationReport;
import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.transport.ConnectionSnapshot;
import io.fastpool.transport.ListenerSnapshot;
import io.fastpool.transport.TransportStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Gathers a {@link StatusReport} from the services that are there: the pool manager, the
 * transport and the FastCGI listener, each of which may be missing (while its bundle is updated).
 * Asks the transport for every connection, which waits on the event loops: never call this on a
 * transport thread.
 */
final class StatusCollector {

    private final Supplier<PoolManager> pools;
    private final Supplier<TransportStatus> transport;
    private final Supplier<ListenerStatus> listener;
    private final Supplier<List<ConfigurationReport>> configurations;
    private final History history;
    private final Supplier<SystemFigures> system;
    private final Clock clock;
    private final Instant startTime;
    private final Instant statusStartTime;
    private final Advisor advisor = new Advisor();

    StatusCollector(Supplier<PoolManager> pools, Supplier<TransportStatus> transport, Supplier<ListenerStatus> listener,
            History history, Supplier<SystemFigures> system, Clock clock, Instant startTime, Instant statusStartTime) {
        this(pools, transport, listener, List::of, history, system, clock, startTime, statusStartTime);
    }

    StatusCollector(Supplier<PoolManager> pools, Supplier<TransportStatus> transport, Supplier<ListenerStatus> listener,
            Supplier<List<ConfigurationReport>> configurations, History history, Supplier<SystemFigures> system, Clock clock,
            Instant startTime, Instant statusStartTime) {
        this.configurations = configurations;
        this.pools = pools;
        this.transport = transport;
        this.listener = listener;
        this.history = history;
        this.system = system;
        this.clock = clock;
        this.startTime = startTime;
        this.statusStartTime = statusStartTime;
    }

    /** The figures now, with advice. */
    StatusReport collect() {
        PoolManager manager = pools.get();
        List<PoolSnapshot> poolSnapshots = manager == null ? List.of() : manager.pools();
        poolSnapshots.forEach(history::observeBusy);
        TransportStatus transportStatus = transport.get();
        List<StatusReport.ListenAddress> listenAddresses = new ArrayList<>();
        String ioKind = null;
        long slowSenders = 0;
        if (transportStatus != null) {
            ioKind = transportStatus.ioKind();
            slowSenders = transportStatus.slowSendersCutOff();
            Map<String, int[]> states = new HashMap<>();
            for (ConnectionSnapshot connection : transportStatus.connections()) {
                int[] counts = states.computeIfAbsent(connection.listenAddress(), k -> new int[3]);
                counts[connection.state().ordinal()]++;
            }
            for (ListenerSnapshot snapshot : transportStatus.listeners()) {
                int[] counts = states.getOrDefault(snapshot.listenAddress(), new int[3]);
                listenAddresses.add(new StatusReport.ListenAddress(snapshot, counts[ConnectionSnapshot.State.ACTIVE.ordinal()],
                        counts[ConnectionSnapshot.State.IDLE.ordinal()], counts[ConnectionSnapshot.State.HELD.ordinal()]));
            }
        }
        ListenerStatus listenerStatus = listener.get();
        StatusReport report = new StatusReport(clock.instant(), startTime, statusStartTime, system.get(), transportStatus != null,
                ioKind, slowSenders, listenAddresses, listenerStatus == null ? null : listenerStatus.counters(), poolSnapshots,
                history.maxBusyThreads(), history.view(), List.of(), configurations.get());
        return report.withAdvice(advisor.advise(report));
    }

    /** Takes one history sample: cheap calls only (no connection list). */
    void sample() {
        PoolManager manager = pools.get();
        TransportStatus transportStatus = transport.get();
        ListenerStatus listenerStatus = listener.get();
        history.record(clock.millis(), manager == null ? List.of() : manager.pools(),
                listenerStatus == null ? null : listenerStatus.counters(),
                transportStatus == null ? -1 : transportStatus.openConnections());
    }
}
