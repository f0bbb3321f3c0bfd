package io.fastpool.samples.session;

import io.fastpool.api.Session;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client talking to the app, as its cookie would make it: the session it holds, if any. A
 * session is created only when a request asks for one with {@code create} true.
 */
final class FakeClient {

    private FakeSession session;
    private int sessionsCreated;

    Session session(boolean create) {
        if (session == null && create) {
            session = new FakeSession("session-" + ++sessionsCreated);
        }
        return session;
    }

    /** Whether the client holds a live session. */
    boolean hasSession() {
        return session != null;
    }

    int sessionsCreated() {
        return sessionsCreated;
    }

    private final class FakeSession implements Session {
        private final String id;
        private final long creationTime = System.currentTimeMillis();
        private final Map<String, Object> attributes = new ConcurrentHashMap<>();

        FakeSession(String id) {
            this.id = id;
        }

        @Override public String id() { return id; }
        @Override public Object attribute(String name) { return attributes.get(name); }

        @Override
        public void setAttribute(String name, Object value) {
            if (value == null) {
                attributes.remove(name);
            } else {
                attributes.put(name, value);
            }
        }

        @Override public Set<String> attributeNames() { return Set.copyOf(attributes.keySet()); }
        @Override public long creationTime() { return creationTime; }
        @Override public long lastAccessTime() { return creationTime; }

        @Override
        public void invalidate() {
            attributes.clear();
            session = null;
        }
    }
}
