package io.fastpool.itest.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Waiting for a condition, and counting threads: for the platform tests and the tests of the built distribution. */
public final class Waits {

    private Waits() {
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        try {
            Awaitility.await(what).pollInSameThread().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            // An assertion failure, as the tests that add context to a failed wait expect; without Awaitility's exception
            // as its cause, since pax-exam reports the root cause of a failure inside the framework, not the failure.
            throw new AssertionError("timed out after " + timeout + " waiting for " + what);
        }
    }

    /** Threads of this JVM whose name starts with {@code prefix}. */
    public static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }
}
