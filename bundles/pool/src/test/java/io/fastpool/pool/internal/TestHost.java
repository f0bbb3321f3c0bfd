package io.fastpool.pool.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A pool's host for tests: a clock the test moves, bundle updates recorded, and answers and
 * lifecycle work run at once on the calling thread, so a check that starts a recycle has finished it
 * when it returns.
 */
class TestHost implements PoolHost {

    final AtomicLong clock = new AtomicLong(System.nanoTime());
    final List<List<App>> updates = new CopyOnWriteArrayList<>();

    void advance(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Override
    public void updateBundles(List<App> apps) {
        updates.add(apps);
    }

    @Override
    public Executor responder() {
        return Runnable::run;
    }

    @Override
    public LongSupplier clock() {
        return clock::get;
    }
}
