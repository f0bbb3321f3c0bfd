package io.fastpool.testkit;

import io.fastpool.api.Session;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A session as a pool keeps one, for unit tests of what uses sessions: attributes in a map, a
 * fixed id and times, the pool's time-out (20 minutes unless given), and whether it was ended.
 */
public final class FakeSession implements Session {

    private volatile String id;
    private int changes;
    private final long timeoutMillis;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private volatile boolean ended;

    public FakeSession(String id) {
        this(id, 20 * 60_000);
    }

    public FakeSession(String id, long timeoutMillis) {
        this.id = id;
        this.timeoutMillis = timeoutMillis;
    }

    /** Gives it a new id, as a pool does for {@code Request.changeSessionId}: its id with {@code .N} added. */
    public synchronized String changeId() {
        id = id.replaceFirst("\\.\\d+$", "") + "." + ++changes;
        return id;
    }

    /** Whether {@link #invalidate} was called. */
    public boolean ended() {
        return ended;
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

    /** 1,000 ms after the epoch: a fixed time tests can assert. */
    @Override
    public long creationTime() {
        return 1_000;
    }

    /** 2,000 ms after the epoch. */
    @Override
    public long lastAccessTime() {
        return 2_000;
    }

    @Override
    public void invalidate() {
        ended = true;
        attributes.clear();
    }

    @Override
    public long timeoutMillis() {
        return timeoutMillis;
    }
}
