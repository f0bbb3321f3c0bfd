package io.fastpool.pool.internal;

import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The pools the watchdog thread visits: those awake. A pool falls asleep when a check finds it
 * dormant with no session ({@link Watchdog#asleep}) and leaves the set; a request, a state change,
 * new settings or an added app wake it ({@link Watchdog#wake}), which puts it back through
 * {@link PoolHost#woke}. So a round costs nothing for the thousands of idle apps a server may hold:
 * visiting each of 2,000 sleeping pools five times a second, only to skip it, still cost 0.2% of a
 * core.
 *
 * <p>A pool woken while a round takes it out stays in: the round removes it, then looks again,
 * and {@code wake} clears the flag before it adds; one of the two puts it back.
 */
final class AwakePools {

    private static final System.Logger LOG = System.getLogger(Pool.class.getName());

    private final Set<Pool> awake = ConcurrentHashMap.newKeySet();

    /** {@code pool} has something a check may act on. */
    void woke(Pool pool) {
        awake.add(pool);
    }

    /** One watchdog round: checks each awake pool that is still {@code current}, and lets the sleeping ones go. */
    void round(Predicate<Pool> current) {
        for (Pool pool : awake) {
            if (!current.test(pool)) {
                awake.remove(pool); // undeployed
                continue;
            }
            try {
                pool.check();
                pool.expireSessions();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "pool " + pool.name() + ": watchdog check failed", e);
            }
            if (pool.asleep()) {
                awake.remove(pool);
                if (!pool.asleep()) {
                    awake.add(pool);
                }
            }
        }
    }

    /** How many pools the next round visits. */
    int size() {
        return awake.size();
    }

    boolean contains(Pool pool) {
        return awake.contains(pool);
    }
}
