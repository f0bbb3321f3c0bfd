package io.fastpool.pool.internal;

import io.fastpool.testkit.FakeExchange;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.pool.PoolSettings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
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

    /** Two requests at once on two threads, both answered: the workers are then idle. */
    private void twoThreadsBusyThenIdle(FakeApp app, CountDownLatch release) throws InterruptedException {
        FakeExchange first = new FakeExchange("/app");
        FakeExchange second = new FakeExchange("/app");
        lock.lock();
        try {
            workers.enqueue(app, first);
            workers.enqueue(app, second);
        } finally {
            lock.unlock();
        }
        await("two busy threads", () -> locked(workers::busyCount) == 2);
        release.countDown();
        assertThat(first.awaitCompletion()).isTrue();
        assertThat(second.awaitCompletion()).isTrue();
        await("both back", () -> locked(workers::busyCount) == 0);
    }

    @Test
    void workersAboveMinThreadsEndOnceIdleLongerThanTheKeepAliveByThePoolsClock() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        workers(Map.of("minThreads", 1, "maxThreads", 2));
        twoThreadsBusyThenIdle(new FakeApp("bundle/held", (request, response) -> release.await()), release);
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
        twoThreadsBusyThenIdle(new FakeApp("bundle/held", (request, response) -> release.await()), release);

        retiring = true;
        wakeWorkers();

        await("no thread left", () -> locked(workers::threadCount) == 0);
    }
}
