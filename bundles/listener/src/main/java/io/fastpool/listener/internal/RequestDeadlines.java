package io.fastpool.listener.internal;

import io.fastpool.transport.Connection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one timer of a connection's requests, for the time-outs that end one ({@link FcgiExchange}: its
 * PARAMS within {@code paramsTimeout}, a held END_REQUEST). Each exchange keeps its own deadline, set
 * and cleared per request without going near the event loop's timer queue; the timer is scheduled
 * only when a deadline comes before the one it waits for, and when it fires it times out the
 * exchanges whose deadline has passed and waits again for the earliest one left. Under keep-conn
 * it is scheduled about once per {@code paramsTimeout} per connection, where a timer per request
 * cost a {@code ScheduledFutureTask} (65 bytes) and 0.3 to 0.4 µs to schedule and cancel
 * (docs/benchmarks.md). Confined to the connection's event loop.
 */
final class RequestDeadlines {

    private final Connection connection;
    private final Collection<FcgiExchange> exchanges;
    private final Runnable fire = this::fire;
    private ScheduledFuture<?> timer;
    /** When {@link #timer} fires ({@link Connection#nanoTime}); meaningful while it is set. */
    private long timerDueNanos;
    private boolean stopped;

    /** Watches the deadlines of the exchanges in {@code exchanges}, a live view of the session's requests in flight. */
    RequestDeadlines(Connection connection, Collection<FcgiExchange> exchanges) {
        this.connection = connection;
        this.exchanges = exchanges;
    }

    /** A deadline {@code timeoutMillis} from now, which the timer will see to; never 0, which means none. */
    long start(long timeoutMillis) {
        long now = connection.nanoTime();
        long deadline = now + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        if (deadline == 0) {
            deadline = 1;
        }
        if (!stopped && (timer == null || deadline - timerDueNanos < 0)) {
            if (timer != null) {
                timer.cancel(false);
            }
            schedule(deadline, now);
        }
        return deadline;
    }

    /** The connection closed or its session left: nothing times out any more. */
    void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void schedule(long dueNanos, long now) {
        timerDueNanos = dueNanos;
        timer = connection.schedule(fire, Math.max(0, dueNanos - now), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        if (stopped) {
            return;
        }
        long now = connection.nanoTime();
        List<FcgiExchange> due = new ArrayList<>(1);
        for (FcgiExchange exchange : exchanges) {
            long deadline = exchange.deadlineNanos();
            if (deadline != 0 && deadline - now <= 0) {
                due.add(exchange);
            }
        }
        // Timing out may end the exchange or close the connection (which stops this timer).
        due.forEach(FcgiExchange::timedOut);
        if (!stopped) {
            scheduleForEarliest(now);
        }
    }

    private void scheduleForEarliest(long now) {
        boolean any = false;
        long earliest = 0;
        for (FcgiExchange exchange : exchanges) {
            long deadline = exchange.deadlineNanos();
            if (deadline != 0 && (!any || deadline - earliest < 0)) {
                earliest = deadline;
                any = true;
            }
        }
        if (any && timer == null) {
            schedule(earliest, now);
        }
    }
}
