package io.fastpool.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented by a {@link WebApp} that wants to hear of the sessions its pool's store ends by
 * itself: those unused past the pool's {@code sessionTimeout}, and those evicted when the store holds
 * {@code maxSessions}. A session the app {@linkplain Session#invalidate() invalidates} is not
 * reported: the app knows.
 *
 * <p>The pool tells only the instance that is active when the session ends (an app released at its
 * idle time-out is not woken for it), and only while {@link #listensForSessionEnds()} says so. It
 * calls {@link #sessionEnded} on a thread of its own, never a transport's, with the app bundle's
 * class loader as context class loader and without holding any lock of its store; no request finds
 * the session any more, but its attributes are still there to read.
 */
@ConsumerType
public interface SessionEndListener {

    /**
     * Whether anything would be told of an ended session now. Asked on the thread that ends
     * sessions (a pool worker, the pool's watchdog): it must be quick and run no application code.
     */
    boolean listensForSessionEnds();

    /** {@code session} ended without a request: its time-out passed, or the store evicted it. */
    void sessionEnded(Session session);
}
