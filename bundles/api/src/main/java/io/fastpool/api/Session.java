package io.fastpool.api;

import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Per-user state an app keeps between requests. A session exists only once an app asks for one
 * ({@link Request#session(boolean)} with {@code true}); a request that never asks creates none. Each
 * app's sessions live in a store of their own, bounded, and never shared with the server's own
 * caches; when it is full, sessions never used again after they were made go before those of
 * returning users.
 */
@ProviderType
public interface Session {

    /** The session id, as sent in the cookie. */
    String id();

    /** An attribute, or {@code null}. */
    Object attribute(String name);

    /** Sets an attribute; {@code null} removes it. */
    void setAttribute(String name, Object value);

    /** The names of the attributes set. */
    Set<String> attributeNames();

    /** When the session was created, in epoch milliseconds. */
    long creationTime();

    /** When a request last used it, in epoch milliseconds. */
    long lastAccessTime();

    /** Ends the session: its attributes are dropped and its id is no longer accepted. */
    void invalidate();

    /**
     * How long the session may go unused before it ends, in milliseconds (the pool's
     * {@code sessionTimeout}); 0 or less: it never times out.
     */
    default long timeoutMillis() {
        return 0;
    }
}
