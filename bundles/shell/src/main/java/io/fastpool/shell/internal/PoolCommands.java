package io.fastpool.shell.internal;

import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReports;
import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code fastpool:} commands about pools and apps, for the Felix Gogo shell (and for
 * {@code bin/fastpool exec}). Each prints an aligned table or a one-line answer; an unknown pool
 * name says which pools exist.
 */
@Component(service = PoolCommands.class, property = {
        "osgi.command.scope=fastpool",
        "osgi.command.function=pools", "osgi.command.function=pool", "osgi.command.function=apps",
        "osgi.command.function=start", "osgi.command.function=stop", "osgi.command.function=restart",
        "osgi.command.function=recycle", "osgi.command.function=requests", "osgi.command.function=stats"})
public final class PoolCommands {

    private final PoolManager pools;
    /** Bundle symbolic name to its bundles' versions, newest installed last; empty if none. */
    private final Function<String, String> bundleVersion;
    /** A worker thread's stack by the thread's name, or null when it has ended. */
    private final Function<String, StackTraceElement[]> stackOf;

    /** What each configuration runs with; the pool's tells whether its file was refused. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    volatile List<ConfigurationReports> configurations = List.of();

    /** The listener's routing table; absent while the listener bundle is being updated. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ListenerStatus listener;

    @Activate
    public PoolCommands(@Reference PoolManager pools, BundleContext context) {
        this(pools, name -> versionOf(context, name), PoolCommands::liveStack);
    }

    PoolCommands(PoolManager pools, Function<String, String> bundleVersion, Function<String, StackTraceElement[]> stackOf) {
        this.pools = pools;
        this.bundleVersion = bundleVersion;
        this.stackOf = stackOf;
    }

    @Descriptor("list the pools: state, threads, queue, counts, p50 and p99 latency over the last interval (5 s) and p99"
            + " since the pool started")
    public String pools() {
        String interval = "(" + PoolSnapshot.Interval.SECONDS + "S)";
        Table table = new Table("POOL", "STATE", "BUSY/THREADS", "QUEUED", "SERVED", "REJECTED", "5XX", "TIMEOUTS",
                "P50 MS " + interval, "P99 MS " + interval, "P99 MS (ALL)");
        for (PoolSnapshot pool : pools.pools()) {
            PoolSnapshot.Counters counts = pool.counters();
            PoolSnapshot.Percentiles last = pool.lastInterval().latency();
            boolean measured = last.count() > 0;
            table.row(pool.name(), pool.state(), pool.busyThreads() + "/" + pool.threads(), pool.queued(), counts.served(),
                    counts.rejected(), counts.serverErrors(), counts.timeouts(), measured ? millis(last.p50()) : "-",
                    measured ? millis(last.p99()) : "-", pool.latency().count() > 0 ? millis(pool.latency().p99()) : "-");
        }
        return table.size() == 0 ? "no pools: no app is deployed\n" : table.toString();
    }

    /** Any arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String pools(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:pools", wrong);
    }

    @Descriptor("show one pool: settings, counters, latency and the requests in flight")
    public String pool(@Descriptor("the pool's name") String name) {
        PoolSnapshot pool = existing(name);
        PoolSnapshot.Counters c = pool.counters();
        StringBuilder out = new StringBuilder();
        out.append("pool ").append(pool.name()).append(": ").append(pool.state()).append('\n');
        out.append("settings   ").append(pool.settings()).append('\n');
        ConfigurationReport configuration = ConfigCommands.lookUp(configurations, pool.name());
        if (configuration != null) {
            ConfigCommands.appendProblems(configuration, out);
        }
        out.append("threads    ").append(pool.busyThreads()).append(" busy of ").append(pool.threads())
                .append("; queued ").append(pool.queued()).append(" (most ").append(pool.maxQueued()).append(")\n");
        out.append("counts     served ").append(c.served()).append(", rejected ").append(c.rejected()).append(", 5xx ")
                .append(c.serverErrors()).append(", time-outs ").append(c.timeouts()).append(", orphans ").append(c.orphans())
                .append(", failures ").append(c.failures()).append(", restarts ").append(c.restarts()).append(", recycles ")
                .append(c.recycles()).append(", activations ").append(c.activations()).append(", slow ").append(c.slowRequests())
                .append(c.accessLogDropped() > 0 ? ", access log lines dropped " + c.accessLogDropped() : "").append('\n');
        PoolSnapshot.Interval last = pool.lastInterval();
        out.append("latency    ").append(percentiles(pool.latency())).append(" since the pool started\n");
        out.append("  last ").append(interval(last, last.latency())).append('\n');
        out.append("queue wait ").append(percentiles(pool.queueWait())).append(" since the pool started\n");
        out.append("  last ").append(interval(last, last.queueWait())).append('\n');
        out.append("cost       cpu ").append(c.cpuNanos() / 1_000_000).append(" ms, allocated ").append(c.allocatedBytes() / 1024)
                .append(" KiB").append(c.served() > 0 ? " (" + c.allocatedBytes() / c.served() + " bytes per request)" : "").append('\n');
        Table apps = new Table("APP", "ACTIVE", "SESSIONS", "NEW", "RETURNING", "CREATED", "EVICTED", "EVICTED NEW",
                "EVICTED RETURNING");
        pool.apps().forEach(app -> apps.row(app.name(), app.active() ? "yes" : "no", app.sessions(), app.newSessions(),
                app.returningSessions(), app.sessionsCreated(), app.sessionsEvicted(), app.newSessionsEvicted(),
                app.returningSessionsEvicted()));
        out.append('\n').append(apps);
        if (!pool.inFlight().isEmpty()) {
            Table inFlight = new Table("ELAPSED MS", "THREAD", "REQUEST");
            pool.inFlight().forEach(r -> inFlight.row(r.elapsedMillis(), r.thread(), r.request()));
            out.append('\n').append(inFlight);
        }
        return out.toString();
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String pool(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:pool NAME", wrong);
    }

    @Descriptor("list the apps: bundle, version, pool and its state, routes, whether active, sessions")
    public String apps() {
        Map<String, String> routesByApp = routesByTarget();
        Table table = new Table("APP", "BUNDLE", "VERSION", "POOL", "STATE", "ACTIVE", "ROUTES", "SESSIONS");
        for (PoolSnapshot pool : pools.pools()) {
            for (PoolSnapshot.AppView app : pool.apps()) {
                String bundle = bundleOf(app.name());
                String version = bundleVersion.apply(bundle);
                table.row(app.name(), bundle, version == null ? "-" : version, pool.name(), pool.state(),
                        app.active() ? "yes" : "no", routesByApp.getOrDefault(app.name(), "-"), app.sessions());
            }
        }
        return table.size() == 0 ? "no apps deployed\n" : table.toString();
    }

    /** Any arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String apps(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:apps", wrong);
    }

    @Descriptor("start a stopped or disabled pool")
    public String start(@Descriptor("the pool's name") String name) {
        return operate(name, pools::start, "started");
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String start(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:start NAME", wrong);
    }

    @Descriptor("stop a pool: new requests get 503, running ones finish")
    public String stop(@Descriptor("the pool's name") String name) {
        return operate(name, pools::stop, "stopped");
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String stop(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:stop NAME", wrong);
    }

    @Descriptor("release a pool's app instances and start them again")
    public String restart(@Descriptor("the pool's name") String name) {
        return operate(name, pools::restart, "restarted");
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String restart(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:restart NAME", wrong);
    }

    @Descriptor("update a pool's app bundles for a fresh class loader; waiting requests run on the new code")
    public String recycle(@Descriptor("the pool's name") String name) {
        return operate(name, pools::recycle, "recycled");
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String recycle(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:recycle NAME", wrong);
    }

    /** Runs {@code operation} on an existing pool and says it was done. */
    private String operate(String name, Consumer<String> operation, String done) {
        existing(name);
        operation.accept(name);
        return "pool " + name + " " + done + "\n";
    }

    @Descriptor("list the requests in flight in every pool, longest first")
    public String requests(
            @Descriptor("also print each request's worker stack")
            @Parameter(names = {"-s", "--stack"}, presentValue = "true", absentValue = "false") boolean stack) {
        List<String[]> rows = new ArrayList<>();
        for (PoolSnapshot pool : pools.pools()) {
            pool.inFlight().forEach(r -> rows.add(new String[] {Long.toString(r.elapsedMillis()), pool.name(), r.thread(), r.request()}));
        }
        rows.sort(Comparator.comparingLong((String[] row) -> Long.parseLong(row[0])).reversed());
        Table table = new Table("ELAPSED MS", "POOL", "THREAD", "REQUEST");
        rows.forEach(row -> table.row((Object[]) row));
        if (table.size() == 0) {
            return "no request in flight\n";
        }
        StringBuilder out = new StringBuilder(table.toString());
        if (stack) {
            for (String[] row : rows) {
                out.append('\n').append(row[2]).append(" (").append(row[0]).append(" ms): ").append(row[3]).append('\n');
                StackTraceElement[] frames = stackOf.apply(row[2]);
                if (frames == null) {
                    out.append("    (the request ended meanwhile)\n");
                } else {
                    for (StackTraceElement frame : frames) {
                        out.append("    at ").append(frame).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    /** {@code requests} without options: the same table, no stacks. */
    public String requests() {
        return requests(false);
    }

    /** Any other number of arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String requests(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:requests [-s|--stack]", wrong);
    }

    @Descriptor("totals over every pool")
    public String stats() {
        long served = 0;
        long rejected = 0;
        long errors = 0;
        long timeouts = 0;
        int threads = 0;
        int queued = 0;
        List<PoolSnapshot> all = pools.pools();
        for (PoolSnapshot pool : all) {
            served += pool.counters().served();
            rejected += pool.counters().rejected();
            errors += pool.counters().serverErrors();
            timeouts += pool.counters().timeouts();
            threads += pool.threads();
            queued += pool.queued();
        }
        return String.format("pools %d, worker threads %d, queued %d, served %d, rejected %d, 5xx %d, time-outs %d%n",
                all.size(), threads, queued, served, rejected, errors, timeouts);
    }

    /** Any arguments: the usage instead of Gogo's "Cannot coerce". */
    @Descriptor(Usage.WRONG_CALL)
    public String stats(@Descriptor("what was given") String... wrong) {
        throw Usage.wrongCall("fastpool:stats", wrong);
    }

    /** The routes of each app, as {@code host:port/path} joined by commas, from the listener's table. */
    private Map<String, String> routesByTarget() {
        ListenerStatus current = listener;
        if (current == null) {
            return Map.of();
        }
        return current.routes().stream().collect(Collectors.groupingBy(ListenerStatus.Route::target,
                Collectors.mapping(PoolCommands::routeText, Collectors.joining(","))));
    }

    static String routeText(ListenerStatus.Route route) {
        String host = route.host().equals("*") ? "" : route.host();
        String port = route.port() == 0 ? "" : ":" + route.port();
        return host + port + route.path();
    }

    /** An app is named {@code bundle/component}. */
    private static String bundleOf(String appName) {
        int slash = appName.indexOf('/');
        return slash < 0 ? appName : appName.substring(0, slash);
    }

    private static String versionOf(BundleContext context, String symbolicName) {
        String version = null;
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                version = bundle.getVersion().toString();
            }
        }
        return version;
    }

    private static StackTraceElement[] liveStack(String threadName) {
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            if (entry.getKey().getName().equals(threadName)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private PoolSnapshot existing(String name) {
        return pools.pool(name).orElseThrow(() -> new IllegalArgumentException("no pool named " + name + "; pools: "
                + pools.pools().stream().map(PoolSnapshot::name).toList()));
    }

    private static String percentiles(PoolSnapshot.Percentiles p) {
        return "p50 " + millis(p.p50()) + " ms, p90 " + millis(p.p90()) + " ms, p99 " + millis(p.p99()) + " ms, max "
                + millis(p.max()) + " ms (" + p.count() + " requests)";
    }

    /** One figure over the last interval, with how long it lasted and when it ended. */
    private static String interval(PoolSnapshot.Interval interval, PoolSnapshot.Percentiles p) {
        if (interval.lengthMillis() == 0) {
            return PoolSnapshot.Interval.SECONDS + " s: no interval has ended yet";
        }
        String window = seconds(interval.lengthMillis()) + " s, ended " + seconds(interval.endedMillisAgo()) + " s ago";
        return p.count() == 0 ? window + ": no request" : window + ": " + percentiles(p);
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.1f", millis / 1000.0);
    }

    private static String millis(long micros) {
        return String.format(java.util.Locale.ROOT, "%.3f", micros / 1000.0);
    }
}
