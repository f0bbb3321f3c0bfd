package io.fastpool.pool;

/** Where a pool is in its life, as in the IIS 6.0 worker process model. */
public enum PoolState {
    /** Stopped by an operator: requests are answered 503 until it is started. */
    STOPPED,
    /** Its apps are (re)starting: requests wait in the queue, up to {@code startupTimeLimit}. */
    STARTING,
    /** Serving. An OnDemand app's component is activated by the first request. */
    RUNNING,
    /** Before a swap: new requests wait in the queue while those in flight finish, up to {@code drainTimeLimit}. */
    DRAINING,
    /** Its bundles are being updated: requests wait in the queue. */
    SWAPPING,
    /** Rapid-fail protection tripped: requests are answered 503 until an operator starts it. */
    DISABLED
}
