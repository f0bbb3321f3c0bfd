package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import io.fastpool.api.spi.Exchange;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolState;
import io.fastpool.testkit.FakeExchange;
import io.fastpool.testkit.FakeRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PoolTest {

    private final ExecutorService responder = Executors.newCachedThreadPool();
    private final List<List<App>> updates = new CopyOnWriteArrayList<>();
    private final List<Pool> pools = new ArrayList<>();
    /** The hosts' admission executor; null: the responder's. */
    private volatile Executor admission;
    /** Plays a transport thread: submits while the test holds the pool lock. */
    private final ExecutorService transport = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutdown() {
        pools.forEach(Pool::shutdown);
        responder.shutdownNow();
        transport.shutdownNow();
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path folder;
    private final AccessLogWriter accessLogs = new AccessLogWriter(1000, 1000);

    /** The pools' clock: tests move it past time-outs instead of sleeping. */
    private final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

    private void advance(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private Pool pool(Map<String, ?> settings) {
        Pool pool = new Pool("test", PoolSettingsParser.apply(PoolSettings.DEFAULTS, settings), new PoolHost() {
            @Override
            public java.util.function.LongSupplier clock() {
                return clock::get;
            }

            @Override
            public AccessLogWriter accessLogWriter() {
                return accessLogs;
            }

            @Override
            public java.nio.file.Path resolve(String file) {
                return folder.resolve(file);
            }

            @Override
            public void updateBundles(List<App> apps) {
                updates.add(apps);
            }

            @Override
            public Executor responder() {
                return responder;
            }

            @Override
            public Executor admission() {
                return admission != null ? admission : responder;
            }
        });
        pools.add(pool);
        return pool;
    }

    private static WebApp text(String text) {
        return (request, response) -> response.body().write(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await(what).pollInSameThread().atMost(java.time.Duration.ofSeconds(10)).pollDelay(java.time.Duration.ZERO)
                .pollInterval(java.time.Duration.ofMillis(10)).until(condition::getAsBoolean);
    }

    @Test
    void noThreadExistsBeforeTheFirstRequestAndTheHandlerRunsOnAPoolThreadWithTheAppsClassLoader() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        FakeApp app = new FakeApp("bundle/hello", (request, response) -> {
            seen.add(Thread.currentThread().getName());
            seen.add(String.valueOf(Thread.currentThread().getContextClassLoader() != null));
        });
        Pool pool = pool(Map.of());
        pool.addApp(app);
        assertThat(pool.threads()).isZero();
        assertThat(app.activations).hasValue(0);

        FakeExchange exchange = new FakeExchange("/app/x");
        pool.submit(app, exchange);
        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(seen.get(0)).startsWith("fastpool-pool-test-");
        assertThat(app.activations).as("activated by the first request").hasValue(1);
        assertThat(pool.snapshot().counters().served()).isEqualTo(1);
        assertThat(pool.snapshot().counters().activations()).isEqualTo(1);
    }

    @Test
    void theHandlerSeesTheAppsClassLoaderAsContextClassLoader() throws Exception {
        List<ClassLoader> seen = new CopyOnWriteArrayList<>();
        FakeApp app = new FakeApp("bundle/cl", (request, response) -> seen.add(Thread.currentThread().getContextClassLoader()));
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/app");
        pool.submit(app, exchange);
        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(seen).containsExactly(app.loader);
    }

    @Test
    void aRequestArrivingWhileThePoolLockIsTakenIsHandedOverWithoutWaitingAndRunsOnceTheLockIsFree() throws Exception {
        FakeApp app = new FakeApp("bundle/hello", text("hi"));
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/app");
        pool.lock().lock(); // a holder the scheduler has set aside
        try {
            Future<?> submitted = transport.submit(() -> pool.submit(app, exchange));
            submitted.get(10, TimeUnit.SECONDS); // returns while the lock is still taken: it did not wait for it
            assertThat(exchange.completed.getCount()).as("not run while the lock is taken").isEqualTo(1);
        } finally {
            pool.lock().unlock();
        }
        assertThat(exchange.awaitCompletion()).as("admitted once the lock is free").isTrue();
        assertThat(exchange.response.text()).isEqualTo("hi");
    }

    @Test
    void requestsHandedOverRunInTheOrderTheyArrivedAndAreRefusedLikeAnyOtherWhenTheQueueIsFull() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        FakeApp app = new FakeApp("bundle/ordered", (request, response) -> {
            ran.add(request.path());
            release.await();
        });
        Pool pool = pool(Map.of("maxThreads", 1, "queueLength", 3));
        pool.addApp(app);
        List<FakeExchange> exchanges = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            exchanges.add(new FakeExchange("/app/" + i));
        }
        pool.lock().lock();
        try {
            for (FakeExchange exchange : exchanges) {
                transport.submit(() -> pool.submit(app, exchange)).get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.lock().unlock();
        }
        // All five are admitted in one pass, before the worker takes the first: three fill the queue
        // (queueLength 3), and the fourth and fifth are refused as any request would be.
        for (FakeExchange refused : exchanges.subList(3, 5)) {
            assertThat(refused.awaitCompletion()).isTrue();
            assertThat(refused.response.status).isEqualTo(503);
            assertThat(refused.response.header("Retry-After")).isEqualTo("1");
        }
        release.countDown();
        for (FakeExchange exchange : exchanges.subList(0, 3)) {
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        assertThat(ran).containsExactly("/app/0", "/app/1", "/app/2");
    }

    @Test
    void withNoAdmissionThreadToSpareTheTransportThreadWaitsForTheLockAndNothingIsLost() throws Exception {
        admission = task -> {
            throw new RejectedExecutionException("saturated");
        };
        FakeApp app = new FakeApp("bundle/hello", text("hi"));
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/app");
        Future<?> submitted;
        pool.lock().lock();
        try {
            submitted = transport.submit(() -> pool.submit(app, exchange));
            await("the transport thread waiting for the lock", () -> pool.lock().getQueueLength() == 1);
            assertThat(submitted).isNotDone();
        } finally {
            pool.lock().unlock();
        }
        submitted.get(10, TimeUnit.SECONDS);
        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.text()).isEqualTo("hi");
    }

    @Test
    void aFullQueueIsAnswered503WithRetryAfterAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeApp app = new FakeApp("bundle/slow", (request, response) -> release.await());
        Pool pool = pool(Map.of("maxThreads", 1, "queueLength", 2));
        pool.addApp(app);
        List<FakeExchange> exchanges = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            exchanges.add(new FakeExchange("/app/" + i));
        }
        pool.submit(app, exchanges.get(0));
        await("the first request running", () -> pool.snapshot().busyThreads() == 1);
        pool.submit(app, exchanges.get(1));
        pool.submit(app, exchanges.get(2));
        pool.submit(app, exchanges.get(3));
        assertThat(exchanges.get(3).completed.getCount()).as("rejected without waiting").isZero();
        assertThat(exchanges.get(3).response.status).isEqualTo(503);
        assertThat(exchanges.get(3).response.header("Retry-After")).isEqualTo("1");
        assertThat(pool.snapshot().queued()).isEqualTo(2);
        release.countDown();
        for (int i = 0; i < 3; i++) {
            assertThat(exchanges.get(i).awaitCompletion()).isTrue();
            assertThat(exchanges.get(i).response.status).isEqualTo(200);
        }
        assertThat(pool.snapshot().counters().rejected()).isEqualTo(1);
        assertThat(pool.snapshot().maxQueued()).isEqualTo(2);
    }

    @Test
    void threadsGrowWithTheLoadUpToMaxThreads() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        FakeApp app = new FakeApp("bundle/wide", (request, response) -> {
            peak.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            release.await();
            concurrent.decrementAndGet();
        });
        Pool pool = pool(Map.of("maxThreads", 3));
        pool.addApp(app);
        List<FakeExchange> exchanges = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            FakeExchange exchange = new FakeExchange("/app/" + i);
            exchanges.add(exchange);
            pool.submit(app, exchange);
        }
        await("three busy threads", () -> pool.snapshot().busyThreads() == 3);
        assertThat(pool.threads()).isEqualTo(3);
        assertThat(pool.snapshot().queued()).isEqualTo(3);
        release.countDown();
        for (FakeExchange exchange : exchanges) {
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        assertThat(peak).hasValue(3);
    }

    @Test
    void theIdleTimeoutReleasesTheInstanceAndEveryThreadAndTheNextRequestStartsItAgain() throws Exception {
        FakeApp app = new FakeApp("bundle/idle", text("hi"));
        Pool pool = pool(Map.of("idleTimeout", "200ms", "minThreads", 1));
        pool.addApp(app);
        FakeExchange first = new FakeExchange("/app");
        pool.submit(app, first);
        assertThat(first.awaitCompletion()).isTrue();
        assertThat(pool.threads()).isEqualTo(1);
        await("the worker back from its request", () -> pool.snapshot().busyThreads() == 0);

        advance(300);
        pool.check();
        assertThat(app.releases).hasValue(1);
        await("every thread to end", () -> pool.threads() == 0);

        FakeExchange next = new FakeExchange("/app");
        pool.submit(app, next);
        assertThat(next.awaitCompletion()).isTrue();
        assertThat(next.response.text()).isEqualTo("hi");
        assertThat(app.activations).hasValue(2);
    }

    @Test
    void aDormantPoolWithoutSessionsIsSkippedByTheWatchdogsRoundsUntilSomethingWakesIt() throws Exception {
        FakeApp app = new FakeApp("bundle/idle", text("hi"));
        Pool pool = pool(Map.of("idleTimeout", "200ms"));
        pool.addApp(app);
        pool.check();
        assertThat(pool.asleep()).as("an OnDemand pool not yet asked for").isTrue();

        FakeExchange first = new FakeExchange("/app");
        pool.submit(app, first);
        assertThat(pool.asleep()).as("woken by a request").isFalse();
        assertThat(first.awaitCompletion()).isTrue();
        await("the worker back from its request", () -> pool.snapshot().busyThreads() == 0);
        pool.check();
        assertThat(pool.asleep()).as("idle, but the idle time-out has not passed").isFalse();
        advance(300);
        pool.check();
        pool.check();
        assertThat(app.releases).hasValue(1);
        assertThat(pool.asleep()).as("released").isTrue();

        pool.stop();
        assertThat(pool.asleep()).as("woken by a state change").isFalse();
        pool.start();
        pool.check();
        assertThat(pool.asleep()).as("a started pool holds its instances until the idle time-out").isFalse();
        pool.check();
        assertThat(pool.asleep()).isTrue();
        pool.updateSettings(PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("idleTimeout", "200ms", "recycleAfterTime", "1h")));
        pool.check();
        assertThat(pool.asleep()).as("a pool with recycleAfterTime has an age to watch").isFalse();
    }

    @Test
    void aDormantPoolStaysInTheRoundsWhileItHoldsSessionsSoTheyExpire() throws Exception {
        FakeApp app = new FakeApp("bundle/sessions", (request, response) -> request.session(true),
                () -> TimeUnit.NANOSECONDS.toMillis(clock.get()));
        Pool pool = pool(Map.of("idleTimeout", "200ms", "sessionTimeout", "1s"));
        pool.addApp(app);
        FakeExchange first = new FakeExchange("/app");
        pool.submit(app, first);
        assertThat(first.awaitCompletion()).isTrue();
        await("the worker back from its request", () -> pool.snapshot().busyThreads() == 0);
        advance(300);
        pool.check();
        pool.check();
        assertThat(app.releases).hasValue(1);
        assertThat(pool.asleep()).as("released, but a session is left to expire").isFalse();

        advance(1_000);
        pool.expireSessions();
        pool.check();
        assertThat(app.sessions().size()).isZero();
        assertThat(pool.asleep()).isTrue();
    }

    /** An app that opens a session on each request and listens for the ends its store decides. */
    private static final class SessionListeningApp implements WebApp, io.fastpool.api.SessionEndListener {
        final List<String> heard = new CopyOnWriteArrayList<>();

        @Override
        public void handle(io.fastpool.api.Request request, io.fastpool.api.Response response) {
            request.session(true);
        }

        @Override
        public boolean listensForSessionEnds() {
            return true;
        }

        @Override
        public void sessionEnded(io.fastpool.api.Session session) {
            heard.add(session.id());
        }
    }

    @Test
    void theIdleTimeoutKeepsAnAppThatListensForSessionEndsUntilItsSessionsHaveEndedSoEveryEndIsHeard() throws Exception {
        SessionListeningApp instance = new SessionListeningApp();
        FakeApp app = new FakeApp("bundle/listening", instance, () -> TimeUnit.NANOSECONDS.toMillis(clock.get()));
        Pool pool = pool(Map.of("idleTimeout", "200ms", "sessionTimeout", "1s"));
        pool.addApp(app);
        FakeExchange first = new FakeExchange("/app");
        pool.submit(app, first);
        assertThat(first.awaitCompletion()).isTrue();
        await("the worker back from its request", () -> pool.snapshot().busyThreads() == 0);
        advance(300);
        pool.check();
        assertThat(app.releases).as("idle, but holding a session whose end it listens for").hasValue(0);

        advance(1_000);
        pool.expireSessions();
        await("the session's end to be heard", () -> instance.heard.size() == 1);
        pool.check();
        assertThat(app.releases).as("no session left: the idle time-out releases it").hasValue(1);
    }

    @Test
    void aRequestPastItsTimeoutIsInterruptedAndAnswered504() throws Exception {
        AtomicInteger interrupted = new AtomicInteger();
        FakeApp app = new FakeApp("bundle/sleepy", (request, response) -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
        });
        Pool pool = pool(Map.of("requestTimeout", "200ms"));
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/app");
        pool.submit(app, exchange);
        await("the request to run", () -> pool.snapshot().busyThreads() == 1);
        advance(300);
        pool.check();
        assertThat(exchange.awaitCompletion()).isTrue();
        await("the 504", () -> exchange.response.status == 504);
        await("the interrupt", () -> interrupted.get() == 1);
        assertThat(pool.snapshot().counters().timeouts()).isEqualTo(1);
        assertThat(pool.snapshot().counters().failures()).isZero();
    }

    @Test
    void aHandlerThatReturnsAtOnceWhenInterruptedStillAnswers504NotAnEmpty200() throws Exception {
        FakeApp app = new FakeApp("bundle/quick-to-quit", (request, response) -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                // returns normally, as many handlers do
            }
        });
        // No responder thread at all: only the worker can answer.
        Pool pool = new Pool("test", PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("requestTimeout", "100ms")), new PoolHost() {
            @Override
            public void updateBundles(List<App> apps) {
            }

            @Override
            public Executor responder() {
                return task -> { };
            }

            @Override
            public java.util.function.LongSupplier clock() {
                return clock::get;
            }
        });
        pools.add(pool);
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/app");
        pool.submit(app, exchange);
        await("the request to run", () -> pool.snapshot().busyThreads() == 1);
        advance(200);
        pool.check();
        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.status).isEqualTo(504);
    }

    @Test
    void aThreadThatIgnoresItsInterruptIsOrphanedCountedAndThePoolRecycled() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        FakeApp app = new FakeApp("bundle/stubborn", (request, response) -> {
            while (stuck.getCount() > 0) {
                Thread.onSpinWait(); // ignores interrupts
            }
        });
        Pool pool = pool(Map.of("requestTimeout", "100ms"));
        pool.watchdog().orphanGrace(TimeUnit.MILLISECONDS.toNanos(100));
        pool.addApp(app);
        pool.submit(app, new FakeExchange("/app"));
        await("the request to run", () -> pool.snapshot().busyThreads() == 1);
        advance(150);
        pool.check();
        advance(150);
        pool.check();
        await("a recycle", () -> updates.size() == 1);
        assertThat(pool.snapshot().counters().orphans()).isEqualTo(1);
        assertThat(pool.snapshot().counters().failures()).isEqualTo(0);
        stuck.countDown();

        // The pool serves on with a fresh thread.
        app.handler = text("again");
        FakeExchange next = new FakeExchange("/app");
        pool.submit(app, next);
        assertThat(next.awaitCompletion()).isTrue();
        assertThat(next.response.text()).isEqualTo("again");
    }

    @Test
    void anExceptionIsA500ForThatRequestAndNotAFailureOfThePool() throws Exception {
        FakeApp app = new FakeApp("bundle/buggy", (request, response) -> {
            throw new IllegalStateException("secret detail");
        });
        Pool pool = pool(Map.of("rapidFailMaxFailures", 1));
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/app");
        pool.submit(app, exchange);
        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.status).isEqualTo(500);
        assertThat(exchange.response.text()).doesNotContain("secret detail");
        assertThat(pool.state()).isEqualTo(PoolState.RUNNING);
        assertThat(pool.snapshot().counters().serverErrors()).isEqualTo(1);
    }

    @Test
    void errorsThrownByTheAppTripRapidFailProtectionAndTheDisabledPoolAnswers503UntilStarted() throws Exception {
        FakeApp app = new FakeApp("bundle/crashing", (request, response) -> {
            throw new LinkageError("broken app");
        });
        Pool pool = pool(Map.of("rapidFailMaxFailures", 3, "rapidFailInterval", "1m"));
        pool.addApp(app);
        for (int i = 0; i < 3; i++) {
            FakeExchange exchange = new FakeExchange("/app");
            pool.submit(app, exchange);
            assertThat(exchange.awaitCompletion()).isTrue();
            assertThat(exchange.response.status).isEqualTo(500);
        }
        assertThat(pool.state()).isEqualTo(PoolState.DISABLED);
        FakeExchange refused = new FakeExchange("/app");
        pool.submit(app, refused);
        assertThat(refused.response.status).isEqualTo(503);
        assertThat(refused.response.header("Retry-After")).isEqualTo("60");

        app.handler = text("fixed");
        pool.start();
        FakeExchange served = new FakeExchange("/app");
        pool.submit(app, served);
        assertThat(served.awaitCompletion()).isTrue();
        assertThat(served.response.text()).isEqualTo("fixed");
        assertThat(pool.snapshot().counters().failures()).isEqualTo(3);
    }

    @Test
    void activationFailuresCountTowardRapidFailToo() throws Exception {
        FakeApp app = new FakeApp("bundle/unstartable", text("never"));
        app.activationFailure = new IllegalStateException("no database");
        Pool pool = pool(Map.of("rapidFailMaxFailures", 2));
        pool.addApp(app);
        for (int i = 0; i < 2; i++) {
            FakeExchange exchange = new FakeExchange("/app");
            pool.submit(app, exchange);
            assertThat(exchange.awaitCompletion()).isTrue();
            assertThat(exchange.response.status).isEqualTo(503);
        }
        assertThat(pool.state()).isEqualTo(PoolState.DISABLED);
    }

    @Test
    void aStoppedPoolAnswers503AndServesAgainWhenStarted() throws Exception {
        FakeApp app = new FakeApp("bundle/stoppable", text("on"));
        Pool pool = pool(Map.of());
        pool.addApp(app);
        pool.stop();
        FakeExchange refused = new FakeExchange("/app");
        pool.submit(app, refused);
        assertThat(refused.response.status).isEqualTo(503);
        pool.start();
        FakeExchange served = new FakeExchange("/app");
        pool.submit(app, served);
        assertThat(served.awaitCompletion()).isTrue();
        assertThat(served.response.text()).isEqualTo("on");
    }

    @Test
    void requestsWaitWhileTheAppIsAwayAndRunWhenItComesBack() throws Exception {
        FakeApp app = new FakeApp("bundle/updating", text("v1"));
        Pool pool = pool(Map.of());
        pool.addApp(app);
        app.available = false;
        FakeExchange waiting = new FakeExchange("/app");
        pool.submit(app, waiting);
        advance(200);
        pool.check();
        assertThat(waiting.completed.getCount()).as("waits, does not fail").isEqualTo(1);
        app.handler = text("v2");
        app.available = true;
        pool.appAvailable(app);
        assertThat(waiting.awaitCompletion()).isTrue();
        assertThat(waiting.response.text()).isEqualTo("v2");
    }

    @Test
    void anAppThatVanishesWhileARequestIsTakenLeavesTheRequestWaitingNotFailed() throws Exception {
        FakeApp app = new FakeApp("bundle/racing", text("after the swap"));
        Pool pool = pool(Map.of("rapidFailMaxFailures", 1));
        pool.addApp(app);
        app.vanishOnce = true;
        FakeExchange exchange = new FakeExchange("/app");
        pool.submit(app, exchange);
        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.status).isEqualTo(200);
        assertThat(exchange.response.text()).isEqualTo("after the swap");
        assertThat(pool.snapshot().counters().failures()).isZero();
        assertThat(pool.state()).isEqualTo(PoolState.RUNNING);
    }

    @Test
    void aRequestWaitingLongerThanTheStartupTimeLimitIsAnswered503() throws Exception {
        FakeApp app = new FakeApp("bundle/gone", text("never"));
        app.available = false;
        Pool pool = pool(Map.of("startupTimeLimit", "100ms"));
        pool.addApp(app);
        FakeExchange waiting = new FakeExchange("/app");
        pool.submit(app, waiting);
        advance(150);
        pool.check();
        assertThat(waiting.awaitCompletion()).isTrue();
        assertThat(waiting.response.status).isEqualTo(503);
    }

    @Test
    void aRecycleDrainsUpdatesTheBundlesAndRunsTheWaitingRequestsOnTheNewCode() throws Exception {
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        FakeApp app = new FakeApp("bundle/swap", (request, response) -> {
            inFlight.countDown();
            finish.await();
            response.body().write("old".getBytes(StandardCharsets.UTF_8));
        });
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange running = new FakeExchange("/app");
        pool.submit(app, running);
        inFlight.await();

        Thread recycler = new Thread(pool::recycle);
        recycler.start();
        await("draining", () -> pool.state() == PoolState.DRAINING);
        FakeExchange waiting = new FakeExchange("/app");
        pool.submit(app, waiting);
        await("the new request waiting in the queue", () -> pool.snapshot().queued() == 1);
        // The recycler waits for the running request, which waits for the test: no update can have happened.
        assertThat(pool.state()).isEqualTo(PoolState.DRAINING);
        assertThat(updates).as("no update while a request runs").isEmpty();
        assertThat(waiting.completed.getCount()).isEqualTo(1);

        app.handler = text("new");
        finish.countDown();
        recycler.join(5000);
        assertThat(running.awaitCompletion()).isTrue();
        assertThat(running.response.text()).isEqualTo("old");
        assertThat(updates).hasSize(1);
        assertThat(waiting.awaitCompletion()).isTrue();
        assertThat(waiting.response.text()).isEqualTo("new");
        assertThat(pool.state()).isEqualTo(PoolState.RUNNING);
        assertThat(pool.snapshot().counters().recycles()).isEqualTo(1);
        assertThat(app.releases).hasValue(1);
    }

    @Test
    void anUndeployedAppsWaitingRequestsAreAnswered503() throws Exception {
        FakeApp app = new FakeApp("bundle/leaving", text("never"));
        app.available = false;
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange waiting = new FakeExchange("/app");
        pool.submit(app, waiting);
        pool.removeApp(app);
        assertThat(waiting.awaitCompletion()).isTrue();
        assertThat(waiting.response.status).isEqualTo(503);
        assertThat(pool.isEmpty()).isTrue();
    }

    @Test
    void anAbortedRequestInterruptsItsHandler() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        FakeApp app = new FakeApp("bundle/abortable", (request, response) -> {
            started.countDown();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
            }
        });
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/app");
        pool.submit(app, exchange);
        started.await();
        exchange.cancel();
        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(interrupted).hasValue(1);
    }

    @Test
    void latencyCpuAndAllocationAreCounted() throws Exception {
        FakeApp app = new FakeApp("bundle/busy", (request, response) -> {
            byte[][] garbage = new byte[100][];
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = new byte[1024];
            }
            response.body().write(garbage.length);
        });
        Pool pool = pool(Map.of());
        pool.addApp(app);
        for (int i = 0; i < 20; i++) {
            FakeExchange exchange = new FakeExchange("/app");
            pool.submit(app, exchange);
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        var snapshot = pool.snapshot();
        assertThat(snapshot.latency().count()).isEqualTo(20);
        assertThat(snapshot.queueWait().count()).isEqualTo(20);
        assertThat(snapshot.counters().cpuNanos()).isPositive();
        assertThat(snapshot.counters().allocatedBytes()).isGreaterThan(20 * 100 * 1024L);
    }

    @Test
    void theWatchdogEndsTheIntervalAndEverySnapshotCarriesTheSameOne() throws Exception {
        FakeApp app = new FakeApp("bundle/timed", (request, response) -> response.body().write(1));
        Pool pool = pool(Map.of());
        pool.addApp(app);
        for (int i = 0; i < 5; i++) {
            FakeExchange exchange = new FakeExchange("/app");
            pool.submit(app, exchange);
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        assertThat(pool.snapshot().lastInterval()).isEqualTo(io.fastpool.pool.PoolSnapshot.Interval.NONE);
        advance(5000);
        pool.check();
        advance(1000);
        var first = pool.snapshot().lastInterval();
        var second = pool.snapshot().lastInterval();
        assertThat(first.latency().count()).isEqualTo(5);
        assertThat(first.queueWait().count()).isEqualTo(5);
        assertThat(first.lengthMillis()).isEqualTo(5000);
        assertThat(first.endedMillisAgo()).isEqualTo(1000);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void recycleAfterRequestsFiresAtEveryMultipleUnderConcurrency() throws Exception {
        FakeApp app = new FakeApp("bundle/counted", (request, response) -> response.body().write(1));
        Pool pool = pool(Map.of("maxThreads", 4, "recycleAfterRequests", 10));
        pool.addApp(app);
        int clients = 4;
        int each = 250;
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(clients);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(senders.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        FakeExchange exchange = new FakeExchange("/app");
                        pool.submit(app, exchange);
                        assertThat(exchange.awaitCompletion()).isTrue();
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        // A worker numbers its request after completing it: wait until the last one has.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.threads() > 0 && pool.snapshot().busyThreads() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(pool.watchdog().recycleRequests).hasValue(clients * each / 10);
    }

    @Test
    void aWorkerStuckSendingTheEndOfAnAnswerDoesNotHoldUpTheQueue() throws Exception {
        FakeApp app = new FakeApp("bundle/stuck", (request, response) -> response.body().write(1));
        Pool pool = pool(Map.of("maxThreads", 2));
        pool.addApp(app);
        FakeExchange stuck = new FakeExchange("/app");
        CountDownLatch gate = new CountDownLatch(1);
        stuck.completeGate = gate; // its connection takes nothing: complete() does not return
        try {
            pool.submit(app, stuck);
            assertThat(stuck.completing.await(5, TimeUnit.SECONDS)).isTrue(); // answered, now stuck sending its end
            FakeExchange next = new FakeExchange("/app");
            pool.submit(app, next);
            // The manager's watchdog runs check() every 200 ms; here the test is the watchdog.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (next.completed.getCount() > 0 && System.nanoTime() < deadline) {
                advance(25); // past the finishing grace
                pool.check();
                next.completed.await(50, TimeUnit.MILLISECONDS);
            }
            assertThat(next.completed.getCount()).as("the next request is served by another thread").isZero();
            assertThat(pool.threads()).isEqualTo(2);
        } finally {
            gate.countDown();
        }
        assertThat(stuck.awaitCompletion()).isTrue();
    }

    @Test
    void oneClientSendingRequestsOneAfterAnotherIsServedByOneThread() throws Exception {
        FakeApp app = new FakeApp("bundle/sequential", (request, response) -> response.body().write(1));
        Pool pool = pool(Map.of("maxThreads", 8));
        pool.addApp(app);
        for (int i = 0; i < 2_000; i++) {
            FakeExchange exchange = new FakeExchange("/app");
            pool.submit(app, exchange);
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        assertThat(pool.threads()).as("a worker that has answered comes back for the next request; none is added").isEqualTo(1);
    }

    @Test
    void withStatisticsOffCountsAreKeptButNothingIsMeasured() throws Exception {
        FakeApp app = new FakeApp("bundle/quiet", (request, response) -> response.body().write(new byte[4096]));
        Pool pool = pool(Map.of("statistics", "false"));
        pool.addApp(app);
        for (int i = 0; i < 20; i++) {
            FakeExchange exchange = new FakeExchange("/app");
            pool.submit(app, exchange);
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        var snapshot = pool.snapshot();
        assertThat(snapshot.counters().served()).isEqualTo(20);
        assertThat(snapshot.latency().count()).isZero();
        assertThat(snapshot.queueWait().count()).isZero();
        assertThat(snapshot.counters().cpuNanos()).isZero();
        assertThat(snapshot.counters().allocatedBytes()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("statistics", "maybe")))
                .hasMessage("statistics must be true or false, was 'maybe'");
    }

    @Test
    void settingsChangedAtRuntimeApplyToTheRunningPool() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeApp app = new FakeApp("bundle/tuned", (request, response) -> release.await());
        Pool pool = pool(Map.of("maxThreads", 1, "queueLength", 1));
        pool.addApp(app);
        pool.submit(app, new FakeExchange("/app"));
        await("one running", () -> pool.snapshot().busyThreads() == 1);
        pool.updateSettings(PoolSettingsParser.apply(pool.settings(), Map.of("maxThreads", 2, "queueLength", 5)));
        FakeExchange second = new FakeExchange("/app");
        pool.submit(app, second);
        await("a second thread", () -> pool.snapshot().busyThreads() == 2);
        release.countDown();
        assertThat(second.awaitCompletion()).isTrue();
        assertThat(pool.settings().queueLength()).isEqualTo(5);
    }

    @Test
    void requestTimeoutsAreConfigurableDurations() {
        assertThat(PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("requestTimeout", "1500ms")).requestTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void eachRequestWritesAnAccessLogLineAndAChangedSettingMovesTheLog() throws Exception {
        FakeApp app = new FakeApp("bundle/logged", (request, response) -> response.setStatus(201));
        Pool pool = pool(Map.of("accessLog", "log/access.log", "accessFormat", "%n %a %m %r %s"));
        pool.addApp(app);
        for (String uri : new String[] {"/app/one", "/app/two?x=1"}) {
            FakeExchange exchange = new FakeExchange(uri);
            pool.submit(app, exchange);
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        java.nio.file.Path log = folder.resolve("log/access.log");
        await("two access log lines", () -> lines(log).size() == 2);
        assertThat(lines(log)).containsExactly("test bundle/logged GET /app/one 201", "test bundle/logged GET /app/two?x=1 201");

        pool.updateSettings(PoolSettingsParser.apply(pool.settings(), Map.of("accessLog", "other.log")));
        FakeExchange third = new FakeExchange("/app/three");
        pool.submit(app, third);
        assertThat(third.awaitCompletion()).isTrue();
        await("the line in the new file", () -> lines(folder.resolve("other.log")).size() == 1);
        assertThat(lines(log)).hasSize(2);
        assertThat(pool.snapshot().counters().accessLogDropped()).isZero();

        pool.updateSettings(PoolSettingsParser.apply(pool.settings(), Map.of("accessLog", "")));
        FakeExchange fourth = new FakeExchange("/app/four");
        pool.submit(app, fourth);
        assertThat(fourth.awaitCompletion()).isTrue();
        // One writer appends lines in the order they were offered: once a later request's line is in
        // a third file, a line of the fourth request would have been written before it.
        pool.updateSettings(PoolSettingsParser.apply(pool.settings(), Map.of("accessLog", "third.log")));
        FakeExchange fifth = new FakeExchange("/app/five");
        pool.submit(app, fifth);
        assertThat(fifth.awaitCompletion()).isTrue();
        await("the fifth request's line", () -> lines(folder.resolve("third.log")).size() == 1);
        assertThat(lines(folder.resolve("third.log"))).containsExactly("test bundle/logged GET /app/five 201");
        assertThat(lines(folder.resolve("other.log"))).as("no access log once it is switched off").hasSize(1);
    }

    @Test
    void theAccessLogLineReadsTheRequestsVariablesBeforeItsExchangeCompletesAndEndsThem() throws Exception {
        FakeApp app = new FakeApp("bundle/logged", (request, response) -> response.setStatus(200));
        Pool pool = pool(Map.of("accessLog", "vars.log", "accessFormat", "%R %{HTTP_USER_AGENT}e %r"));
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange(new FakeRequest("GET", "/app/x").remoteAddress("192.0.2.7")
                .variable("HTTP_USER_AGENT", "curl/8"));
        pool.submit(app, exchange);
        assertThat(exchange.awaitCompletion()).isTrue();
        assertThatThrownBy(exchange.request::remoteAddress).as("the fake ends the request as a front does")
                .isInstanceOf(IllegalStateException.class);
        await("the line", () -> lines(folder.resolve("vars.log")).size() == 1);
        assertThat(lines(folder.resolve("vars.log"))).containsExactly("192.0.2.7 curl/8 /app/x");
    }

    @Test
    void aWorkerWhoseRequestFailsToEndLivesOnAndServesTheNext() throws Exception {
        FakeApp app = new FakeApp("bundle/ends", (request, response) -> response.setStatus(200));
        Pool pool = pool(Map.of("maxThreads", 1));
        pool.addApp(app);
        FakeExchange broken = new FakeExchange("/app/broken");
        AtomicInteger completes = new AtomicInteger();
        pool.submit(app, new Exchange() {
            @Override public Request request() { return broken.request(); }
            @Override public Response response() { return broken.response(); }
            @Override public boolean isCancelled() { return false; }
            @Override public void onCancel(Runnable action) { }
            @Override public String describe() { return "the broken exchange"; }
            @Override public void complete() {
                if (completes.incrementAndGet() == 1) {
                    throw new IllegalStateException("a front that fails to end its request");
                }
                broken.complete();
            }
        });
        assertThat(broken.awaitCompletion()).as("ended by the worker's second try").isTrue();

        FakeExchange next = new FakeExchange("/app/next");
        pool.submit(app, next);
        assertThat(next.awaitCompletion()).isTrue();
        assertThat(next.response.status()).isEqualTo(200);
        assertThat(pool.snapshot().threads()).isEqualTo(1);
    }

    @Test
    void aSlowRequestHasItsWorkersStackLoggedOnceAndIsCounted() throws Exception {
        java.util.logging.Logger slowLog = java.util.logging.Logger.getLogger(Watchdog.SLOW_LOG);
        List<java.util.logging.LogRecord> records = new CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        slowLog.addHandler(handler);
        try {
            CountDownLatch release = new CountDownLatch(1);
            FakeApp app = new FakeApp("bundle/slow", (request, response) -> SlowHandler.waitFor(release));
            Pool pool = pool(Map.of("slowRequestTimeout", "200ms"));
            pool.addApp(app);
            FakeExchange exchange = new FakeExchange("/app/report");
            pool.submit(app, exchange);
            await("the request to run", () -> pool.snapshot().busyThreads() == 1);
            advance(250);
            pool.check();
            assertThat(records).as("logged at the first check past slowRequestTimeout").hasSize(1);
            for (int i = 0; i < 5; i++) {
                advance(20);
                pool.check();
            }
            release.countDown();
            assertThat(exchange.awaitCompletion()).isTrue();
            assertThat(records).as("logged once").hasSize(1);
            String message = records.get(0).getMessage();
            assertThat(message).startsWith("pool test: slow request, running ").contains("(slowRequestTimeout 200 ms): app bundle/slow")
                    .contains("/app/report").contains("thread fastpool-pool-test-")
                    .containsPattern("\n\tat [^\n]*" + java.util.regex.Pattern.quote(SlowHandler.class.getName() + ".waitFor("));
            assertThat(pool.snapshot().counters().slowRequests()).isEqualTo(1);
        } finally {
            slowLog.removeHandler(handler);
        }
    }

    /** A named frame for the slow log's stack to show. */
    static final class SlowHandler {
        static void waitFor(CountDownLatch latch) throws InterruptedException {
            latch.await();
        }
    }

    private static List<String> lines(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.exists(file) ? java.nio.file.Files.readAllLines(file) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
