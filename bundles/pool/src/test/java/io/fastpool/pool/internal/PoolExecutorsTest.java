package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.pool.PoolSettings;
import io.fastpool.testkit.FakeExchange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow lifecycle work never holds up the watchdog or the answers: a hundred pools recycling at once
 * (each blocked in its bundle update) while another pool has a request past its requestTimeout.
 */
@Timeout(30)
class PoolExecutorsTest {

    final PoolExecutors executors = new PoolExecutors();
    final CountDownLatch updatesMayFinish = new CountDownLatch(1);
    final List<Pool> pools = new ArrayList<>();

    @AfterEach
    void stop() {
        updatesMayFinish.countDown();
        pools.forEach(Pool::shutdown);
        executors.shutdown();
    }

    private Pool pool(String name, Map<String, ?> settings) {
        Pool pool = new Pool(name, PoolSettingsParser.apply(PoolSettings.DEFAULTS, settings), new PoolHost() {
            @Override
            public void updateBundles(List<App> apps) throws InterruptedException {
                updatesMayFinish.await(); // a slow bundle update
            }

            @Override
            public Executor responder() {
                return executors.responder();
            }

            @Override
            public Executor lifecycle() {
                return executors.lifecycle();
            }
        });
        pools.add(pool);
        return pool;
    }

    @Test
    void aTimedOutRequestIsAnswered504WhileAHundredPoolsRecycle() throws Exception {
        List<Pool> recycling = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Pool pool = pool("recycling-" + i, Map.of("recycleAfterTime", "1ms"));
            pool.addApp(new FakeApp("bundle/r" + i, (request, response) -> { }));
            recycling.add(pool);
        }
        CountDownLatch hangs = new CountDownLatch(1);
        FakeApp slow = new FakeApp("bundle/slow", (request, response) -> hangs.await(20, TimeUnit.SECONDS));
        Pool timing = pool("timing", Map.of("requestTimeout", "200ms"));
        timing.addApp(slow);
        FakeExchange late = new FakeExchange("/slow");
        timing.submit(slow, late);

        // The watchdog: every pool's check, again and again, on one thread, as the manager runs it.
        Thread watchdog = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted() && late.completed.getCount() > 0) {
                recycling.forEach(Pool::check);
                timing.check();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-watchdog");
        watchdog.start();
        try {
            assertThat(late.completed.await(5, TimeUnit.SECONDS)).as("the 504 went out while the recycles blocked").isTrue();
            assertThat(late.response.status).isEqualTo(504);
            assertThat(watchdog.getState()).as("the watchdog never ran a recycle itself").isNotEqualTo(Thread.State.WAITING);
        } finally {
            hangs.countDown();
            watchdog.interrupt();
            watchdog.join(5_000);
        }
    }
}
