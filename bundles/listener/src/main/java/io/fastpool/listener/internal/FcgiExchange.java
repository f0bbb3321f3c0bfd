package io.fastpool.listener.internal;

import io.fastpool.api.RequestAbortedException;
import io.fastpool.api.spi.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * One FastCGI request from BEGIN_REQUEST to END_REQUEST. Lives on the event loop while its PARAMS
 * arrive; once dispatched, the handler's thread writes the response through {@link #send}, which
 * queues every write on the connection's event loop in order. The same lock decides whether a
 * write or an abort comes first, so no STDOUT record can follow this request's END_REQUEST, and
 * none can reach a later request that reuses the id.
 */
final class FcgiExchange implements Exchange {

    enum Phase { PARAMS, DISPATCHED }

    private final FcgiSession session;
    private final int requestId;
    private final boolean keepConnection;
    final Params params;
    Phase phase = Phase.PARAMS;
    ScheduledFuture<?> paramsTimer;
    /** Event loop: the web server sent the empty STDIN record; the request has all arrived. */
    boolean stdinEnded;
    /** Event loop: END_REQUEST of a request answered before its STDIN ended, sent when it ends. */
    io.netty.buffer.ByteBuf heldEnd;
    ScheduledFuture<?> heldEndTimer;
    private FcgiRequest request;
    private FcgiResponse response;
    private RequestBody body;
    private volatile boolean cancelled;
    private String cancelReason;
    /** Guarded by this: END_REQUEST is queued, nothing more may be. */
    private boolean finished;
    /** The first cancel action (there is usually one: the pool's), then any more. */
    private Runnable cancelAction;
    private List<Runnable> moreCancelActions;

    FcgiExchange(FcgiSession session, int requestId, boolean keepConnection, int paramsBytes) {
        this.session = session;
        this.requestId = requestId;
        this.keepConnection = keepConnection;
        this.params = new Params(paramsBytes);
    }

    /** Event loop, at the end of PARAMS: builds the request; throws {@link RequestPath.BadPathException}. */
    void prepare(InboundBudget budget, int responseBufferSize) {
        long declared = params.number("CONTENT_LENGTH", 18);
        body = new RequestBody(budget, declared);
        response = new FcgiResponse(this, responseBufferSize);
        request = new FcgiRequest(params, body);
        phase = Phase.DISPATCHED;
    }

    /** A response for a request that failed before it could be built (bad path, oversized PARAMS). */
    FcgiResponse bareResponse(int responseBufferSize) {
        if (response == null) {
            response = new FcgiResponse(this, responseBufferSize);
        }
        return response;
    }

    int requestId() {
        return requestId;
    }

    boolean keepConnection() {
        return keepConnection;
    }

    RequestBody requestBody() {
        return body;
    }

    ByteBufAllocator alloc() {
        return session.connection().alloc();
    }

    @Override
    public FcgiRequest request() {
        return request;
    }

    @Override
    public FcgiResponse response() {
        return response;
    }

    @Override
    public void complete() {
        if (response != null) {
            response.finish();
        } else {
            session.endWithoutResponse(this);
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
        boolean runNow;
        synchronized (this) {
            runNow = cancelled;
            if (!runNow) {
                if (cancelAction == null) {
                    cancelAction = action;
                } else {
                    if (moreCancelActions == null) {
                        moreCancelActions = new ArrayList<>(2);
                    }
                    moreCancelActions.add(action);
                }
            }
        }
        if (runNow) {
            action.run();
        }
    }

    @Override
    public String describe() {
        return "connection " + session.connection().id() + " request " + requestId
                + (request != null ? " " + request : "");
    }

    /**
     * Queues {@code out} (whole records) for the connection, waiting first while the connection's
     * outbound buffers are full. {@code last} marks the buffer holding END_REQUEST.
     *
     * @throws RequestAbortedException if the request ended (aborted, connection closed) meanwhile
     */
    void send(ByteBuf out, boolean flush, boolean last) throws RequestAbortedException {
        if (!session.connection().inEventLoop()) {
            try {
                session.awaitWritable(this);
            } catch (RequestAbortedException e) {
                out.release();
                throw e;
            }
        }
        synchronized (this) {
            if (finished) {
                out.release();
                throw new RequestAbortedException("request ended before its response was sent: " + cancelReasonOr("complete"));
            }
            if (last) {
                finished = true;
            }
            session.queueWrite(this, out, flush, last);
        }
    }

    /**
     * Event loop: ends the request early (ABORT_REQUEST, connection closed, listener leaving). The
     * handler sees an aborted body and failing writes; the body's buffers are released. Returns
     * whether END_REQUEST still has to be sent for it.
     */
    boolean cancel(String reason) {
        List<Runnable> actions = null;
        boolean needsEnd;
        synchronized (this) {
            if (cancelled) {
                return false;
            }
            cancelled = true;
            cancelReason = reason;
            needsEnd = !finished;
            finished = true;
            if (cancelAction != null) {
                actions = new ArrayList<>(1 + (moreCancelActions == null ? 0 : moreCancelActions.size()));
                actions.add(cancelAction);
                if (moreCancelActions != null) {
                    actions.addAll(moreCancelActions);
                }
            }
            cancelAction = null;
            moreCancelActions = null;
        }
        if (paramsTimer != null) {
            paramsTimer.cancel(false);
        }
        if (body != null) {
            body.fail(new RequestAbortedException("request aborted (" + reason + "): " + describe()));
        }
        if (actions != null) {
            for (Runnable action : actions) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    session.logCancelActionFailure(this, e);
                }
            }
        }
        return needsEnd;
    }

    /** Whether END_REQUEST has been queued (or will never be sent). */
    synchronized boolean isFinished() {
        return finished;
    }

    /** Marks the exchange finished by the listener itself; returns false if it already was. */
    synchronized boolean finishHere() {
        if (finished) {
            return false;
        }
        finished = true;
        return true;
    }

    private String cancelReasonOr(String fallback) {
        return cancelReason != null ? cancelReason : fallback;
    }
}
