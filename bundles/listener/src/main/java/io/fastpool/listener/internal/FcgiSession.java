package io.fastpool.listener.internal;

import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiDecoder;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiProtocolException;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordListener;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.fastpool.fcgi.LimitExceededException;
import io.fastpool.fcgi.UnknownRoleException;
import io.fastpool.transport.Connection;
import io.fastpool.transport.ConnectionSession;
import io.netty.buffer.ByteBuf;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;

/**
 * The FastCGI responder on one connection: the protocol's state machine.
 *
 * <pre>
 * BEGIN_REQUEST ─► PARAMS* ─► empty PARAMS ─► routed, dispatched ─► STDIN* ─► empty STDIN
 *                                                  │ response: STDOUT* ─► empty STDOUT ─► END_REQUEST
 * ABORT_REQUEST, or the connection closing, cancels the request at any point.
 * </pre>
 *
 * Requests on one connection may interleave (multiplexing) up to
 * {@link ListenerSettings#maxRequestsPerConnection()}; each has its own {@link FcgiExchange}, which
 * owns its state. Every method runs on the connection's event loop; handler threads write through
 * the connection's {@link OutboundQueue}, which calls {@link #requestEnded} back on the event loop,
 * or, for a request whose handler wrote its last buffer itself, has it ended on the event loop's
 * next look ({@link #endByCallers}).
 *
 * <p>About 440 lines, on purpose: the record callbacks of {@link FcgiRecordListener} (a dozen) and
 * the ends of requests read and change the same event-loop state (the requests in flight, the
 * closing and half-closed flags), which is the protocol's state machine. What stands apart is
 * apart: the requests in flight and their arrays ({@link InFlight}), each request's own state
 * ({@link FcgiExchange}), the outbound side ({@link OutboundQueue}), the time-outs
 * ({@link RequestDeadlines}).
 */
final class FcgiSession implements ConnectionSession, FcgiRecordListener, OutboundQueue.RequestEnds {

    private static final System.Logger LOG = System.getLogger(FcgiSession.class.getName());

    private final Connection connection;
    private final ListenerSettings settings;
    private final Router router;
    private final ListenerStats stats;
    private final FcgiRequest.Repeated repeated = new FcgiRequest.Repeated();
    private final FcgiDecoder decoder;
    private final InboundBudget inbound;
    private final InFlight exchanges = new InFlight();
    private final OutboundQueue outbound;
    /** The time-outs of this connection's exchanges, which start theirs here. */
    final RequestDeadlines deadlines;
    /** Set on the event loop; a handler ending its request reads it ({@link #takesCallerEnds}). */
    private volatile boolean closing;
    private int refusedForOverload;
    /** The web server half-closed: after the last answer the connection closes, kept or not. */
    private volatile boolean inputShutdown;

    FcgiSession(Connection connection, ListenerSettings settings, Router router, ListenerStats stats) {
        this.connection = connection;
        this.settings = settings;
        this.router = router;
        this.stats = stats;
        this.decoder = new FcgiDecoder(settings.limits(), this);
        this.inbound = new InboundBudget(connection, settings.maxBufferedBytesPerConnection());
        this.outbound = new OutboundQueue(connection, this);
        this.deadlines = new RequestDeadlines(connection, exchanges.all());
    }

    Connection connection() {
        return connection;
    }

    // ---- ConnectionSession ------------------------------------------------------------------

    @Override
    public void onRecord(ByteBuf record) {
        endByCallers();
        if (closing) {
            return;
        }
        try {
            decoder.decodeRecord(record);
        } catch (FcgiProtocolException e) {
            protocolViolation(e.getMessage());
        }
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (writable) {
            outbound.wakeWriters();
        }
    }

    @Override
    public boolean isIdle() {
        endByCallers();
        return exchanges.isEmpty() && decoder.openParamsStreams() == 0;
    }

    @Override
    public void detach() {
        endByCallers();
        cancelAll("the FastCGI listener is being updated");
        deadlines.stop();
        outbound.close();
    }

    /**
     * The web server shut its side down: a request still waiting for PARAMS or body bytes can never
     * complete, so the connection closes now (cancelling it); requests that arrived whole are
     * answered first, then the connection closes.
     */
    @Override
    public boolean onInputShutdown() {
        inputShutdown = true;
        endByCallers();
        if (closing || exchanges.isEmpty() || decoder.openParamsStreams() > 0) {
            return true;
        }
        for (FcgiExchange exchange : exchanges.all()) {
            if (!exchange.hasArrived()) {
                LOG.log(Level.DEBUG, () -> connection.describe() + " was half-closed by the web server with request "
                        + exchange.requestId() + " incomplete; closing the connection");
                return true;
            }
        }
        return false;
    }

    @Override
    public void onClose() {
        endByCallers();
        cancelAll("connection closed");
        deadlines.stop();
        outbound.close();
    }

    // ---- FcgiRecordListener: requests --------------------------------------------------------

    @Override
    public void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
        if (exchanges.get(requestId) != null) {
            protocolViolation("BEGIN_REQUEST for request id " + requestId + ", which is still in flight");
            return;
        }
        if (role != FcgiRole.RESPONDER) {
            refuse(requestId, FcgiProtocolStatus.UNKNOWN_ROLE, !keepConnection);
            return;
        }
        if (exchanges.size() >= settings.maxRequestsPerConnection()) {
            FcgiProtocolStatus status = settings.maxRequestsPerConnection() == 1
                    ? FcgiProtocolStatus.CANT_MPX_CONN : FcgiProtocolStatus.OVERLOADED;
            if (refusedForOverload++ == 0) {
                // Once per connection: a peer that keeps asking must not flood the log.
                LOG.log(Level.WARNING, () -> connection.describe() + " has " + exchanges.size()
                        + " requests in flight (maxRequestsPerConnection); refusing request " + requestId + " with " + status
                        + ", and any more beyond the limit on this connection without logging each");
            }
            refuse(requestId, status, !keepConnection);
            return;
        }
        FcgiExchange exchange = new FcgiExchange(this, outbound, requestId, keepConnection, exchanges.paramsForNext(),
                settings.responseBufferSize());
        exchange.awaitParams(settings.paramsTimeoutMillis());
        exchanges.add(exchange);
    }

    @Override
    public void onParamsContent(int requestId, ByteBuf source, int index, int length) {
        FcgiExchange exchange = exchanges.get(requestId);
        if (exchange != null && exchange.state() == FcgiExchange.State.PARAMS) {
            exchange.params.append(source, index, length);
        }
    }

    @Override
    public void onParamsEnd(int requestId) {
        FcgiExchange exchange = exchanges.get(requestId);
        if (exchange == null || exchange.state() != FcgiExchange.State.PARAMS) {
            return;
        }
        exchanges.paramsEnded(exchange.params);
        try {
            exchange.prepare(inbound, repeated);
        } catch (RequestPath.BadPathException e) {
            stats.badRequests.increment();
            LOG.log(Level.INFO, () -> "bad request on " + connection.describe() + " request " + requestId + ": " + e.getMessage());
            exchange.answerError(400, null);
            return;
        }
        FcgiRequest request = exchange.request();
        Router.Match match = router.route(request.routingHost(), request.serverPort(), request.path());
        if (match == null) {
            stats.notFound.increment();
            exchange.answerError(404, "No application is mounted at this path.");
            return;
        }
        request.setContextPath(match.contextPath());
        stats.dispatched.increment();
        try {
            match.target().dispatch(exchange);
        } catch (RuntimeException e) {
            stats.dispatchFailures.increment();
            LOG.log(Level.ERROR, "request target " + match.name() + " failed to take " + exchange.describe(), e);
            if (!exchange.response().isCommitted() && !exchange.isFinished()) {
                exchange.answerError(500, null);
            }
        }
    }

    @Override
    public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
        if (stream != FcgiRecordType.STDIN) {
            unexpected(stream);
            return;
        }
        FcgiExchange exchange = exchanges.get(requestId);
        if (exchange == null || exchange.requestBody() == null) {
            return; // a request already answered (or not yet routed): its body is not wanted
        }
        String mismatch = exchange.requestBody().offer(content.retainedSlice());
        if (mismatch != null) {
            logBodyMismatch(exchange, mismatch);
        }
    }

    @Override
    public void onStreamEnd(FcgiRecordType stream, int requestId) {
        if (stream != FcgiRecordType.STDIN) {
            unexpected(stream);
            return;
        }
        FcgiExchange exchange = exchanges.get(requestId);
        if (exchange != null) {
            ByteBuf heldEnd = exchange.stdinEnded();
            if (heldEnd != null) {
                end(exchange, heldEnd, true);
            }
        }
    }

    @Override
    public void onAbortRequest(int requestId) {
        FcgiExchange exchange = exchanges.get(requestId);
        if (exchange == null) {
            return;
        }
        ByteBuf heldEnd = exchange.takeHeldEnd();
        if (heldEnd != null) {
            end(exchange, heldEnd, true); // answered already; the web server gives up on the rest of its body
            return;
        }
        stats.aborted.increment();
        if (exchange.cancel("ABORT_REQUEST from the web server")) {
            exchange.sendEndAfterCancel();
        }
    }

    @Override
    public void onRequestError(int requestId, FcgiProtocolException error) {
        if (error instanceof UnknownRoleException) {
            refuse(requestId, FcgiProtocolStatus.UNKNOWN_ROLE, false);
            return;
        }
        FcgiExchange exchange = exchanges.get(requestId);
        stats.badRequests.increment();
        LOG.log(Level.INFO, () -> "bad request on " + connection.describe() + " request " + requestId + ": " + error.getMessage());
        if (exchange == null || exchange.state() != FcgiExchange.State.PARAMS) {
            return;
        }
        exchange.answerError(error instanceof LimitExceededException ? 431 : 400, null);
    }

    // ---- FcgiRecordListener: management and records a web server never sends -----------------

    @Override
    public void onGetValues(List<String> names) {
        ByteBuf out = connection.alloc().buffer(64);
        FcgiEncoder.writeGetValuesResult(out, settings.getValuesResult(names, connection.limits().maxConnections()));
        writeNow(out, false, true);
    }

    @Override
    public void onUnrecognizedRecord(int type, int requestId) {
        if (requestId == Fcgi.NULL_REQUEST_ID) {
            ByteBuf out = connection.alloc().buffer(16);
            FcgiEncoder.writeUnknownType(out, type);
            writeNow(out, false, true);
        } else {
            LOG.log(Level.DEBUG, () -> connection.describe() + " sent a record of unknown type " + type + " for request "
                    + requestId + "; ignored");
        }
    }

    @Override
    public void onGetValuesResult(Map<String, String> values) {
        unexpected(FcgiRecordType.GET_VALUES_RESULT);
    }

    @Override
    public void onUnknownType(int type) {
        LOG.log(Level.DEBUG, () -> connection.describe() + " did not understand record type " + type);
    }

    @Override
    public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
        unexpected(FcgiRecordType.END_REQUEST);
    }

    // ---- ending requests ----------------------------------------------------------------------

    /**
     * Event loop, from the outbound queue, which flushes after its pass: the buffer ending with
     * {@code exchange}'s END_REQUEST. It is written now, or only its answer is while the exchange
     * holds its END_REQUEST for the rest of the STDIN ({@link FcgiExchange#holdEnd}).
     */
    @Override
    public void requestEnded(FcgiExchange exchange, ByteBuf out) {
        if (!closing && exchanges.get(exchange.requestId()) == exchange
                && exchange.holdEnd(out, settings.paramsTimeoutMillis())) {
            connection.write(out);
        } else {
            end(exchange, out, false);
        }
    }

    /**
     * Event loop: writes {@code out}, ending with END_REQUEST (a held one, or one just queued), and
     * flushes unless the outbound queue's pass will; the id is free.
     */
    void end(FcgiExchange exchange, ByteBuf out, boolean flush) {
        exchanges.forget(exchange);
        count(exchange);
        writeNow(out, !exchange.keepConnection() || (inputShutdown && exchanges.isEmpty()), flush);
    }

    /**
     * Event loop: ends the requests whose handlers wrote their last buffers themselves (counted
     * then). Looked at before anything else the connection does: its next record, its idleness, its
     * end, the outbound queue's drain.
     */
    @Override
    public void endByCallers() {
        for (FcgiExchange exchange = outbound.pollEndedByCaller(); exchange != null; exchange = outbound.pollEndedByCaller()) {
            exchanges.forget(exchange);
        }
    }

    /** Whether a handler may end its request by writing to the socket itself: the connection is not closing nor half-closed. */
    boolean takesCallerEnds() {
        return !closing && !inputShutdown;
    }

    @Override
    public void endingByCaller(FcgiExchange exchange) {
        count(exchange);
        stats.writtenByHandlers.increment();
    }

    private void count(FcgiExchange exchange) {
        stats.completed.increment();
        FcgiResponse response = exchange.response();
        if (response != null) {
            stats.responded(response.status());
        }
    }

    private void writeNow(ByteBuf out, boolean close, boolean flush) {
        if (close) {
            closing = true;
            connection.writeAndClose(out);
        } else if (flush) {
            connection.writeAndFlush(out);
        } else {
            connection.write(out);
        }
    }

    /** A request refused at its start: END_REQUEST with {@code status} says why. */
    private void refuse(int requestId, FcgiProtocolStatus status, boolean close) {
        stats.rejected.increment();
        ByteBuf out = connection.alloc().buffer(16);
        FcgiEncoder.writeEndRequest(out, requestId, 0, status);
        writeNow(out, close, true);
    }

    // ---- failures -----------------------------------------------------------------------------

    /** Event loop: a request's PARAMS did not end within {@code paramsTimeout}. */
    void paramsTimedOut(FcgiExchange exchange) {
        if (exchanges.get(exchange.requestId()) != exchange) {
            return;
        }
        stats.paramsTimeouts.increment();
        LOG.log(Level.WARNING, () -> connection.describe() + " request " + exchange.requestId() + " did not finish its PARAMS within "
                + settings.paramsTimeoutMillis() + " ms (paramsTimeout); closing the connection");
        closeConnection();
    }

    private void unexpected(FcgiRecordType type) {
        if (type == FcgiRecordType.DATA) {
            return; // DATA belongs to the FILTER role, which is refused at BEGIN_REQUEST
        }
        protocolViolation("the web server sent " + type + ", which only an application sends");
    }

    private void protocolViolation(String what) {
        stats.protocolErrors.increment();
        LOG.log(Level.WARNING, () -> "FastCGI protocol error on " + connection.describe() + ": " + what + "; closing the connection");
        closeConnection();
    }

    private void closeConnection() {
        closing = true;
        cancelAll("protocol error");
        connection.close();
    }

    private void cancelAll(String reason) {
        decoder.close();
        if (!exchanges.isEmpty()) {
            exchanges.removeAll().forEach(exchange -> exchange.cancel(reason));
        }
    }

    void logBodyMismatch(FcgiExchange exchange, String mismatch) {
        stats.badRequests.increment();
        LOG.log(Level.WARNING, () -> exchange.describe() + ": " + mismatch);
    }

    /** Requests in flight on this connection, for tests and the shell. */
    int inFlight() {
        return exchanges.size();
    }
}
