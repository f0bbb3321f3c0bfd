package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fastpool.pool.PoolSnapshot;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PoolStatsTest {

    private static final long INTERVAL_MILLIS = TimeUnit.SECONDS.toMillis(PoolSnapshot.Interval.SECONDS);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final PoolStats stats = new PoolStats(clock::get);

    private void advance(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private void requests(int count, long latencyMillis) {
        for (int i = 0; i < count; i++) {
            stats.latency(TimeUnit.MILLISECONDS.toNanos(latencyMillis));
            stats.queueWait(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    @Test
    void aSpikeShowsAsTheLastIntervalsP99OnceItsIntervalEndsWhileTheSinceStartP99BarelyMoves() {
        for (int interval = 0; interval < 10; interval++) {
            requests(1000, 1);
            advance(INTERVAL_MILLIS);
            stats.endIntervalIfDue(clock.get());
        }
        requests(1000, 1);
        requests(50, 500); // the spike: 5% of this interval's requests take half a second
        PoolStats.Latencies during = stats.latencies();
        assertThat(during.lastInterval().latency().p99()).as("the spike's interval has not ended yet").isLessThan(2000);

        advance(INTERVAL_MILLIS);
        PoolStats.Latencies after = stats.latencies();

        assertThat(after.lastInterval().latency().count()).isEqualTo(1050);
        assertThat((double) after.lastInterval().latency().p99()).isCloseTo(500_000, within(5_000.0));
        assertThat(after.latency().count()).isEqualTo(11_050);
        assertThat(after.latency().p99()).as("since start, the spike is 0.45% of the requests").isLessThan(2000);
        assertThat(after.latency().max()).isEqualTo(after.lastInterval().latency().max());
    }

    @Test
    void readersInARowSeeTheSameIntervalAndReadingEndsNoIntervalEarly() {
        requests(10, 2);
        advance(INTERVAL_MILLIS);
        PoolStats.Latencies first = stats.latencies();
        requests(5, 7);
        advance(1000);
        PoolStats.Latencies second = stats.latencies();
        stats.endIntervalIfDue(clock.get()); // the watchdog, not due yet
        PoolStats.Latencies third = stats.latencies();

        assertThat(first.lastInterval().latency().count()).isEqualTo(10);
        assertThat(second.lastInterval().latency()).isEqualTo(first.lastInterval().latency());
        assertThat(second.lastInterval().queueWait()).isEqualTo(first.lastInterval().queueWait());
        assertThat(second.lastInterval().lengthMillis()).isEqualTo(first.lastInterval().lengthMillis()).isEqualTo(INTERVAL_MILLIS);
        assertThat(second.lastInterval().endedMillisAgo()).isEqualTo(1000);
        assertThat(third.lastInterval()).isEqualTo(second.lastInterval());
        assertThat(third.latency().count()).as("since start counts what was recorded up to now").isEqualTo(15);
    }

    @Test
    void anIntervalWithoutRequestsReadsAsEmptyRatherThanAsTheOneBefore() {
        requests(10, 2);
        advance(INTERVAL_MILLIS);
        assertThat(stats.latencies().lastInterval().latency().count()).isEqualTo(10);

        advance(INTERVAL_MILLIS);
        PoolStats.Latencies idle = stats.latencies();

        assertThat(idle.lastInterval().latency()).isEqualTo(PoolSnapshot.Percentiles.NONE);
        assertThat(idle.lastInterval().queueWait()).isEqualTo(PoolSnapshot.Percentiles.NONE);
        assertThat(idle.lastInterval().lengthMillis()).isEqualTo(INTERVAL_MILLIS);
        assertThat(idle.latency().count()).isEqualTo(10);
    }

    @Test
    void anIntervalLastsUntilItIsFoundDueAndSaysHowLongItLasted() {
        assertThat(stats.latencies().lastInterval()).as("none has ended yet").isEqualTo(PoolSnapshot.Interval.NONE);
        requests(3, 1);
        advance(INTERVAL_MILLIS + 180); // the watchdog comes a little late
        stats.endIntervalIfDue(clock.get());
        advance(20);
        PoolSnapshot.Interval interval = stats.latencies().lastInterval();
        assertThat(interval.lengthMillis()).isEqualTo(INTERVAL_MILLIS + 180);
        assertThat(interval.endedMillisAgo()).isEqualTo(20);
        assertThat(interval.latency().count()).isEqualTo(3);
    }

    @Test
    void theSinceStartFiguresAreTheSumOfTheIntervals() {
        Random random = new Random(14);
        Histogram everything = new Histogram(2);
        long intervalCounts = 0;
        long intervalMax = 0;
        for (int interval = 0; interval < 20; interval++) {
            int count = random.nextInt(200);
            for (int i = 0; i < count; i++) {
                long micros = 1 + random.nextInt(random.nextBoolean() ? 1_000 : 2_000_000);
                stats.latency(TimeUnit.MICROSECONDS.toNanos(micros));
                everything.recordValue(micros);
            }
            advance(INTERVAL_MILLIS);
            stats.endIntervalIfDue(clock.get());
            PoolSnapshot.Percentiles last = stats.latencies().lastInterval().latency();
            assertThat(last.count()).isEqualTo(count);
            intervalCounts += last.count();
            intervalMax = Math.max(intervalMax, last.max());
        }
        PoolSnapshot.Percentiles sinceStart = stats.latencies().latency();
        assertThat(sinceStart.count()).isEqualTo(intervalCounts).isEqualTo(everything.getTotalCount());
        assertThat(sinceStart.max()).isEqualTo(intervalMax).isEqualTo(everything.getMaxValue());
        assertThat(sinceStart).isEqualTo(new PoolSnapshot.Percentiles(everything.getTotalCount(), everything.getValueAtPercentile(50),
                everything.getValueAtPercentile(90), everything.getValueAtPercentile(99), everything.getMaxValue()));
    }

    @Test
    void endingTheIntervalsOfAnIdlePoolAllocatesNothing() {
        requests(10, 2);
        stats.latencies();
        for (int i = 0; i < 1000; i++) { // warm up: the last interval with values is left behind
            advance(INTERVAL_MILLIS);
            stats.endIntervalIfDue(clock.get());
        }
        long before = ThreadCost.allocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            advance(INTERVAL_MILLIS);
            stats.endIntervalIfDue(clock.get());
        }
        long allocated = ThreadCost.allocatedBytes() - before;
        assertThat(allocated).as("bytes for 10,000 idle intervals").isLessThan(1000);
        assertThat(stats.latencies().latency().count()).isEqualTo(10);
    }
}
