package io.fastpool.status.internal;

import static io.fastpool.status.internal.Fixtures.pool;
import static io.fastpool.status.internal.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdvisorTest {

    private final Advisor advisor = new Advisor();

    private List<Advice> advise(Fixtures.Pool pool) {
        return advisor.advise(report(List.of(pool.snapshot())));
    }

    private List<Advice> advise(Fixtures.Pool pool, SystemFigures system) {
        return advisor.advise(report(List.of(pool.snapshot()), system));
    }

    private static List<String> rules(List<Advice> advice) {
        return advice.stream().map(Advice::rule).toList();
    }

    @Test
    void aHealthyPoolGetsNoAdvice() {
        assertThat(advise(pool())).isEmpty();
    }

    @Test
    void requestsWaitingWhileTheCpuIsIdleAdviseRaisingMaxThreadsWithTheFiguresBehindIt() {
        Fixtures.Pool pool = pool();
        pool.threads = 4;
        pool.busy = 4;
        pool.queued = 7;
        pool.lastInterval = interval(new PoolSnapshot.Percentiles(400, 100, 30_000, 80_000, 200_000));
        List<Advice> advice = advise(pool, Fixtures.idleCpu());
        assertThat(rules(advice)).containsExactly("raiseMaxThreads");
        Advice raise = advice.get(0);
        assertThat(raise.severity()).isEqualTo(Advice.Severity.WARNING);
        assertThat(raise.pool()).isEqualTo("shop");
        assertThat(raise.message()).contains("7 requests are waiting now", "p99 80.0 ms over 400 requests in the last 5.0 s",
                "20.0% busy (/proc/stat over 5.0 s)",
                "maxThreads (now 4, e.g. to 6)",
                "io.fastpool.pool~shop.cfg");
        assertThat(raise.figures()).containsEntry("queued", 7).containsEntry("queueWaitP99Ms", 80.0).containsEntry("maxThreads", 4)
                .containsEntry("cpuBusyPercent", 20.0).containsEntry("cpuSource", "/proc/stat over 5.0 s")
                .containsEntry("queueWaitWindow", "the last 5.0 s");
    }

    private static PoolSnapshot.Interval interval(PoolSnapshot.Percentiles queueWait) {
        return new PoolSnapshot.Interval(5_000, 1_000, new PoolSnapshot.Percentiles(queueWait.count(), 700, 1_500, 9_000, 20_000),
                queueWait);
    }

    @Test
    void theQueueWaitIsJudgedOnTheLastIntervalNotSinceTheStart() {
        Fixtures.Pool pool = pool();
        pool.queueWait = new PoolSnapshot.Percentiles(10_000, 100, 30_000, 900_000, 900_000);
        assertThat(advise(pool, Fixtures.idleCpu())).as("requests waited an hour ago, none in the last 5 s").isEmpty();
        pool.queueWait = new PoolSnapshot.Percentiles(10_000, 5, 10, 20, 3_000);
        pool.lastInterval = interval(new PoolSnapshot.Percentiles(300, 100, 30_000, 900_000, 900_000));
        assertThat(rules(advise(pool, Fixtures.idleCpu()))).as("a spike now, hidden in the since-start figures").containsExactly("raiseMaxThreads");
    }

    @Test
    void aSlowQueueP99AloneIsEnoughOnceThereAreEnoughRequests() {
        Fixtures.Pool pool = pool();
        pool.lastInterval = interval(new PoolSnapshot.Percentiles(Advisor.MIN_INTERVAL_REQUESTS, 100, 30_000,
                Advisor.QUEUE_WAIT_P99_LIMIT_MICROS, 90_000));
        assertThat(rules(advise(pool))).containsExactly("raiseMaxThreads");
        assertThat(advise(pool).get(0).message()).contains("requests waited");

        pool.lastInterval = interval(new PoolSnapshot.Percentiles(Advisor.MIN_INTERVAL_REQUESTS - 1, 100, 30_000, 900_000, 900_000));
        assertThat(advise(pool)).as("too few requests to judge").isEmpty();
        pool.lastInterval = interval(new PoolSnapshot.Percentiles(10_000, 100, 30_000, Advisor.QUEUE_WAIT_P99_LIMIT_MICROS - 1, 900_000));
        assertThat(advise(pool)).as("just under the limit").isEmpty();
    }

    @Test
    void requestsWaitingWhileTheCpuIsBusyAdviseCapacityNotThreads() {
        Fixtures.Pool pool = pool();
        pool.threads = 4;
        pool.busy = 4;
        pool.queued = 3;
        List<Advice> advice = advise(pool, Fixtures.busyCpu());
        assertThat(rules(advice)).containsExactly("addCapacity");
        assertThat(advice.get(0).message()).contains("95.0% busy (/proc/stat over 5.0 s)", "more threads would not help");
    }

    @Test
    void anUnknownCpuLoadGivesNoThreadAdviceOnlyTheWaitAndWhyNot() {
        Fixtures.Pool pool = pool();
        pool.threads = 4;
        pool.queued = 3;
        // The load average is no CPU figure (it counts tasks waiting on I/O too): it decides nothing.
        for (SystemFigures unknown : List.of(SystemFigures.UNKNOWN, new SystemFigures(4, 0.4, -1, -1), new SystemFigures(4, 3.8, -1, -1))) {
            List<Advice> advice = advise(pool, unknown);
            assertThat(rules(advice)).containsExactly("queueWaiting");
            assertThat(advice.get(0).severity()).isEqualTo(Advice.Severity.INFO);
            assertThat(advice.get(0).message()).contains("3 requests are waiting now", "CPU's load is unknown").doesNotContain("raise maxThreads");
            assertThat(advice.get(0).figures()).containsEntry("cpuBusyPercent", "unknown").containsEntry("cpuSource", "unknown");
        }
    }

    @Test
    void queuedRequestsWhileThreadsCanStillStartOrWhileThePoolSwapsAreNoAdvice() {
        Fixtures.Pool pool = pool();
        pool.threads = 2; // below maxThreads 4: the pool is still adding threads
        pool.queued = 3;
        assertThat(advise(pool)).isEmpty();
        pool.threads = 4;
        pool.state = PoolState.SWAPPING;
        pool.lastInterval = interval(new PoolSnapshot.Percentiles(10_000, 100, 30_000, 900_000, 900_000));
        assertThat(advise(pool)).isEmpty();
    }

    @Test
    void rejectionsWithAFullQueueAdviseRaisingQueueLength() {
        Fixtures.Pool pool = pool();
        pool.rejected = 250;
        pool.maxQueued = 100;
        List<Advice> advice = advise(pool);
        assertThat(rules(advice)).containsExactly("raiseQueueLength");
        assertThat(advice.get(0).message()).contains("refused 250 requests 503", "100 of queueLength 100");
        assertThat(advice.get(0).figures()).containsEntry("rejected", 250L).containsEntry("queueLength", 100)
                .containsEntry("rejectedPercent", 2.4);
    }

    @Test
    void rejectionsWithoutAFullQueueSayThePoolWasUnavailable() {
        Fixtures.Pool pool = pool();
        pool.rejected = 40;
        pool.maxQueued = 5;
        List<Advice> advice = advise(pool);
        assertThat(rules(advice)).containsExactly("rejectedWhileUnavailable");
        assertThat(advice.get(0).severity()).isEqualTo(Advice.Severity.INFO);
    }

    @Test
    void aFewRejectionsAmongManyRequestsAreNoAdvice() {
        Fixtures.Pool pool = pool();
        pool.served = 1_000_000;
        pool.rejected = 999; // just under 0.1%
        pool.maxQueued = 100;
        assertThat(advise(pool)).isEmpty();
    }

    @Test
    void frequentDemandStartsAdviseALongerIdleTimeout() {
        Fixtures.Pool pool = pool();
        pool.activations = 12;
        pool.restarts = 1;
        pool.recycles = 1; // 10 demand starts in 2 hours: 5 per hour
        List<Advice> advice = advise(pool);
        assertThat(rules(advice)).containsExactly("raiseIdleTimeout");
        assertThat(advice.get(0).message()).contains("started on demand 10 times in 2h (5.0 per hour)", "idleTimeout (now 20m)",
                "AlwaysRunning");
        assertThat(advice.get(0).figures()).containsEntry("demandStarts", 10L).containsEntry("perHour", 5.0);
    }

    @Test
    void demandStartsBelowTheRateOrForAnAlwaysRunningPoolAreNoAdvice() {
        Fixtures.Pool pool = pool();
        pool.activations = 7; // 3.5 per hour over 2 hours
        assertThat(advise(pool)).isEmpty();
        pool.activations = 100;
        pool.settings(Map.of("startMode", "AlwaysRunning"));
        assertThat(advise(pool)).isEmpty();
    }

    @Test
    void aFreshServerIsJudgedOnAtLeastItsMinimumUptime() {
        Fixtures.Pool pool = pool();
        pool.activations = 3; // in 1 minute; counted over 15 minutes: 12 per hour
        StatusReport report = report(List.of(pool.snapshot()));
        StatusReport fresh = new StatusReport(report.time(), report.time().minusSeconds(60), report.statusStartTime(),
                report.system(), true, "nio", 0, report.listeners(), report.requests(), report.pools(), Map.of(), report.history(),
                List.of());
        assertThat(rules(advisor.advise(fresh))).containsExactly("raiseIdleTimeout");
        assertThat(advisor.advise(fresh).get(0).figures()).containsEntry("perHour", 12.0);
    }

    @Test
    void highAllocationPerRequestIsReportedWithTheAverage() {
        Fixtures.Pool pool = pool();
        pool.allocatedBytes = pool.served * 3 * 1024 * 1024;
        List<Advice> advice = advise(pool);
        assertThat(rules(advice)).containsExactly("highAllocation");
        assertThat(advice.get(0).message()).contains("3072 KiB each");
        assertThat(advice.get(0).figures()).containsEntry("allocatedBytesPerRequest", 3L * 1024 * 1024);

        pool.served = Advisor.MIN_REQUESTS - 1;
        assertThat(advise(pool)).as("too few requests").isEmpty();
    }

    @Test
    void orphanedThreadsAreAWarning() {
        Fixtures.Pool pool = pool();
        pool.orphans = 2;
        List<Advice> advice = advise(pool);
        assertThat(rules(advice)).containsExactly("orphanedThreads");
        assertThat(advice.get(0).severity()).isEqualTo(Advice.Severity.WARNING);
        assertThat(advice.get(0).message()).contains("2 worker threads did not stop");
        assertThat(advice.get(0).figures()).containsEntry("orphans", 2L).containsEntry("requestTimeout", "1m30s");
    }

    @Test
    void requestTimeoutsAndServerErrorsBeyondTheirShareAreWarnings() {
        Fixtures.Pool pool = pool();
        pool.timeouts = 20;
        pool.serverErrors = 150;
        assertThat(rules(advise(pool))).containsExactlyInAnyOrder("requestTimeouts", "serverErrors");
        pool.timeouts = 5;  // 0.05%
        pool.serverErrors = 50; // 0.5%
        assertThat(advise(pool)).isEmpty();
    }

    @Test
    void anAppNearItsSessionLimitIsInfoAndOneDroppingSessionsIsAWarning() {
        Fixtures.Pool pool = pool();
        pool.settings(Map.of("maxSessions", 100));
        pool.apps = List.of(new PoolSnapshot.AppView("shop/app", true, 95, 400, 0));
        List<Advice> near = advise(pool);
        assertThat(rules(near)).containsExactly("sessionsNearLimit");
        assertThat(near.get(0).severity()).isEqualTo(Advice.Severity.INFO);
        assertThat(near.get(0).message()).contains("app shop/app holds 95 sessions of maxSessions 100");

        pool.apps = List.of(new PoolSnapshot.AppView("shop/app", true, 100, 900, 800));
        List<Advice> full = advise(pool);
        assertThat(full.get(0).severity()).isEqualTo(Advice.Severity.WARNING);
        assertThat(full.get(0).message()).contains("dropped 800 sessions");
        assertThat(full.get(0).figures()).containsEntry("sessionsEvicted", 800L).containsEntry("maxSessions", 100);

        pool.apps = List.of(new PoolSnapshot.AppView("shop/app", true, 89, 400, 0));
        assertThat(advise(pool)).isEmpty();
    }

    @Test
    void returningUsersLosingTheirSessionsMeansTheLimitIsTooLow() {
        Fixtures.Pool pool = pool();
        pool.settings(Map.of("maxSessions", 1000));
        pool.apps = List.of(new PoolSnapshot.AppView("shop/app", true, 1000, 5000, 4000, 100, 900, 3950, 50));
        List<Advice> advice = advise(pool);
        assertThat(rules(advice)).containsExactly("returningSessionsEvicted");
        assertThat(advice.get(0).severity()).isEqualTo(Advice.Severity.WARNING);
        assertThat(advice.get(0).message()).contains("app shop/app dropped 50 sessions of returning users",
                "the limit is too low", "raise maxSessions in pool shop");
        assertThat(advice.get(0).figures()).containsEntry("returningSessionsEvicted", 50L).containsEntry("returningSessions", 900)
                .containsEntry("newSessionsEvicted", 3950L);
    }

    @Test
    void onlyNeverReusedSessionsDroppedIsOneShotChurnNotALimitTooLow() {
        Fixtures.Pool pool = pool();
        pool.settings(Map.of("maxSessions", 1000));
        pool.apps = List.of(new PoolSnapshot.AppView("shop/app", true, 1000, 100_200, 99_200, 800, 200, 99_200, 0));
        List<Advice> advice = advise(pool);
        assertThat(rules(advice)).containsExactly("oneShotSessions");
        assertThat(advice.get(0).message()).contains("dropped 99200 sessions that were never used again",
                "no returning user lost theirs", "script or crawler without cookies", "request.session(false)")
                .doesNotContain("limit is too low");
        assertThat(advice.get(0).figures()).containsEntry("newSessionsEvicted", 99_200L).containsEntry("returningSessionsEvicted", 0L);
    }

    @Test
    void aDisabledPoolIsAWarningAndAStoppedOneInfo() {
        Fixtures.Pool pool = pool();
        pool.state = PoolState.DISABLED;
        pool.failures = 5;
        List<Advice> advice = advise(pool);
        assertThat(rules(advice)).containsExactly("poolDisabled");
        assertThat(advice.get(0).message()).contains("fastpool:start shop");
        pool.state = PoolState.STOPPED;
        assertThat(advise(pool).get(0).severity()).isEqualTo(Advice.Severity.INFO);
    }

    @Test
    void refusedConnectionsAndSlowSendersAreServerWideInfo() {
        StatusReport report = report(List.of());
        StatusReport refusing = new StatusReport(report.time(), report.startTime(), report.statusStartTime(), report.system(), true,
                "nio", 4, List.of(Fixtures.listenAddress("tcp:127.0.0.1:9000", 10, 2, 3)), report.requests(), List.of(), Map.of(),
                report.history(), List.of());
        List<Advice> advice = advisor.advise(refusing);
        assertThat(rules(advice)).containsExactly("connectionsRefused", "slowSendersCutOff");
        assertThat(advice).allSatisfy(a -> assertThat(a.pool()).isNull());
        assertThat(advice.get(0).message()).contains("tcp:127.0.0.1:9000 refused 3 connections");
    }

    @Test
    void warningsComeBeforeInfoAcrossPools() {
        Fixtures.Pool first = pool().name("a");
        first.activations = 50;
        Fixtures.Pool second = pool().name("b");
        second.orphans = 1;
        List<Advice> advice = advisor.advise(report(List.of(first.snapshot(), second.snapshot())));
        assertThat(rules(advice)).containsExactly("orphanedThreads", "raiseIdleTimeout");
    }

    @Test
    void durationsAreWrittenAsTheSettingsAre() {
        assertThat(Advisor.duration(java.time.Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(Advisor.duration(java.time.Duration.ofMinutes(20))).isEqualTo("20m");
        assertThat(Advisor.duration(java.time.Duration.ofHours(26))).isEqualTo("1d2h");
        assertThat(Advisor.duration(java.time.Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(Advisor.duration(java.time.Duration.ZERO)).isEqualTo("0");
    }
}
