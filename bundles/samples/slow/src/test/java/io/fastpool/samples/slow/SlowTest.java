package io.fastpool.samples.slow;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SlowTest {

    private final Slow slow = new Slow();

    @Test
    void sleepsTheMillisecondsAskedForThenSaysSo() throws Exception {
        FakeResponse response = new FakeResponse();

        long took = timed(() -> slow.handle(new FakeRequest("GET", "/slow?ms=50", "/slow"), response));

        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
        assertThat(response.text()).isEqualTo("slept 50 ms");
    }

    @Test
    void sleepsOneSecondByDefault() throws Exception {
        FakeResponse response = new FakeResponse();

        long took = timed(() -> slow.handle(new FakeRequest("GET", "/slow", "/slow"), response));

        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(Slow.DEFAULT_MILLIS).toNanos());
        assertThat(response.text()).isEqualTo("slept 1000 ms");
    }

    @Test
    void answersAtOnceForZero() throws Exception {
        FakeResponse response = new FakeResponse();

        slow.handle(new FakeRequest("GET", "/slow?ms=0", "/slow"), response);

        assertThat(response.text()).isEqualTo("slept 0 ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "600001", "ten", "", "1.5", "99999999999999999999"})
    void answers400ForMsThatIsNotFromZeroToTenMinutes(String ms) throws Exception {
        FakeResponse response = new FakeResponse();

        long took = timed(() -> slow.handle(new FakeRequest("GET", "/slow?ms=" + ms, "/slow"), response));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorMessage()).isEqualTo("ms must be a whole number of milliseconds from 0 to 600000, was \"" + ms + "\"");
        assertThat(took).isLessThan(Duration.ofMillis(500).toNanos());
    }

    @Test
    void anInterruptEndsTheLongestWaitEarlyKeepingTheInterruptFlagAndAnsweringNothing() throws Exception {
        FakeResponse response = new FakeResponse();
        AtomicBoolean interruptFlagAfterwards = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                slow.handle(new FakeRequest("GET", "/slow?ms=600000", "/slow"), response);
                interruptFlagAfterwards.set(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "slow-test-worker");
        worker.start();
        while (worker.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }

        worker.interrupt();
        worker.join(5_000);

        assertThat(worker.isAlive()).as("still sleeping after the interrupt").isFalse();
        assertThat(failure.get()).isNull();
        assertThat(interruptFlagAfterwards.get()).isTrue();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).as("the pool answers a timed-out request, not the app").isEmpty();
    }

    private static long timed(ThrowingRunnable action) throws Exception {
        long start = System.nanoTime();
        action.run();
        return System.nanoTime() - start;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void computesTheCpuMillisecondsAskedForOnItsOwnThread() throws Exception {
        FakeResponse response = new FakeResponse();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadCpuTime();

        slow.handle(new FakeRequest("GET", "/slow?cpu=50", "/slow"), response);

        assertThat(threads.getCurrentThreadCpuTime() - before).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("computed 50 ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "60001", "ten", ""})
    void answers400ForCpuThatIsNotFromZeroToOneMinute(String cpu) throws Exception {
        FakeResponse response = new FakeResponse();

        slow.handle(new FakeRequest("GET", "/slow?cpu=" + cpu, "/slow"), response);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorMessage()).isEqualTo("cpu must be a whole number of milliseconds from 0 to 60000, was \"" + cpu + "\"");
    }
}
