package io.fastpool.pool.internal;

import io.fastpool.pool.PoolSettings;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Rapid-fail protection, as IIS has it: a pool's failures (an app that cannot be activated, an
 * {@code Error} thrown by a handler, a failed recycle) are kept for {@code rapidFailInterval}, and
 * {@code rapidFailMaxFailures} of them within that window trip it: the pool is then disabled until an
 * operator starts it again, rather than failing every request slowly.
 *
 * <p>Not thread-safe: {@link Pool} calls it with the pool lock held.
 */
final class RapidFailProtection {

    private final LongSupplier clock;
    /** When each failure within the window happened, oldest first. */
    private final ArrayDeque<Long> failureTimes = new ArrayDeque<>();

    RapidFailProtection(LongSupplier clock) {
        this.clock = clock;
    }

    /** Counts a failure now; returns whether the failures within the window reach the limit (0 never does). */
    boolean failed(PoolSettings settings) {
        long now = clock.getAsLong();
        failureTimes.add(now);
        long window = settings.rapidFailInterval().toNanos();
        while (!failureTimes.isEmpty() && now - failureTimes.peek() > window) {
            failureTimes.poll();
        }
        return settings.rapidFailMaxFailures() > 0 && failureTimes.size() >= settings.rapidFailMaxFailures();
    }

    /** The failures within the window, for the message that says why the pool was disabled. */
    int recentFailures() {
        return failureTimes.size();
    }

    /** Forgets every failure: an operator started the pool again. */
    void reset() {
        failureTimes.clear();
    }
}
