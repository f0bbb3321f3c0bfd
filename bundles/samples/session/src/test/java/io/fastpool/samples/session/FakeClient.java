package io.fastpool.samples.session;

import io.fastpool.api.Session;
import io.fastpool.testkit.FakeSession;

/**
 * One client talking to the app, as its cookie would make it: the session it holds, if any. A
 * session is created only when a request asks for one with {@code create} true; an invalidated one
 * is gone.
 */
final class FakeClient {

    private FakeSession session;
    private int sessionsCreated;

    Session session(boolean create) {
        if (!hasSession() && create) {
            session = new FakeSession("session-" + ++sessionsCreated);
        }
        return hasSession() ? session : null;
    }

    /** Whether the client holds a live session. */
    boolean hasSession() {
        return session != null && !session.ended();
    }

    int sessionsCreated() {
        return sessionsCreated;
    }
}
