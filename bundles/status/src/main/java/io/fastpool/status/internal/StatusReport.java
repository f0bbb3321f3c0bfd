package io.fastpool.status.internal;

import io.fastpool.config.ConfigurationReport;
import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.transport.ListenerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the status page shows, taken at one moment: the figures every format renders and the
 * advisor reads.
 *
 * @param time when the figures were taken
 * @param startTime when the server process (the JVM running the framework) started
 * @param statusStartTime when the status bundle started
 * @param system the host's CPU
 * @param transportRunning whether the transport's status service was found
 * @param ioKind the transport's socket implementation ({@code epoll}, {@code nio}), or {@code null}
 * @param slowSendersCutOff connections cut off for sending a FastCGI record too slowly (recordTimeoutSeconds)
 * @param listeners each listen address with its connections
 * @param requests the FastCGI listener's counters, or {@code null} when no listener runs
 * @param pools every pool; empty when no pool manager runs
 * @param maxBusyThreads the most busy threads each pool was seen with, by pool name (sampled)
 * @param history the recent past, for charts
 * @param advice recommendations drawn from the figures
 * @param configurations what every configuration runs with, and the files refused
 */
record StatusReport(Instant time, Instant startTime, Instant statusStartTime, SystemFigures system, boolean transportRunning,
        String ioKind, long slowSendersCutOff, List<ListenAddress> listeners, ListenerStatus.Counters requests,
        List<PoolSnapshot> pools, Map<String, Integer> maxBusyThreads, History.View history, List<Advice> advice,
        List<ConfigurationReport> configurations) {

    /** A report without configuration reports. */
    StatusReport(Instant time, Instant startTime, Instant statusStartTime, SystemFigures system, boolean transportRunning,
            String ioKind, long slowSendersCutOff, List<ListenAddress> listeners, ListenerStatus.Counters requests,
            List<PoolSnapshot> pools, Map<String, Integer> maxBusyThreads, History.View history, List<Advice> advice) {
        this(time, startTime, statusStartTime, system, transportRunning, ioKind, slowSendersCutOff, listeners, requests, pools,
                maxBusyThreads, history, advice, List.of());
    }

    /**
     * One listen address: the transport's counters and its open connections by what they are doing.
     *
     * @param snapshot the transport's counters
     * @param active connections with a request in flight
     * @param idle keep-alive connections between requests
     * @param held connections kept open without a handler (the listener bundle is away)
     */
    record ListenAddress(ListenerSnapshot snapshot, int active, int idle, int held) {
    }

    /** How long the server has been up. */
    Duration uptime() {
        Duration uptime = Duration.between(startTime, time);
        return uptime.isNegative() ? Duration.ZERO : uptime;
    }

    /** The most busy threads pool {@code pool} was seen with, never below its busy threads now. */
    int maxBusyThreads(PoolSnapshot pool) {
        return Math.max(pool.busyThreads(), maxBusyThreads.getOrDefault(pool.name(), 0));
    }

    /** This report with {@code newAdvice}. */
    StatusReport withAdvice(List<Advice> newAdvice) {
        return new StatusReport(time, startTime, statusStartTime, system, transportRunning, ioKind, slowSendersCutOff,
                listeners, requests, pools, maxBusyThreads, history, List.copyOf(newAdvice), configurations);
    }
}
