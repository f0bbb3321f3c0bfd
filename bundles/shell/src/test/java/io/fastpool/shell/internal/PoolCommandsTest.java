package io.fastpool.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolCommandsTest {

    private final List<String> operations = new ArrayList<>();

    private PoolCommands commands(PoolSnapshot... snapshots) {
        PoolCommands commands = new PoolCommands(new PoolManager() {
            @Override
            public List<PoolSnapshot> pools() {
                return List.of(snapshots);
            }

            @Override
            public Optional<PoolSnapshot> pool(String name) {
                return pools().stream().filter(p -> p.name().equals(name)).findFirst();
            }

            @Override
            public void start(String name) {
                operations.add("start " + name);
            }

            @Override
            public void stop(String name) {
                operations.add("stop " + name);
            }

            @Override
            public void restart(String name) {
                operations.add("restart " + name);
            }

            @Override
            public void recycle(String name) {
                operations.add("recycle " + name);
            }
        }, bundle -> bundle.equals("shop") ? "1.2.3" : null, thread -> thread.equals("t2")
                ? new StackTraceElement[] {new StackTraceElement("com.example.Shop", "checkout", "Shop.java", 42)}
                : null);
        commands.listener = new ListenerStatus() {
            @Override
            public List<Route> routes() {
                return List.of(new Route("*", 0, "/shop", "shop/app"), new Route("shop.example.com", 8080, "/", "shop/app"));
            }

            @Override
            public Counters counters() {
                throw new UnsupportedOperationException();
            }
        };
        return commands;
    }

    private static PoolSnapshot pool(String name, PoolState state, long served, List<PoolSnapshot.InFlight> inFlight) {
        return pool(name, state, served, inFlight, new PoolSnapshot.Interval(5_000, 1_200,
                new PoolSnapshot.Percentiles(50, 400, 2_000, 80_000, 95_000), new PoolSnapshot.Percentiles(50, 10, 20, 700, 900)));
    }

    private static PoolSnapshot pool(String name, PoolState state, long served, List<PoolSnapshot.InFlight> inFlight,
            PoolSnapshot.Interval lastInterval) {
        return new PoolSnapshot(name, state, PoolSettings.DEFAULTS,
                List.of(new PoolSnapshot.AppView(name + "/app", true, 3, 5, 2)), 2, inFlight.size(), 1, 4,
                new PoolSnapshot.Counters(served, 7, 1, 0, 0, 0, 0, 0, 1, 5_000_000, 1_024_000, 2, 0),
                new PoolSnapshot.Percentiles(served, 150, 900, 2_500, 9_000),
                new PoolSnapshot.Percentiles(served, 10, 20, 30, 40), inFlight, lastInterval);
    }

    @Test
    void poolsIsAnAlignedTableWithOneRowPerPool() {
        String out = commands(pool("shop", PoolState.RUNNING, 1234, List.of()), pool("blog", PoolState.DISABLED, 5, List.of())).pools();
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("POOL").contains("STATE").contains("P99 MS");
        assertThat(lines.get(1)).startsWith("shop").contains("RUNNING").contains("0/2").contains("1234").endsWith("2.500");
        assertThat(lines.get(2)).startsWith("blog").contains("DISABLED");
        // aligned: every row is as wide as the header up to the last column
        assertThat(lines.get(1).indexOf("RUNNING")).isEqualTo(lines.get(0).indexOf("STATE"));
    }

    @Test
    void poolsShowsTheLastIntervalsP50AndP99BesideTheSinceStartP99() {
        PoolSnapshot.Interval quiet = new PoolSnapshot.Interval(5_000, 300, PoolSnapshot.Percentiles.NONE, PoolSnapshot.Percentiles.NONE);
        List<String> lines = commands(pool("shop", PoolState.RUNNING, 1234, List.of()),
                pool("blog", PoolState.RUNNING, 5, List.of(), quiet),
                pool("new", PoolState.RUNNING, 0, List.of(), PoolSnapshot.Interval.NONE)).pools().lines().toList();
        assertThat(lines.get(0).split("  +")).endsWith("TIMEOUTS", "P50 MS (5S)", "P99 MS (5S)", "P99 MS (ALL)");
        assertThat(lines.get(1).split(" +")).endsWith("0.400", "80.000", "2.500");
        assertThat(lines.get(2).split(" +")).as("no request in the last interval").endsWith("-", "-", "2.500");
        assertThat(lines.get(3).split(" +")).as("never served: no interval, no figure since the start").endsWith("-", "-", "-");
    }

    @Test
    void withNoPoolsItSaysSo() {
        assertThat(commands().pools()).isEqualTo("no pools: no app is deployed\n");
        assertThat(commands().requests()).isEqualTo("no request in flight\n");
    }

    @Test
    void poolShowsSettingsCountsLatencyAppsAndRequestsInFlight() {
        String out = commands(pool("shop", PoolState.RUNNING, 100,
                List.of(new PoolSnapshot.InFlight("shop/app", "connection 3 request 1 GET /cart", 1500, "fastpool-pool-shop-1")))).pool("shop");
        assertThat(out).contains("pool shop: RUNNING", "queueLength=1000", "served 100, rejected 7, 5xx 1", "activations 1, slow 2\n",
                "latency    p50 0.150 ms, p90 0.900 ms, p99 2.500 ms, max 9.000 ms (100 requests)",
                "allocated 1000 KiB (10240 bytes per request)", "shop/app", "1500", "GET /cart");
    }

    @Test
    void poolShowsTheLastIntervalBesideTheFiguresSinceThePoolStarted() {
        String out = commands(pool("shop", PoolState.RUNNING, 100, List.of())).pool("shop");
        assertThat(out).contains(
                "latency    p50 0.150 ms, p90 0.900 ms, p99 2.500 ms, max 9.000 ms (100 requests) since the pool started\n"
                + "  last 5.0 s, ended 1.2 s ago: p50 0.400 ms, p90 2.000 ms, p99 80.000 ms, max 95.000 ms (50 requests)\n"
                + "queue wait p50 0.010 ms, p90 0.020 ms, p99 0.030 ms, max 0.040 ms (100 requests) since the pool started\n"
                + "  last 5.0 s, ended 1.2 s ago: p50 0.010 ms, p90 0.020 ms, p99 0.700 ms, max 0.900 ms (50 requests)\n");
        String fresh = commands(pool("new", PoolState.RUNNING, 0, List.of(), PoolSnapshot.Interval.NONE)).pool("new");
        assertThat(fresh).contains("  last 5 s: no interval has ended yet\n");
        PoolSnapshot.Interval quiet = new PoolSnapshot.Interval(5_100, 300, PoolSnapshot.Percentiles.NONE, PoolSnapshot.Percentiles.NONE);
        assertThat(commands(pool("blog", PoolState.RUNNING, 5, List.of(), quiet)).pool("blog"))
                .contains("  last 5.1 s, ended 0.3 s ago: no request\n");
    }

    @Test
    void poolShowsEachAppsSessionsByKindAndTheirEvictions() {
        PoolSnapshot shop = pool("shop", PoolState.RUNNING, 0, List.of());
        PoolSnapshot withSegments = new PoolSnapshot(shop.name(), shop.state(), shop.settings(),
                List.of(new PoolSnapshot.AppView("shop/app", true, 1000, 99_000, 98_000, 800, 200, 97_990, 10)), shop.threads(),
                shop.busyThreads(), shop.queued(), shop.maxQueued(), shop.counters(), shop.latency(), shop.queueWait(), List.of());
        List<String> lines = commands(withSegments).pool("shop").lines().toList();
        int header = lines.indexOf(lines.stream().filter(line -> line.startsWith("APP")).findFirst().orElseThrow());
        assertThat(lines.get(header).split("  +")).containsExactly("APP", "ACTIVE", "SESSIONS", "NEW", "RETURNING", "CREATED",
                "EVICTED", "EVICTED NEW", "EVICTED RETURNING");
        assertThat(lines.get(header + 1).split(" +")).containsExactly("shop/app", "yes", "1000", "800", "200", "99000", "98000",
                "97990", "10");
    }

    @Test
    void operationsNameThePoolAndAnUnknownNameListsThePools() {
        PoolCommands commands = commands(pool("shop", PoolState.RUNNING, 0, List.of()));
        assertThat(commands.start("shop")).isEqualTo("pool shop started\n");
        assertThat(commands.recycle("shop")).isEqualTo("pool shop recycled\n");
        assertThat(operations).containsExactly("start shop", "recycle shop");
        assertThatThrownBy(() -> commands.stop("nope")).hasMessage("no pool named nope; pools: [shop]");
        assertThat(operations).hasSize(2);
    }

    @Test
    void requestsListsEveryPoolsRequestsLongestFirst() {
        String out = commands(
                pool("a", PoolState.RUNNING, 0, List.of(new PoolSnapshot.InFlight("a/app", "GET /short", 10, "t1"))),
                pool("b", PoolState.RUNNING, 0, List.of(new PoolSnapshot.InFlight("b/app", "GET /long", 9000, "t2")))).requests();
        List<String> lines = out.lines().toList();
        assertThat(lines.get(1)).contains("GET /long");
        assertThat(lines.get(2)).contains("GET /short");
    }

    @Test
    void statsAddsUpEveryPool() {
        assertThat(commands(pool("a", PoolState.RUNNING, 10, List.of()), pool("b", PoolState.RUNNING, 5, List.of())).stats())
                .isEqualTo("pools 2, worker threads 4, queued 2, served 15, rejected 14, 5xx 2, time-outs 0\n");
    }

    @Test
    void requestsWithStackPrintsEachWorkersStackAndSaysWhenARequestEndedMeanwhile() {
        String out = commands(
                pool("a", PoolState.RUNNING, 0, List.of(new PoolSnapshot.InFlight("a/app", "GET /short", 10, "t1"))),
                pool("b", PoolState.RUNNING, 0, List.of(new PoolSnapshot.InFlight("b/app", "GET /long", 9000, "t2")))).requests(true);
        assertThat(out).contains("t2 (9000 ms): GET /long\n    at com.example.Shop.checkout(Shop.java:42)\n");
        assertThat(out).contains("t1 (10 ms): GET /short\n    (the request ended meanwhile)\n");
        assertThat(out.indexOf("t2 (9000 ms)")).isLessThan(out.indexOf("t1 (10 ms)"));
    }

    @Test
    void appsListsEachAppWithItsBundleVersionPoolAndRoutes() {
        List<String> lines = commands(pool("shop", PoolState.RUNNING, 0, List.of())).apps().lines().toList();
        assertThat(lines.get(0)).startsWith("APP").contains("BUNDLE", "VERSION", "POOL", "STATE", "ACTIVE", "ROUTES", "SESSIONS");
        assertThat(lines.get(1).split(" +")).containsExactly("shop/app", "shop", "1.2.3", "shop", "RUNNING", "yes",
                "/shop,shop.example.com:8080/", "3");
    }
}
