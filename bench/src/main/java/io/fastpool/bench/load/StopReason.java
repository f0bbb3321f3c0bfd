package io.fastpool.bench.load;

/** What ended a run. */
public enum StopReason {
    /** {@code --duration} passed. */
    DURATION,
    /** {@code --requests} requests were measured. */
    REQUESTS,
    /** {@code --max-time} passed first: the run was cut short. */
    MAX_TIME,
    /** Every connection's first attempt failed before any succeeded: nothing was measured. */
    NO_CONNECTION
}
