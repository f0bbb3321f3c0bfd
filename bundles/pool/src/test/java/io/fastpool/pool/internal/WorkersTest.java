package io.fastpool.pool.internal;

import io.fastpool.testkit.FakeExchange;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.pool.PoolSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The queue and the worker threads on their own: the gate and the clock are the test's. */
@Timeout(30)
class WorkersTest {

    private final TestHost host = new TestHost();
    private final ReentrantLock lock = new ReentrantLock();
    private final PoolStats stats = new PoolStats(System::nanoTime);
    private volatile boolean retiring;
    private Workers workers;

    @AfterEach
    void retireEveryone() {
        retiring = true;
        wakeWorkers();
    }

    private Workers workers(Map<String, ?> settings) {
        PoolSettings poolSettings = PoolSettingsParser.apply(PoolSettings.DEFAULTS, settings);
        RequestRunner runner = new RequestRunner("test", host, () -> poolSettings, stats, new RequestRunner.Outcomes() {
            @Override
            public void failed(String what, Throwable cause) {
            }

            @Override
            public void recycleDue(String why) {
            }
        });
        workers = new Workers("test", lock, host.clock(), () -> poolSettings, stats, new Workers.Gate() {
            @Override
            public boolean open() {
                return true;
            }

            @Override
            public boolean retiring() {
                return retiring;
            }
        }, runner);
        return workers;
    }

    private int locked(IntSupplier read) {
        lock.lock();
        try {
            return read.getAsInt();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the idle workers, as a change of the pool's state does. */
    private void wakeWorkers() {
        lock.lock();
        try {
            workers.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(condition::getAsBoolean);
    }

    /** {@code count} requests at once on as many threads, all answered: the workers are then idle. */
    private void threadsBusyThenIdle(int count, FakeApp app, CountDownLatch release) throws InterruptedException {
        List<FakeExchange> exchanges = arriveTogether(count, app);
        await(count + " busy threads", () -> locked(workers::busyCount) == count);
        release.countDown();
        for (FakeExchange exchange : exchanges) {
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        await("all back", () -> locked(workers::busyCount) == 0);
    }

    /** {@code count} requests queued under one hold of the lock, as one read of the event loop's may bring them. */
    private List<FakeExchange> arriveTogether(int count, FakeApp app) {
        List<FakeExchange> exchanges = new ArrayList<>();
        lock.lock();
        try {
            for (int i = 0; i < count; i++) {
                FakeExchange exchange = new FakeExchange("/app");
                exchanges.add(exchange);
                workers.enqueue(app, exchange);
            }
        } finally {
            lock.unlock();
        }
        return exchanges;
    }

    @Test
    void requestsArrivingTogetherWakeIdleWorkersOneAfterAnotherUntilEveryOneRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        workers(Map.of("minThreads", 3, "maxThreads", 3));
        workers.idleLookNanos = TimeUnit.HOURS.toNanos(1); // no periodic look may stand in for a wake-up
        threadsBusyThenIdle(3, new FakeApp("bundle/warm", (request, response) -> release.await()), release);
        assertThat(locked(workers::threadCount)).isEqualTo(3);

        // Each handler waits for the other two: they end only if all three run at once, on the idle
        // workers, each woken by the one before it.
        CountDownLatch allRunning = new CountDownLatch(3);
        List<FakeExchange> exchanges = arriveTogether(3, new FakeApp("bundle/together", (request, response) -> {
            allRunning.countDown();
            allRunning.await();
        }));

        for (FakeExchange exchange : exchanges) {
            assertThat(exchange.awaitCompletion()).isTrue();
        }
        assertThat(locked(workers::threadCount)).as("the three idle workers, still all there").isEqualTo(3);
    }

    @Test
    void workersAboveMinThreadsEndOnceIdleLongerThanTheKeepAliveByThePoolsClock() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        workers(Map.of("minThreads", 1, "maxThreads", 2));
        threadsBusyThenIdle(2, new FakeApp("bundle/held", (request, response) -> release.await()), release);
        assertThat(locked(workers::threadCount)).isEqualTo(2);

        host.advance(Workers.KEEP_ALIVE_NANOS / 1_000_000 + 1);
        wakeWorkers(); // now rather than at their next periodic look

        await("one thread left", () -> locked(workers::threadCount) == 1);
        assertThat(locked(workers::threadCount)).as("minThreads stays").isEqualTo(1);
    }

    @Test
    void whenThePoolSaysTheyRetireEveryIdleWorkerEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        workers(Map.of("minThreads", 2, "maxThreads", 2));
        threadsBusyThenIdle(2, new FakeApp("bundle/held", (request, response) -> release.await()), release);

        retiring = true;
        wakeWorkers();

        await("no thread left", () -> locked(workers::threadCount) == 0);
    }
}
