package io.fastpool.samples.fail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
class FailTest {

    private final Fail fail = new Fail();

    @Test
    void withoutAModeListsTheModes() throws Exception {
        FakeResponse response = call("/fail");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
        assertThat(response.text()).isEqualTo(Fail.USAGE)
                .contains("mode=exception", "mode=error", "mode=hang&ms=N", "mode=status&code=N");
    }

    @Test
    void exceptionModeThrowsARuntimeException() {
        FakeResponse response = new FakeResponse();

        assertThatThrownBy(() -> fail.handle(new FakeRequest("GET", "/fail?mode=exception", "/fail"), response))
                .isExactlyInstanceOf(RuntimeException.class)
                .hasMessageContaining("mode=exception");
        assertThat(response.text()).isEmpty();
    }

    @Test
    void errorModeThrowsAnErrorNotAnException() {
        FakeResponse response = new FakeResponse();

        assertThatThrownBy(() -> fail.handle(new FakeRequest("GET", "/fail?mode=error", "/fail"), response))
                .isExactlyInstanceOf(Error.class)
                .hasMessageContaining("mode=error");
        assertThat(response.text()).isEmpty();
    }

    @Test
    void hangModeRunsItsFullTimeThroughInterruptsAndKeepsTheFlag() throws Exception {
        long hangMillis = 300;
        FakeResponse response = new FakeResponse();
        AtomicBoolean interruptFlagAfterwards = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                fail.handle(new FakeRequest("GET", "/fail?mode=hang&ms=" + hangMillis, "/fail"), response);
                interruptFlagAfterwards.set(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "fail-test-worker");
        long start = System.nanoTime();
        worker.start();

        for (int i = 0; i < 5; i++) {
            Thread.sleep(20);
            worker.interrupt();
        }
        worker.join(10_000);
        long took = System.nanoTime() - start;

        assertThat(worker.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(took).as("ran its full time despite five interrupts").isGreaterThanOrEqualTo(Duration.ofMillis(hangMillis).toNanos());
        assertThat(interruptFlagAfterwards.get()).isTrue();
        assertThat(response.text()).isEqualTo("hung 300 ms");
    }

    @Test
    void hangModeWithoutMsDefaultsToTenMinutesAndIsStillHangingAfterASecondAndAnInterrupt() throws Exception {
        FakeResponse response = new FakeResponse();
        Thread worker = new Thread(() -> {
            try {
                fail.handle(new FakeRequest("GET", "/fail?mode=hang", "/fail"), response);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "fail-test-default-hang");
        worker.setDaemon(true);
        worker.start();

        worker.join(1_000);
        worker.interrupt();
        worker.join(500);

        assertThat(worker.isAlive()).as("still hanging a second and an interrupt later").isTrue();
        assertThat(Fail.DEFAULT_HANG_MILLIS).isEqualTo(600_000);
        // Let the daemon thread go: it parks until its deadline and uses no CPU meanwhile.
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "3600001", "long", ""})
    void hangModeAnswers400ForABadMs(String ms) throws Exception {
        FakeResponse response = call("/fail?mode=hang&ms=" + ms);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorMessage()).isEqualTo("ms must be a whole number from 0 to 3600000, was \"" + ms + "\"");
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 418, 500, 503})
    void statusModeAnswersTheCodeWithSendError(int code) throws Exception {
        FakeResponse response = call("/fail?mode=status&code=" + code);

        assertThat(response.status()).isEqualTo(code);
        assertThat(response.errorMessage()).isEqualTo("/fail?mode=status answers " + code + ", as asked");
    }

    @ParameterizedTest
    @ValueSource(strings = {"&code=99", "&code=1000", "&code=abc", ""})
    void statusModeAnswers400ForAMissingOrBadCode(String code) throws Exception {
        FakeResponse response = call("/fail?mode=status" + code);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorMessage()).startsWith("code must be a whole number from 100 to 999, was ");
    }

    @Test
    void anUnknownModeAnswers400ListingTheModes() throws Exception {
        FakeResponse response = call("/fail?mode=explode");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorMessage()).startsWith("unknown mode \"explode\"").endsWith(Fail.USAGE);
    }

    private FakeResponse call(String uri) throws Exception {
        FakeResponse response = new FakeResponse();
        fail.handle(new FakeRequest("GET", uri, "/fail"), response);
        return response;
    }
}
