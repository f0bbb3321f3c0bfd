package io.fastpool.listener.internal;

import io.fastpool.api.RequestAbortedException;
import io.fastpool.api.spi.Exchange;
import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.transport.Connection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * One FastCGI request from BEGIN_REQUEST to END_REQUEST, and the owner of its state:
 *
 * <pre>
 * PARAMS ─► DISPATCHED ─► FINISHED ─► ended: END_REQUEST written, the id is free
 *   │            │            └─► HELD ─► ended when the STDIN ends, on ABORT_REQUEST or after paramsTimeout
 *   ├─► FINISHED: the listener answers an error itself (a bad path, oversized PARAMS)
 *   └────────────┴─► CANCELLED: ABORT_REQUEST, the connection closed, the listener leaving
 * </pre>
 *
 * It lives on the event loop while its PARAMS arrive; once dispatched, the handler's thread writes
 * the response through {@link #send}, and the connection's {@link OutboundQueue} writes it on the
 * event loop. The state changes under that queue's lock, so a write and a cancel are ordered with
 * the queue itself: no STDOUT record follows this request's END_REQUEST, and none can reach a
 * later request that reuses the id. One deadline serves the two waits that end a request: for the
 * PARAMS ({@code paramsTimeout}) and, when HELD, for the rest of the STDIN; the session's one timer
 * for all its requests watches it.
 */
final class FcgiExchange implements Exchange {

    enum State {
        /** BEGIN_REQUEST came; the CGI variables are arriving (event loop; paramsTimeout runs). */
        PARAMS,
        /** Handed to a request target, which writes the response. */
        DISPATCHED,
        /** END_REQUEST is queued: nothing more may be. */
        FINISHED,
        /** Answered before the web server sent all its STDIN: END_REQUEST waits for the STDIN's end. */
        HELD,
        /** Aborted, or its connection closed or left: writes fail, the body fails. */
        CANCELLED
    }

    private static final System.Logger LOG = System.getLogger(FcgiExchange.class.getName());
    /** END_REQUEST's length: the header and its 8-byte body, the last bytes of a request's last buffer. */
    private static final int END_REQUEST_LENGTH = Fcgi.HEADER_LENGTH + Fcgi.FIXED_BODY_LENGTH;

    private final FcgiSession session;
    private final OutboundQueue outbound;
    private final int requestId;
    private final boolean keepConnection;
    private final int responseBufferSize;
    final Params params;
    /** Written under the outbound queue's lock once a handler may see the exchange; read anywhere. */
    private volatile State state = State.PARAMS;
    private String cancelReason;
    /**
     * Event loop: when the PARAMS' time-out, then the HELD END_REQUEST's, ends ({@link Connection#nanoTime}), or 0
     * when none runs; the session's one timer looks at it ({@link RequestDeadlines}).
     */
    private long deadlineNanos;
    /** The buffer ending with END_REQUEST while the outbound queue holds this exchange in its place. */
    private ByteBuf queuedEnd;
    /** Event loop, read by a handler deciding how to end: the web server sent the empty STDIN record; the request has all arrived. */
    private volatile boolean stdinEnded;
    /** Event loop: the END_REQUEST kept while HELD. */
    private ByteBuf heldEnd;
    private FcgiRequest request;
    private FcgiResponse response;
    private RequestBody body;
    /** Guarded by the outbound lock: the first cancel action (usually the only one: the pool's), then any more. */
    private Runnable cancelAction;
    private List<Runnable> moreCancelActions;

    /** {@code params}: empty, new or the connection's from a request that has ended. */
    FcgiExchange(FcgiSession session, OutboundQueue outbound, int requestId, boolean keepConnection, Params params,
            int responseBufferSize) {
        this.session = session;
        this.outbound = outbound;
        this.requestId = requestId;
        this.keepConnection = keepConnection;
        this.responseBufferSize = responseBufferSize;
        this.params = params;
    }

    /** Event loop, at BEGIN_REQUEST: the PARAMS must end within {@code timeoutMillis}. */
    void awaitParams(long timeoutMillis) {
        startTimer(timeoutMillis);
    }

    /** Event loop, at the end of PARAMS: builds the request; throws {@link RequestPath.BadPathException}. */
    void prepare(InboundBudget budget, FcgiRequest.Repeated repeated) {
        cancelTimer();
        params.index();
        long declared = params.number(Params.Variable.CONTENT_LENGTH, 18);
        body = new RequestBody(budget, declared);
        response = new FcgiResponse(this, responseBufferSize);
        request = new FcgiRequest(params, body, repeated);
        state = State.DISPATCHED; // no handler has it yet: the dispatch publishes it
    }

    /**
     * Event loop: the listener answers the request itself with a short error page (400, 404, 431,
     * 500), also one that failed before its request could be built (bad path, oversized PARAMS).
     */
    void answerError(int status, String message) {
        cancelTimer();
        if (response == null) {
            response = new FcgiResponse(this, responseBufferSize);
        }
        try {
            response.sendError(status, message);
        } catch (IOException | IllegalStateException e) {
            // Nothing sent yet, so neither can happen; if one did, END_REQUEST still goes out below.
        }
        response.finish();
    }

    State state() {
        return state;
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
            return;
        }
        try {
            send(endRequest(), true); // a request that never got a response object: just END_REQUEST
        } catch (RequestAbortedException e) {
            // ended already: nothing to tell anyone
        }
    }

    @Override
    public boolean isCancelled() {
        return state == State.CANCELLED;
    }

    @Override
    public void onCancel(Runnable action) {
        outbound.lock();
        try {
            if (state != State.CANCELLED) {
                if (cancelAction == null) {
                    cancelAction = action;
                } else {
                    if (moreCancelActions == null) {
                        moreCancelActions = new ArrayList<>(2);
                    }
                    moreCancelActions.add(action);
                }
                return;
            }
        } finally {
            outbound.unlock();
        }
        action.run();
    }

    @Override
    public String describe() {
        return "connection " + session.connection().id() + " request " + requestId + (request != null ? " " + request : "");
    }

    /** Event loop: whether the whole request arrived (its PARAMS and its body; not the STDIN's empty record). */
    boolean hasArrived() {
        return state != State.PARAMS && (body == null || body.isEnded());
    }

    /** Whether writes are still taken: neither END_REQUEST is queued nor the request cancelled. */
    boolean takesWrites() {
        State now = state;
        return now == State.PARAMS || now == State.DISPATCHED;
    }

    /** Whether END_REQUEST has been queued, or will never be sent. */
    boolean isFinished() {
        return !takesWrites();
    }

    /**
     * Queues {@code out} (whole records) for the connection, a handler thread waiting first while the
     * connection cannot take more. {@code last} marks the buffer ending with END_REQUEST.
     *
     * @throws RequestAbortedException if the request ended (aborted, connection closed) first; {@code out} is released
     */
    void send(ByteBuf out, boolean last) throws RequestAbortedException {
        boolean handler = !session.connection().inEventLoop();
        boolean byCaller = false;
        outbound.lock();
        try {
            if (handler) {
                outbound.awaitRoom(this);
            }
            if (!takesWrites() || outbound.isClosed()) {
                throw new RequestAbortedException("request ended before its response was sent: "
                        + (cancelReason != null ? cancelReason : outbound.isClosed() ? "connection closed" : "complete"));
            }
            if (last) {
                state = State.FINISHED;
                byCaller = handler && mayEndByCaller() && outbound.takeDrainForCaller();
            }
            if (!byCaller) {
                outbound.append(this, out, last);
                out = null;
            }
        } finally {
            outbound.unlock();
            if (out != null && !byCaller) {
                out.release();
            }
        }
        if (byCaller) {
            outbound.writeByCaller(this, out); // outside the lock: nobody holds it doing I/O
        }
    }

    /**
     * Whether a handler's thread may write this request's last buffer to the socket itself: the
     * connection stays open after it, and nothing of the request is still to arrive (else its
     * END_REQUEST waits for the STDIN's end on the event loop, {@link #holdEnd}).
     */
    private boolean mayEndByCaller() {
        return keepConnection && stdinEnded && session.takesCallerEnds();
    }

    /**
     * Event loop: ends the request early (ABORT_REQUEST, connection closed, listener leaving). A
     * waiting writer wakes and fails, later writes fail, the handler sees an aborted body, and the
     * body's buffers are released. Returns whether END_REQUEST still has to be sent for it.
     */
    boolean cancel(String reason) {
        State was;
        List<Runnable> actions = null;
        outbound.lock();
        try {
            was = state;
            if (was == State.CANCELLED) {
                return false;
            }
            state = State.CANCELLED;
            cancelReason = reason;
            if (cancelAction != null) {
                actions = new ArrayList<>(1 + (moreCancelActions == null ? 0 : moreCancelActions.size()));
                actions.add(cancelAction);
                if (moreCancelActions != null) {
                    actions.addAll(moreCancelActions);
                }
            }
            cancelAction = null;
            moreCancelActions = null;
            outbound.wakeWritersLocked();
        } finally {
            outbound.unlock();
        }
        cancelTimer();
        if (heldEnd != null) {
            heldEnd.release();
            heldEnd = null;
        }
        if (body != null) {
            body.fail(new RequestAbortedException("request aborted (" + reason + "): " + describe()));
        }
        if (actions != null) {
            for (Runnable action : actions) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "a cancel action of " + describe() + " failed", e);
                }
            }
        }
        return was == State.PARAMS || was == State.DISPATCHED;
    }

    /** Event loop, after a cancel that needs it: END_REQUEST, behind whatever the handler queued before. */
    void sendEndAfterCancel() {
        outbound.enqueue(this, endRequest(), true);
    }

    /**
     * Event loop, with the buffer ending in END_REQUEST: a request answered before the web server
     * sent all its STDIN (a POST to a path that does not read the body) keeps its END_REQUEST until
     * the STDIN ends, its body discarded meanwhile: HAProxy stops forwarding a client's body once
     * END_REQUEST has come, and the client then waits for ever. {@code paramsTimeout} bounds the
     * wait. Returns whether it was held; {@code out} then holds the answer without its end.
     */
    boolean holdEnd(ByteBuf out, long timeoutMillis) {
        if (stdinEnded || state != State.FINISHED || out.readableBytes() < END_REQUEST_LENGTH) {
            return false;
        }
        int answerLength = out.readableBytes() - END_REQUEST_LENGTH;
        heldEnd = out.retainedSlice(out.readerIndex() + answerLength, END_REQUEST_LENGTH);
        out.writerIndex(out.readerIndex() + answerLength);
        outbound.lock();
        try {
            state = State.HELD;
        } finally {
            outbound.unlock();
        }
        if (body != null) {
            body.close(); // what still comes of it is discarded
        }
        startTimer(timeoutMillis);
        return true;
    }

    /**
     * Event loop: the empty STDIN record came. Returns the held END_REQUEST, now to be sent, or
     * null; then the body ends.
     */
    ByteBuf stdinEnded() {
        stdinEnded = true;
        ByteBuf end = takeHeldEnd();
        if (end == null && body != null) {
            String mismatch = body.end();
            if (mismatch != null) {
                session.logBodyMismatch(this, mismatch);
            }
        }
        return end;
    }

    /** Event loop: the held END_REQUEST, to be sent now, or null if none is held. */
    ByteBuf takeHeldEnd() {
        ByteBuf end = heldEnd;
        if (end != null) {
            heldEnd = null;
            cancelTimer();
            stdinEnded = true;
        }
        return end;
    }

    /** Event loop: its END_REQUEST is written; the id is free. */
    void ended() {
        cancelTimer();
        if (body != null) {
            body.close();
        }
    }

    /** Event loop: when its time-out ends, or 0 when none runs. */
    long deadlineNanos() {
        return deadlineNanos;
    }

    /** Event loop, from the session's timer: its time-out has ended. */
    void timedOut() {
        deadlineNanos = 0;
        State now = state;
        if (now == State.PARAMS) {
            session.paramsTimedOut(this);
        } else if (now == State.HELD && heldEnd != null) {
            LOG.log(Level.DEBUG, () -> describe() + ": the web server did not end its STDIN within paramsTimeout of the"
                    + " answer; END_REQUEST goes out now");
            session.end(this, takeHeldEnd(), true);
        }
    }

    private void startTimer(long timeoutMillis) {
        deadlineNanos = session.deadlines.start(timeoutMillis);
    }

    private void cancelTimer() {
        deadlineNanos = 0;
    }

    /** With the outbound lock held: {@code out}, ending with END_REQUEST, is queued in this exchange's place. */
    void queueEnd(ByteBuf out) {
        queuedEnd = out;
    }

    /** The outbound queue's consumer: the buffer {@link #queueEnd} kept. */
    ByteBuf takeQueuedEnd() {
        ByteBuf out = queuedEnd;
        queuedEnd = null;
        return out;
    }

    private ByteBuf endRequest() {
        ByteBuf out = alloc().buffer(END_REQUEST_LENGTH);
        FcgiEncoder.writeEndRequest(out, requestId, 0, FcgiProtocolStatus.REQUEST_COMPLETE);
        return out;
    }
}
