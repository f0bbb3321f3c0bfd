package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.api.Detached;
import io.fastpool.api.WebApp;
import io.fastpool.pool.PoolSettings;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.pool.PoolState;
import io.fastpool.testkit.FakeExchange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Requests whose handlers detach them ({@code Request.detach()}) in a real pool, its clock moved by the test. */
@Timeout(30)
class DetachedRequestTest {

    private final ExecutorService responder = Executors.newCachedThreadPool();
    private final AtomicLong clock = new AtomicLong(System.nanoTime());
    private final List<List<App>> updates = new CopyOnWriteArrayList<>();
    private final List<Pool> pools = new ArrayList<>();
    /** What the detaching handler hands out: each request's detachment, in arrival order. */
    private final BlockingQueue<Detached> detached = new LinkedBlockingQueue<>();

    @AfterEach
    void shutdown() {
        pools.forEach(Pool::shutdown);
        responder.shutdownNow();
    }

    private Pool pool(Map<String, ?> settings) {
        Pool pool = new Pool("async", PoolSettingsParser.apply(PoolSettings.DEFAULTS, settings), new PoolHost() {
            @Override
            public java.util.function.LongSupplier clock() {
                return clock::get;
            }

            @Override
            public void updateBundles(List<App> apps) {
                updates.add(apps);
            }

            @Override
            public java.util.concurrent.Executor responder() {
                return responder;
            }
        });
        pools.add(pool);
        return pool;
    }

    private void advance(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** Writes {@code first}, then detaches the request and hands the detachment to the test. */
    private WebApp detaching(String first) {
        return (request, response) -> {
            response.body().write(first.getBytes(StandardCharsets.UTF_8));
            detached.add(request.detach());
        };
    }

    private Detached nextDetached() throws InterruptedException {
        Detached next = detached.poll(10, TimeUnit.SECONDS);
        assertThat(next).as("a handler detached its request").isNotNull();
        return next;
    }

    private static void await(String what, BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what).pollInSameThread().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5)).until(condition::getAsBoolean);
    }

    private static long detachedInFlight(Pool pool) {
        return pool.snapshot().inFlight().stream().filter(r -> r.thread().equals(PoolSnapshots.DETACHED)).count();
    }

    @Test
    void fiftyDetachedRequestsHoldNoThreadAndASyncRequestIsServedMeanwhileByTheOnlyWorker() throws Exception {
        FakeApp polls = new FakeApp("bundle/poll", detaching(""));
        FakeApp hello = new FakeApp("bundle/hello", (request, response) -> response.body().write("hi".getBytes(StandardCharsets.UTF_8)));
        Pool pool = pool(Map.of("maxThreads", 1));
        pool.addApp(polls);
        pool.addApp(hello);
        List<FakeExchange> waiting = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            FakeExchange exchange = new FakeExchange("/poll/" + i);
            waiting.add(exchange);
            pool.submit(polls, exchange);
        }
        List<Detached> handles = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            handles.add(nextDetached());
        }

        FakeExchange sync = new FakeExchange("/hello");
        pool.submit(hello, sync);

        assertThat(sync.awaitCompletion()).as("the sync request is answered while 50 wait").isTrue();
        assertThat(sync.response.text()).isEqualTo("hi");
        assertThat(pool.threads()).isEqualTo(1);
        assertThat(waiting).noneMatch(exchange -> exchange.completed.getCount() == 0);
        await("50 detached requests in flight", () -> detachedInFlight(pool) == 50);

        handles.forEach(Detached::complete);
        for (FakeExchange exchange : waiting) {
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        assertThat(pool.snapshot().counters().served()).isEqualTo(51);
        await("nothing in flight", () -> pool.snapshot().inFlight().isEmpty());
    }

    @Test
    void completeFromAnotherThreadSendsTheWholeResponseOnceAndRecordsItsLatency() throws Exception {
        FakeApp app = new FakeApp("bundle/poll", detaching("first "));
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/poll");
        pool.submit(app, exchange);
        Detached handle = nextDetached();
        await("the handler returned, the request detached", () -> detachedInFlight(pool) == 1);
        advance(250);

        Thread completer = new Thread(() -> {
            try {
                exchange.response.body().write("second".getBytes(StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            handle.complete();
            handle.complete();
        }, "completer");
        completer.start();

        assertThat(exchange.awaitCompletion()).isTrue();
        completer.join(5000);
        assertThat(exchange.response.text()).isEqualTo("first second");
        assertThat(exchange.completedOn).isEqualTo("completer");
        assertThat(handle.isDone()).isTrue();
        PoolSnapshot snapshot = pool.snapshot();
        assertThat(snapshot.counters().served()).as("counted once").isEqualTo(1);
        assertThat(snapshot.latency().count()).isEqualTo(1);
        assertThat(snapshot.latency().max()).as("from its start to its completion, in microseconds").isGreaterThanOrEqualTo(250_000);
    }

    @Test
    void completeCalledWhileTheHandlerStillRunsTakesEffectWhenItReturns() throws Exception {
        FakeApp app = new FakeApp("bundle/early", (request, response) -> {
            Detached handle = request.detach();
            handle.complete();
            response.body().write("written after complete()".getBytes(StandardCharsets.UTF_8));
        });
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/early");
        pool.submit(app, exchange);

        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.text()).isEqualTo("written after complete()");
    }

    @Test
    void theTimeOutRunsItsActionOnAPoolWorkerThenAnswers504() throws Exception {
        List<String> ranOn = new CopyOnWriteArrayList<>();
        FakeApp app = new FakeApp("bundle/poll", (request, response) -> {
            Detached handle = request.detach();
            handle.setTimeout(1000);
            handle.onTimeout(() -> ranOn.add(Thread.currentThread().getName() + " "
                    + (Thread.currentThread().getContextClassLoader().getParent() == FakeApp.class.getClassLoader())));
            detached.add(handle);
        });
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/poll");
        pool.submit(app, exchange);
        nextDetached();
        await("the handler returned", () -> detachedInFlight(pool) == 1);

        advance(999);
        pool.check();
        assertThat(exchange.completed.getCount()).as("not yet timed out").isEqualTo(1);
        advance(2);
        pool.check();

        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.status).isEqualTo(504);
        assertThat(ranOn).singleElement().asString().startsWith("fastpool-pool-async-").endsWith(" true");
    }

    @Test
    void aTimeOutActionThatCompletesSendsItsOwnAnswer() throws Exception {
        FakeApp app = new FakeApp("bundle/poll", (request, response) -> {
            Detached handle = request.detach();
            handle.setTimeout(100);
            handle.onTimeout(() -> {
                try {
                    response.body().write("nothing new".getBytes(StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                handle.complete();
            });
        });
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/poll");
        pool.submit(app, exchange);
        await("detached", () -> detachedInFlight(pool) == 1);

        advance(101);
        pool.check();

        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.status).isEqualTo(200);
        assertThat(exchange.response.text()).isEqualTo("nothing new");
    }

    @Test
    void aTimeOutActionThatHandsTheRequestToATaskGetsNo504() throws Exception {
        FakeApp app = new FakeApp("bundle/poll", (request, response) -> {
            Detached handle = request.detach();
            handle.setTimeout(100);
            handle.onTimeout(() -> handle.run(() -> {
                try {
                    response.body().write("from the task".getBytes(StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                handle.complete();
            }));
        });
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/poll");
        pool.submit(app, exchange);
        await("detached", () -> detachedInFlight(pool) == 1);

        advance(101);
        pool.check();

        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.status).isEqualTo(200);
        assertThat(exchange.response.text()).isEqualTo("from the task");
    }

    @Test
    void theRequestTimeOutDoesNotEndADetachedRequestButItsOwnTimeOutDoes() throws Exception {
        FakeApp app = new FakeApp("bundle/poll", detaching(""));
        Pool pool = pool(Map.of("requestTimeout", "1s"));
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/poll");
        pool.submit(app, exchange);
        nextDetached();
        await("the handler returned", () -> detachedInFlight(pool) == 1);

        advance(Detached.DEFAULT_TIMEOUT_MILLIS - 1);
        pool.check();
        assertThat(exchange.completed.getCount()).isEqualTo(1);
        assertThat(pool.snapshot().counters().timeouts()).isZero();

        advance(2);
        pool.check();
        assertThat(exchange.awaitCompletion()).as("the default 30 s time-out").isTrue();
        assertThat(exchange.response.status).isEqualTo(504);
    }

    @Test
    void aClientAbortRunsTheAbortActionOnAWorkerAndEndsTheRequest() throws Exception {
        CountDownLatch told = new CountDownLatch(1);
        List<String> ranOn = new CopyOnWriteArrayList<>();
        FakeApp app = new FakeApp("bundle/poll", (request, response) -> {
            Detached handle = request.detach();
            handle.onAbort(() -> {
                ranOn.add(Thread.currentThread().getName());
                told.countDown();
            });
            detached.add(handle);
        });
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/poll");
        pool.submit(app, exchange);
        Detached handle = nextDetached();
        await("the handler returned, the request detached", () -> detachedInFlight(pool) == 1);

        exchange.cancel(); // as the listener does on ABORT_REQUEST or a closed connection

        assertThat(told.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ranOn).singleElement().asString().startsWith("fastpool-pool-async-");
        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(handle.isAborted()).isTrue();
        assertThat(handle.isDone()).isTrue();
        await("the in-flight count freed", () -> pool.snapshot().inFlight().isEmpty());
        assertThatThrownBy(() -> handle.run(() -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTaskRunsOnAPoolWorkerWithTheAppsClassLoaderAndMayComplete() throws Exception {
        List<Object> seen = new CopyOnWriteArrayList<>();
        FakeApp app = new FakeApp("bundle/task", detaching("a"));
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/task");
        pool.submit(app, exchange);
        Detached handle = nextDetached();

        handle.run(() -> {
            seen.add(Thread.currentThread().getName());
            seen.add(Thread.currentThread().getContextClassLoader() == app.loader);
            handle.complete();
        });

        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(seen.get(0).toString()).startsWith("fastpool-pool-async-");
        assertThat(seen.get(1)).isEqualTo(true);
    }

    @Test
    void aRecycleWaitsForADetachedRequestToComplete() throws Exception {
        FakeApp app = new FakeApp("bundle/poll", detaching("x"));
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/poll");
        pool.submit(app, exchange);
        Detached handle = nextDetached();

        Thread recycler = new Thread(pool::recycle);
        recycler.start();
        await("draining", () -> pool.state() == PoolState.DRAINING);
        assertThat(updates).as("the drain waits for the detached request").isEmpty();

        handle.complete();
        recycler.join(10_000);

        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.text()).isEqualTo("x");
        assertThat(updates).hasSize(1);
        assertThat(pool.state()).isEqualTo(PoolState.RUNNING);
    }

    @Test
    void aDrainThatRunsOutOfTimeAbortsTheDetachedRequestWith503() throws Exception {
        List<String> aborted = new CopyOnWriteArrayList<>();
        FakeApp app = new FakeApp("bundle/poll", (request, response) -> {
            Detached handle = request.detach();
            handle.onAbort(() -> aborted.add("told, active " + app().active()));
            detached.add(handle);
        });
        appHolder.set(app);
        Pool pool = pool(Map.of("drainTimeLimit", "100ms"));
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/poll");
        pool.submit(app, exchange);
        Detached handle = nextDetached();

        pool.recycle();

        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.status).isEqualTo(503);
        assertThat(aborted).as("told before the app was released").containsExactly("told, active true");
        assertThat(handle.isAborted()).isTrue();
        assertThat(updates).hasSize(1);
        assertThat(pool.snapshot().inFlight()).isEmpty();
    }

    @Test
    void anUndeployedAppsDetachedRequestsAreAbortedAtOnceBeforeItIsReleased() throws Exception {
        List<String> aborted = new CopyOnWriteArrayList<>();
        FakeApp app = new FakeApp("bundle/poll", (request, response) -> {
            Detached handle = request.detach();
            handle.onAbort(() -> aborted.add("told, active " + app().active()));
            detached.add(handle);
        });
        appHolder.set(app);
        Pool pool = pool(Map.of());
        pool.addApp(app);
        FakeExchange exchange = new FakeExchange("/poll");
        pool.submit(app, exchange);
        nextDetached();
        await("the handler returned, the request detached", () -> detachedInFlight(pool) == 1);

        pool.removeApp(app);

        assertThat(exchange.awaitCompletion()).isTrue();
        assertThat(exchange.response.status).isEqualTo(503);
        assertThat(aborted).containsExactly("told, active true");
        assertThat(app.releases).hasValue(1);
        assertThat(pool.snapshot().inFlight()).isEmpty();
    }

    private final java.util.concurrent.atomic.AtomicReference<FakeApp> appHolder = new java.util.concurrent.atomic.AtomicReference<>();

    private FakeApp app() {
        return appHolder.get();
    }
}
