package io.fastpool.status.internal;

import static io.fastpool.status.internal.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.listener.ListenerStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static ListenerStatus.Counters completed(long completed, long errors) {
        return new ListenerStatus.Counters(completed, completed, 0, 0, 0, 0, 0, 0, 0, completed - errors, 0, 0, errors);
    }

    @Test
    void ratesAreTheCountersGrowthPerSecondSinceThePreviousSample() {
        History history = new History(10, 5);
        Fixtures.Pool shop = pool();
        history.record(0, List.of(shop.snapshot()), completed(100, 0), 3);
        shop.served += 500;
        shop.rejected += 10;
        shop.serverErrors += 5;
        shop.cpuNanos += 500 * 2_000_000L;
        history.record(5_000, List.of(shop.snapshot()), completed(600, 5), 4);
        History.View view = history.view();
        assertThat(view.samples()).hasSize(2);
        assertThat(view.samples().get(0).pools()).as("nothing to compare the first sample with").isEmpty();
        assertThat(view.samples().get(0).requestsPerSecond()).isNegative();
        History.Sample second = view.samples().get(1);
        assertThat(second.requestsPerSecond()).isEqualTo(100.0);
        assertThat(second.serverErrorsPerSecond()).isEqualTo(1.0);
        assertThat(second.openConnections()).isEqualTo(4);
        History.PoolPoint point = second.pools().get("shop");
        assertThat(point.requestsPerSecond()).isEqualTo(100.0);
        assertThat(point.rejectedPerSecond()).isEqualTo(2.0);
        assertThat(point.serverErrorsPerSecond()).isEqualTo(1.0);
        assertThat(point.cpuMillisPerRequest()).isEqualTo(2.0);
        assertThat(point.latencyP99Micros()).isEqualTo(9_000);
        assertThat(point.interval().latency().p99()).as("the last interval's, beside the since-start one").isEqualTo(120_000);
        assertThat(view.poolNames()).containsExactly("shop");
    }

    @Test
    void theRingKeepsTheNewestSamplesAndShrinksOnResize() {
        History history = new History(3, 5);
        for (int i = 0; i < 5; i++) {
            history.record(i * 1000L, List.of(), null, i);
        }
        assertThat(history.view().samples()).extracting(History.Sample::timeMillis).containsExactly(2000L, 3000L, 4000L);
        history.resize(2, 10);
        assertThat(history.view().samples()).extracting(History.Sample::timeMillis).containsExactly(3000L, 4000L);
        assertThat(history.view().intervalSeconds()).isEqualTo(10);
    }

    @Test
    void aPoolCreatedAnewRestartsItsRatesAndAGonePoolIsForgotten() {
        History history = new History(10, 5);
        Fixtures.Pool shop = pool();
        history.record(0, List.of(shop.snapshot()), null, -1);
        shop.served = 10; // counters went down: a new pool of the same name
        history.record(5_000, List.of(shop.snapshot()), null, -1);
        assertThat(history.view().samples().get(1).pools()).isEmpty();
        shop.served = 60;
        history.record(10_000, List.of(shop.snapshot()), null, -1);
        assertThat(history.view().samples().get(2).pools().get("shop").requestsPerSecond()).isEqualTo(10.0);
        history.record(15_000, List.of(), null, -1);
        assertThat(history.maxBusyThreads()).doesNotContainKey("shop");
    }

    @Test
    void theMostBusyThreadsSeenIsKeptPerPool() {
        History history = new History(10, 5);
        Fixtures.Pool shop = pool();
        shop.busy = 3;
        history.observeBusy(shop.snapshot());
        shop.busy = 1;
        history.record(0, List.of(shop.snapshot()), null, -1);
        assertThat(history.maxBusyThreads()).containsEntry("shop", 3);
    }
}
