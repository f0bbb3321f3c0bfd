package io.fastpool.pool.internal;

import io.fastpool.testkit.FakeExchange;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.pool.PoolSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RequestRunnerTest {

    private final TestHost host = new TestHost();
    private final PoolStats stats = new PoolStats(System::nanoTime);
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<String> recycles = new CopyOnWriteArrayList<>();

    private RequestRunner runner(Map<String, ?> settings) {
        PoolSettings poolSettings = PoolSettingsParser.apply(PoolSettings.DEFAULTS, settings);
        return new RequestRunner("test", host, () -> poolSettings, stats, new RequestRunner.Outcomes() {
            @Override
            public void failed(String what, Throwable cause) {
                failures.add(what);
            }

            @Override
            public void recycleDue(String why) {
                recycles.add(why);
            }
        });
    }

    /** A request as a worker holds it once taken from the queue (the workers are not needed: it is never cancelled). */
    private Work work(FakeApp app, FakeExchange exchange) {
        Work work = new Work(null, app, exchange, host.clock.get());
        work.thread = Thread.currentThread();
        work.startedNanos = host.clock.get();
        return work;
    }

    @Test
    void theHandlerRunsWithTheAppsClassLoaderAndTheWorkersOwnIsPutBack() {
        AtomicReference<ClassLoader> seen = new AtomicReference<>();
        FakeApp app = new FakeApp("bundle/loader", (request, response) -> seen.set(Thread.currentThread().getContextClassLoader()));
        FakeExchange exchange = new FakeExchange("/app");
        ClassLoader own = Thread.currentThread().getContextClassLoader();

        assertThat(runner(Map.of()).run(work(app, exchange))).isTrue();

        assertThat(seen.get()).isSameAs(app.loader);
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(own);
        assertThat(exchange.completed.getCount()).isZero();
        assertThat(stats.served.sum()).isEqualTo(1);
        assertThat(stats.activations.sum()).isEqualTo(1);
    }

    @Test
    void anAppGoneWhileBeingTakenIsHandedBackUntouched() {
        FakeApp app = new FakeApp("bundle/leaving", (request, response) -> response.setStatus(201));
        app.vanishOnce = true;
        FakeExchange exchange = new FakeExchange("/app");

        assertThat(runner(Map.of()).run(work(app, exchange))).as("the request waits for the app again").isFalse();

        assertThat(exchange.completed.getCount()).isEqualTo(1);
        assertThat(stats.served.sum()).isZero();
    }

    @Test
    void anExceptionIsA500AndAnErrorIsA500ThatCountsAsAFailure() {
        RequestRunner runner = runner(Map.of());
        FakeExchange failed = new FakeExchange("/app");
        runner.run(work(new FakeApp("bundle/throws", (request, response) -> {
            throw new IllegalStateException("broken");
        }), failed));
        assertThat(failed.response.status).isEqualTo(500);
        assertThat(failures).isEmpty();

        FakeExchange erred = new FakeExchange("/app");
        runner.run(work(new FakeApp("bundle/errs", (request, response) -> {
            throw new StackOverflowError();
        }), erred));
        assertThat(erred.response.status).isEqualTo(500);
        assertThat(failures).hasSize(1).first().asString().startsWith("app bundle/errs threw java.lang.StackOverflowError");
        assertThat(stats.serverErrors.sum()).isEqualTo(2);
    }

    @Test
    void aRequestTheWatchdogTimedOutIsAnswered504EvenIfItsHandlerReturnsQuietly() {
        FakeExchange exchange = new FakeExchange("/app");
        Work work = work(new FakeApp("bundle/late", (request, response) -> { }), exchange);
        work.timedOut = true;

        runner(Map.of()).run(work);

        assertThat(exchange.response.status).isEqualTo(504);
    }

    @Test
    void recycleAfterRequestsIsDueAtEachMultipleAndNowhereElse() {
        RequestRunner runner = runner(Map.of("recycleAfterRequests", 3));
        FakeApp app = new FakeApp("bundle/counted", (request, response) -> { });
        for (int i = 1; i <= 7; i++) {
            runner.run(work(app, new FakeExchange("/app")));
            assertThat(recycles).as("after request " + i).hasSize(i / 3);
        }
        assertThat(recycles.get(0)).isEqualTo("after 3 requests (recycleAfterRequests)");
    }
}
