package io.fastpool.pool.internal;

import io.fastpool.api.Session;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One app's sessions: bounded by {@code maxSessions}, least recently used dropped first (a use
 * refreshes a session), ended after {@code sessionTimeout} unused. Each app has a store of its own,
 * and nothing of the server lives in it: the seed's denial of service came from sessions sharing
 * an eviction policy with the server's compiled pages.
 */
final class SessionStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final LinkedHashMap<String, StoredSession> sessions = new LinkedHashMap<>(64, 0.75f, true);
    private final LongSupplier clock;
    private volatile int maxSessions;
    private volatile long timeoutMillis;
    private long created;
    private long evicted;
    private long expired;

    SessionStore(int maxSessions, long timeoutMillis, LongSupplier clock) {
        this.maxSessions = maxSessions;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
    }

    void configure(int maxSessions, long timeoutMillis) {
        this.maxSessions = maxSessions;
        this.timeoutMillis = timeoutMillis;
        synchronized (this) {
            trim();
        }
    }

    /** The live session with this id, refreshed; or {@code null}. */
    synchronized Session find(String id) {
        StoredSession session = sessions.get(id);
        if (session == null) {
            return null;
        }
        long now = clock.getAsLong();
        if (timeoutMillis > 0 && now - session.lastAccess > timeoutMillis) {
            sessions.remove(id);
            expired++;
            return null;
        }
        session.lastAccess = now;
        return session;
    }

    /** A new session; the least recently used ones go if the store is full. */
    synchronized Session create() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        StoredSession session = new StoredSession(id, clock.getAsLong());
        sessions.put(id, session);
        created++;
        trim();
        return session;
    }

    /** Drops sessions unused for longer than the time-out; called now and then by the pool manager. */
    synchronized int expire() {
        if (timeoutMillis <= 0) {
            return 0;
        }
        long now = clock.getAsLong();
        int dropped = 0;
        for (Iterator<StoredSession> it = sessions.values().iterator(); it.hasNext(); ) {
            StoredSession session = it.next();
            if (now - session.lastAccess > timeoutMillis) {
                it.remove();
                dropped++;
            }
        }
        expired += dropped;
        return dropped;
    }

    synchronized int size() {
        return sessions.size();
    }

    synchronized long created() {
        return created;
    }

    synchronized long evicted() {
        return evicted;
    }

    synchronized long expiredCount() {
        return expired;
    }

    int maxSessions() {
        return maxSessions;
    }

    private void trim() {
        Iterator<StoredSession> eldest = sessions.values().iterator();
        while (sessions.size() > maxSessions && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
            evicted++;
        }
    }

    private synchronized void invalidate(String id) {
        sessions.remove(id);
    }

    /** A session in this store. */
    private final class StoredSession implements Session {
        private final String id;
        private final long creationTime;
        private final Map<String, Object> attributes = new ConcurrentHashMap<>();
        private volatile long lastAccess;

        StoredSession(String id, long now) {
            this.id = id;
            this.creationTime = now;
            this.lastAccess = now;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Object attribute(String name) {
            return attributes.get(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            if (value == null) {
                attributes.remove(name);
            } else {
                attributes.put(name, value);
            }
        }

        @Override
        public Set<String> attributeNames() {
            return Collections.unmodifiableSet(attributes.keySet());
        }

        @Override
        public long creationTime() {
            return creationTime;
        }

        @Override
        public long lastAccessTime() {
            return lastAccess;
        }

        @Override
        public void invalidate() {
            attributes.clear();
            SessionStore.this.invalidate(id);
        }
    }
}
