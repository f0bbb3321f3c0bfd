package io.fastpool.pool;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Operates the pools: the service the shell commands and the status page call. Operations name a
 * pool; an unknown name is an {@link IllegalArgumentException} saying which pools exist.
 */
@ProviderType
public interface PoolManager {

    /** Every pool, by name. */
    List<PoolSnapshot> pools();

    /** One pool. */
    Optional<PoolSnapshot> pool(String name);

    /** Starts a stopped or disabled pool: requests are served again, failures are forgotten. */
    void start(String name);

    /** Stops a pool: queued requests and new ones get 503, running ones finish, instances and threads are released. */
    void stop(String name);

    /** Releases the pool's app instances and activates them again (same bundle, same class loader). */
    void restart(String name);

    /**
     * Updates the pool's app bundles from their locations for a fresh class loader: new requests
     * wait in the queue while running ones finish ({@code drainTimeLimit}), the bundles are updated,
     * and the waiting requests run on the new code ({@code startupTimeLimit}).
     */
    void recycle(String name);
}
