package io.fastpool.pool.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The session store policies the session benchmarks compare: the store as it is (a segmented LRU,
 * {@link SessionStore}), the single LRU it replaced, and Caffeine's W-TinyLFU, which was the other
 * candidate. Each keeps the same per-session object (id, times, attribute map) and makes ids the
 * same way, so throughput and heap differ only by the policy. It lives in the pool's internal
 * package because {@code SessionStore} is package-private (see {@link BenchPool}).
 */
public abstract class SessionPolicy {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new session's id. */
    public abstract String create();

    /** Whether the session is still there; a use, as a request carrying its cookie would make. */
    public abstract boolean find(String id);

    /** Sessions held now. */
    public abstract long size();

    /** Sessions dropped for want of room. */
    public abstract long evicted();

    /** A policy by name: {@code segmented}, {@code lru} or {@code caffeine}. */
    public static SessionPolicy of(String name, int maxSessions, long timeoutMillis, LongSupplier clock) {
        return switch (name) {
            case "segmented" -> new Segmented(maxSessions, timeoutMillis, clock);
            case "lru" -> new Lru(maxSessions, timeoutMillis, clock);
            case "caffeine" -> new TinyLfu(maxSessions, timeoutMillis, clock);
            default -> throw new IllegalArgumentException("no session policy " + name + "; segmented, lru or caffeine");
        };
    }

    static String newId() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The store the pools use. */
    private static final class Segmented extends SessionPolicy {
        private final SessionStore store;

        Segmented(int maxSessions, long timeoutMillis, LongSupplier clock) {
            store = new SessionStore(maxSessions, timeoutMillis, clock);
        }

        @Override
        public String create() {
            return store.create().id();
        }

        @Override
        public boolean find(String id) {
            return store.find(id) != null;
        }

        @Override
        public long size() {
            return store.size();
        }

        @Override
        public long evicted() {
            return store.evicted();
        }
    }

    /** The store before the segmented LRU: one access-ordered map, least recently used out first. */
    private static final class Lru extends SessionPolicy {
        private final LinkedHashMap<String, PlainSession> sessions = new LinkedHashMap<>(64, 0.75f, true);
        private final int maxSessions;
        private final long timeoutMillis;
        private final LongSupplier clock;
        private long evicted;

        Lru(int maxSessions, long timeoutMillis, LongSupplier clock) {
            this.maxSessions = maxSessions;
            this.timeoutMillis = timeoutMillis;
            this.clock = clock;
        }

        @Override
        public synchronized String create() {
            PlainSession session = new PlainSession(newId(), clock.getAsLong());
            sessions.put(session.id, session);
            var eldest = sessions.values().iterator();
            while (sessions.size() > maxSessions) {
                eldest.next();
                eldest.remove();
                evicted++;
            }
            return session.id;
        }

        @Override
        public synchronized boolean find(String id) {
            PlainSession session = sessions.get(id);
            if (session == null) {
                return false;
            }
            long now = clock.getAsLong();
            if (now - session.lastAccess > timeoutMillis) {
                sessions.remove(id);
                return false;
            }
            session.lastAccess = now;
            return true;
        }

        @Override
        public synchronized long size() {
            return sessions.size();
        }

        @Override
        public synchronized long evicted() {
            return evicted;
        }
    }

    /**
     * Caffeine's W-TinyLFU, bounded and expiring after access by the same clock. Maintenance (and so
     * eviction) runs on the calling thread, as a store that must never pass its bound would need.
     */
    private static final class TinyLfu extends SessionPolicy {
        private final Cache<String, PlainSession> sessions;
        private final LongAdder evicted = new LongAdder();

        TinyLfu(int maxSessions, long timeoutMillis, LongSupplier clock) {
            sessions = Caffeine.newBuilder()
                    .maximumSize(maxSessions)
                    .expireAfterAccess(Duration.ofMillis(timeoutMillis))
                    .ticker(() -> clock.getAsLong() * 1_000_000)
                    .executor(Runnable::run)
                    .removalListener((String id, PlainSession session, RemovalCause cause) -> {
                        if (cause == RemovalCause.SIZE) {
                            evicted.increment();
                        }
                    })
                    .build();
        }

        @Override
        public String create() {
            PlainSession session = new PlainSession(newId(), 0);
            sessions.put(session.id, session);
            return session.id;
        }

        @Override
        public boolean find(String id) {
            return sessions.getIfPresent(id) != null;
        }

        @Override
        public long size() {
            return sessions.estimatedSize();
        }

        @Override
        public long evicted() {
            return evicted.sum();
        }
    }

    /** What each policy but the store keeps per session: the store's own session has the same fields. */
    private static final class PlainSession {
        final String id;
        final long creationTime;
        final Map<String, Object> attributes = new ConcurrentHashMap<>();
        volatile long lastAccess;

        PlainSession(String id, long now) {
            this.id = id;
            this.creationTime = now;
            this.lastAccess = now;
        }
    }
}
