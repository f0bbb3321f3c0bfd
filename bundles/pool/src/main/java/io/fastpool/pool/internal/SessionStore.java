package io.fastpool.pool.internal;

import io.fastpool.api.Session;
import io.fastpool.pool.PoolSnapshot;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One app's sessions: at most {@code maxSessions}, ended after {@code sessionTimeout} unused. Each
 * app has a store of its own, and nothing of the server lives in it: the seed's denial of service
 * came from sessions sharing an eviction policy with the server's compiled pages.
 *
 * <p>A segmented LRU, so that a flood of sessions made once and never used again (a script or a
 * crawler without cookies) cannot push out the sessions of users who come back. A new session
 * starts in the <em>new</em> segment; its first use after creation makes it <em>returning</em> and
 * moves it to the protected segment, which holds at most {@link #PROTECTED_SHARE} of
 * {@code maxSessions}. When the store is full, the least recently used session of the new segment
 * goes. Returning sessions past the protected segment's share go back, least recently used first,
 * to the new segment, where they compete with new sessions for the rest of the store (a store
 * whose returning users do not fit is too small, and {@code fastpool:advise} says so). The new
 * segment always has at least the remaining fifth, so a new user has as many creations' time to
 * come back as there is room in it. Chosen over Caffeine's W-TinyLFU: its guarantee is exact and
 * testable, the bound holds at every moment, segments and evictions are counted exactly for the
 * status page, and nothing more has to be shipped; {@code bench/README.md} has the measurements.
 *
 * <p>Sessions it ends by itself (time-out, eviction) go to its {@link Ends}, if one is set and
 * {@linkplain Ends#wanted() wants them}, once the store's lock is let go: what hears of them may run
 * application code, which must not hold up every request that asks the store meanwhile.
 */
final class SessionStore {

    /** Who hears of the sessions the store ends by itself (the app: {@link App}). */
    interface Ends {
        /** Whether ended sessions are wanted now; asked before the lock is taken, so quick and lock-free. */
        boolean wanted();

        /** Sessions the store ended, after its lock was let go. */
        void ended(List<Session> sessions);
    }

    /** The share of {@code maxSessions} that returning sessions may hold out of reach of new ones. */
    static final double PROTECTED_SHARE = 0.8;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Sessions not used since they were made, and returning ones moved out of the protected segment. */
    private final LinkedHashMap<String, StoredSession> probation = new LinkedHashMap<>(64, 0.75f, true);
    /** Sessions used again after they were made, least recently used first. */
    private final LinkedHashMap<String, StoredSession> protectedSegment = new LinkedHashMap<>(64, 0.75f, true);
    private final LongSupplier clock;
    private volatile int maxSessions;
    private volatile long timeoutMillis;
    private int returning;
    private long created;
    private long newEvicted;
    private long returningEvicted;
    private long expired;
    private volatile Ends ends;
    /** Sessions ended by the call holding the lock, gathered for {@link #ends} when it wants them; else null. */
    private List<Session> ending;

    SessionStore(int maxSessions, long timeoutMillis, LongSupplier clock) {
        this.maxSessions = maxSessions;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
    }

    /** Sets who hears of the sessions the store ends by itself. */
    void endsTo(Ends listener) {
        this.ends = listener;
    }

    void configure(int maxSessions, long timeoutMillis) {
        this.maxSessions = maxSessions;
        this.timeoutMillis = timeoutMillis;
        boolean gather = wanted();
        List<Session> ended;
        synchronized (this) {
            gather(gather);
            trim();
            ended = gathered();
        }
        tell(ended);
    }

    /** Whether {@code session} was invalidated (a request that holds it must not hand it out again). */
    static boolean ended(Session session) {
        return session instanceof StoredSession stored && stored.ended;
    }

    /** The live session with this id, refreshed (and returning from now on); or {@code null}. */
    Session find(String id) {
        boolean gather = wanted();
        Session found;
        List<Session> ended;
        synchronized (this) {
            gather(gather);
            found = findLocked(id);
            ended = gathered();
        }
        tell(ended);
        return found;
    }

    private Session findLocked(String id) {
        StoredSession session = protectedSegment.get(id);
        boolean wasProtected = session != null;
        if (!wasProtected) {
            session = probation.get(id);
            if (session == null) {
                return null;
            }
        }
        long now = clock.getAsLong();
        if (timeoutMillis > 0 && now - session.lastAccess > timeoutMillis) {
            (wasProtected ? protectedSegment : probation).remove(id);
            ended(session);
            expired++;
            return null;
        }
        session.lastAccess = now;
        if (!wasProtected) {
            probation.remove(id);
            protectedSegment.put(id, session);
            if (!session.returning) {
                session.returning = true;
                returning++;
            }
            trim();
        }
        return session;
    }

    /**
     * Moves a live session to a new id, as the most recently used of its segment; the old id is no
     * longer found. Throws {@link IllegalStateException} for a session that ended.
     */
    synchronized String changeId(Session session) {
        StoredSession stored = (StoredSession) session;
        Map<String, StoredSession> segment = protectedSegment.containsKey(stored.id) ? protectedSegment : probation;
        if (stored.ended || segment.remove(stored.id) == null) {
            throw new IllegalStateException("session " + stored.id + " has ended");
        }
        stored.id = newId();
        segment.put(stored.id, stored);
        return stored.id;
    }

    /** A new session; if the store is full, the least recently used new session goes. */
    Session create() {
        boolean gather = wanted();
        StoredSession session = new StoredSession(newId(), clock.getAsLong());
        List<Session> ended;
        synchronized (this) {
            gather(gather);
            probation.put(session.id, session);
            created++;
            trim();
            ended = gathered();
        }
        tell(ended);
        return session;
    }

    private static String newId() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Drops sessions unused for longer than the time-out; called now and then by the pool manager. */
    int expire() {
        boolean gather = wanted();
        int dropped;
        List<Session> ended;
        synchronized (this) {
            if (timeoutMillis <= 0 || probation.isEmpty() && protectedSegment.isEmpty()) {
                return 0;
            }
            gather(gather);
            long now = clock.getAsLong();
            dropped = expire(probation, now) + expire(protectedSegment, now);
            expired += dropped;
            ended = gathered();
        }
        tell(ended);
        return dropped;
    }

    private boolean wanted() {
        Ends listener = ends;
        return listener != null && listener.wanted();
    }

    /** Lock held: the sessions ended from now on are gathered when {@code wanted}. */
    private void gather(boolean wanted) {
        ending = wanted ? new ArrayList<>(0) : null;
    }

    /** Lock held: what was gathered, or null when nothing ended (or nobody wanted it). */
    private List<Session> gathered() {
        List<Session> ended = ending;
        ending = null;
        return ended == null || ended.isEmpty() ? null : ended;
    }

    /** Lock let go: hands the ended sessions on. */
    private void tell(List<Session> ended) {
        Ends listener = ends;
        if (ended != null && listener != null) {
            listener.ended(ended);
        }
    }

    synchronized int size() {
        return probation.size() + protectedSegment.size();
    }

    /** Sessions used again after they were made. */
    synchronized int returning() {
        return returning;
    }

    synchronized long created() {
        return created;
    }

    synchronized long evicted() {
        return newEvicted + returningEvicted;
    }

    /** Sessions dropped for want of room that were never used after they were made: one-shot churn. */
    synchronized long newEvicted() {
        return newEvicted;
    }

    /** Sessions dropped for want of room that had been used again: returning users who lost theirs. */
    synchronized long returningEvicted() {
        return returningEvicted;
    }

    synchronized long expiredCount() {
        return expired;
    }

    int maxSessions() {
        return maxSessions;
    }

    /** The app's figures for a pool snapshot, all taken at one moment. */
    synchronized PoolSnapshot.AppView view(String appName, boolean active) {
        int size = size();
        return new PoolSnapshot.AppView(appName, active, size, created, evicted(), size - returning, returning,
                newEvicted, returningEvicted);
    }

    /** Moves returning sessions past the protected share back to the new segment, then evicts down to {@code maxSessions}. */
    private void trim() {
        int protectedMax = (int) (maxSessions * PROTECTED_SHARE);
        Iterator<StoredSession> eldestReturning = protectedSegment.values().iterator();
        while (protectedSegment.size() > protectedMax && eldestReturning.hasNext()) {
            StoredSession demoted = eldestReturning.next();
            eldestReturning.remove();
            probation.put(demoted.id, demoted);
        }
        Iterator<StoredSession> eldest = probation.values().iterator();
        while (size() > maxSessions && eldest.hasNext()) {
            StoredSession evicted = eldest.next();
            eldest.remove();
            if (evicted.returning) {
                returningEvicted++;
            } else {
                newEvicted++;
            }
            ended(evicted);
        }
    }

    private int expire(Map<String, StoredSession> segment, long now) {
        int dropped = 0;
        for (Iterator<StoredSession> it = segment.values().iterator(); it.hasNext(); ) {
            StoredSession session = it.next();
            if (now - session.lastAccess > timeoutMillis) {
                it.remove();
                ended(session);
                dropped++;
            }
        }
        return dropped;
    }

    /** The store ended {@code session} by itself (time-out, eviction): gathered for {@link #ends} when wanted. */
    private void ended(StoredSession session) {
        dropped(session);
        if (ending != null) {
            ending.add(session);
        }
    }

    /** Keeps the returning count right when a session leaves, however it leaves. */
    private void dropped(StoredSession session) {
        if (session.returning) {
            returning--;
        }
    }

    private synchronized void invalidate(StoredSession ending) {
        StoredSession session = protectedSegment.remove(ending.id);
        if (session == null) {
            session = probation.remove(ending.id);
        }
        if (session != null) {
            dropped(session);
        }
    }

    /** A session in this store. */
    private final class StoredSession implements Session {
        /** Changed only by {@link #changeId}, holding the store's lock. */
        private volatile String id;
        private final long creationTime;
        private final Map<String, Object> attributes = new ConcurrentHashMap<>();
        private volatile long lastAccess;
        /** Set by {@link #invalidate}: a request that held it asks the store again. */
        private volatile boolean ended;
        /** Used again after it was made; guarded by the store. */
        private boolean returning;

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
            ended = true;
            attributes.clear();
            SessionStore.this.invalidate(this);
        }

        @Override
        public long timeoutMillis() {
            return timeoutMillis;
        }
    }
}
