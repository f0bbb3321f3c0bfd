package io.fastpool.listener.internal;

import io.fastpool.api.RequestAbortedException;
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
import io.netty.util.collection.IntObjectHashMap;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
 * {@link ListenerSettings#maxRequestsPerConnection()}; each has its own {@link FcgiExchange}.
 * Every method runs on the connection's event loop except {@link #awaitWritable} and
 * {@link #queueWrite}, which handler threads call.
 */
final class FcgiSession implements ConnectionSession, FcgiRecordListener {

    private static final System.Logger LOG = System.getLogger(FcgiSession.class.getName());
    /** Bytes of response records queued on the event loop before a handler thread waits. */
    private static final long MAX_QUEUED_BYTES = 256 * 1024;

    private final Connection connection;
    private final ListenerSettings settings;
    private final Router router;
    private final ListenerStats stats;
    /** The bytes of this connection's last request's CGI variables, to size the next request's. */
    private int lastParamsBytes = 1024;
    private final FcgiDecoder decoder;
    private final InboundBudget inbound;
    private final IntObjectHashMap<FcgiExchange> exchanges = new IntObjectHashMap<>(4);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Object writability = new Object();
    private boolean closing;
    private int refusedForOverload;
    private volatile boolean closed;
    /** The web server half-closed: after the last answer the connection closes, kept or not. */
    private boolean inputShutdown;

    FcgiSession(Connection connection, ListenerSettings settings, Router router, ListenerStats stats) {
        this.connection = connection;
        this.settings = settings;
        this.router = router;
        this.stats = stats;
        this.decoder = new FcgiDecoder(settings.limits(), this);
        this.inbound = new InboundBudget(connection, connection.limits().maxBufferedBytesPerConnection());
    }

    Connection connection() {
        return connection;
    }

    // ---- ConnectionSession ------------------------------------------------------------------

    @Override
    public void onRecord(ByteBuf record) {
        if (closing) {
            return;
        }
        try {
            decoder.decode(record);
        } catch (FcgiProtocolException e) {
            stats.protocolErrors.increment();
            LOG.log(Level.WARNING, () -> "FastCGI protocol error on " + describeConnection() + ": " + e.getMessage()
                    + "; closing the connection");
            closeConnection();
        }
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (writable) {
            synchronized (writability) {
                writability.notifyAll();
            }
        }
    }

    @Override
    public boolean isIdle() {
        return exchanges.isEmpty() && decoder.openParamsStreams() == 0;
    }

    @Override
    public void detach() {
        cancelAll("the FastCGI listener is being updated");
    }

    /**
     * The web server shut its side down: a request still waiting for PARAMS or body bytes can never
     * complete, so the connection closes now (cancelling it); requests that arrived whole are
     * answered first, then the connection closes.
     */
    @Override
    public boolean onInputShutdown() {
        inputShutdown = true;
        if (closing || exchanges.isEmpty() || decoder.openParamsStreams() > 0) {
            return true;
        }
        for (FcgiExchange exchange : exchanges.values()) {
            RequestBody body = exchange.requestBody();
            if (exchange.phase == FcgiExchange.Phase.PARAMS || (body != null && !body.isEnded())) {
                LOG.log(Level.DEBUG, () -> describeConnection() + " was half-closed by the web server with request "
                        + exchange.requestId() + " incomplete; closing the connection");
                return true;
            }
        }
        return false;
    }

    @Override
    public void onClose() {
        closed = true;
        cancelAll("connection closed");
        synchronized (writability) {
            writability.notifyAll();
        }
    }

    // ---- FcgiRecordListener: requests --------------------------------------------------------

    @Override
    public void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
        if (exchanges.containsKey(requestId)) {
            protocolViolation("BEGIN_REQUEST for request id " + requestId + ", which is still in flight");
            return;
        }
        if (role != FcgiRole.RESPONDER) {
            stats.rejected.increment();
            writeNow(endRequest(requestId, FcgiProtocolStatus.UNKNOWN_ROLE), !keepConnection);
            return;
        }
        if (exchanges.size() >= settings.maxRequestsPerConnection()) {
            stats.rejected.increment();
            FcgiProtocolStatus status = settings.maxRequestsPerConnection() == 1
                    ? FcgiProtocolStatus.CANT_MPX_CONN : FcgiProtocolStatus.OVERLOADED;
            if (refusedForOverload++ == 0) {
                // Once per connection: a peer that keeps asking must not flood the log.
                LOG.log(Level.WARNING, () -> describeConnection() + " has " + exchanges.size()
                        + " requests in flight (maxRequestsPerConnection); refusing request " + requestId + " with " + status
                        + ", and any more beyond the limit on this connection without logging each");
            }
            writeNow(endRequest(requestId, status), !keepConnection);
            return;
        }
        FcgiExchange exchange = new FcgiExchange(this, requestId, keepConnection, lastParamsBytes);
        exchange.paramsTimer = connection.schedule(() -> paramsTimedOut(exchange),
                connection.limits().paramsTimeoutMillis(), TimeUnit.MILLISECONDS);
        exchanges.put(requestId, exchange);
    }

    @Override
    public void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex, int valueLength) {
        FcgiExchange exchange = exchanges.get(requestId);
        if (exchange != null && exchange.phase == FcgiExchange.Phase.PARAMS) {
            exchange.params.add(source, nameIndex, nameLength, valueIndex, valueLength);
        }
    }

    @Override
    public void onParamsEnd(int requestId) {
        FcgiExchange exchange = exchanges.get(requestId);
        if (exchange == null || exchange.phase != FcgiExchange.Phase.PARAMS) {
            return;
        }
        exchange.paramsTimer.cancel(false);
        // A web server sends much the same CGI variables each time: the next request's are sized to fit.
        lastParamsBytes = Math.min(8192, Math.max(64, exchange.params.storedBytes()));
        try {
            exchange.prepare(inbound, settings.responseBufferSize());
        } catch (RequestPath.BadPathException e) {
            stats.badRequests.increment();
            LOG.log(Level.INFO, () -> "bad request on " + describeConnection() + " request " + requestId + ": " + e.getMessage());
            answerError(exchange, 400, null);
            return;
        }
        FcgiRequest request = exchange.request();
        Router.Match match = router.route(request.routingHost(), request.serverPort(), request.path());
        if (match == null) {
            stats.notFound.increment();
            answerError(exchange, 404, "No application is mounted at this path.");
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
                answerError(exchange, 500, null);
            }
        }
    }

    @Override
    public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
        if (stream != FcgiRecordType.STDIN) {
            unexpected(stream, stream == FcgiRecordType.DATA);
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
            unexpected(stream, stream == FcgiRecordType.DATA);
            return;
        }
        FcgiExchange exchange = exchanges.get(requestId);
        if (exchange != null) {
            exchange.stdinEnded = true;
            if (exchange.heldEnd != null) {
                sendHeldEnd(exchange);
                return;
            }
        }
        if (exchange != null && exchange.requestBody() != null) {
            String mismatch = exchange.requestBody().end();
            if (mismatch != null) {
                logBodyMismatch(exchange, mismatch);
            }
        }
    }

    @Override
    public void onAbortRequest(int requestId) {
        FcgiExchange exchange = exchanges.get(requestId);
        if (exchange == null) {
            return;
        }
        if (exchange.heldEnd != null) {
            sendHeldEnd(exchange); // answered already; the web server gives up on the rest of its body
            return;
        }
        stats.aborted.increment();
        if (exchange.cancel("ABORT_REQUEST from the web server")) {
            queueWrite(exchange, endRequest(requestId, FcgiProtocolStatus.REQUEST_COMPLETE), true, true);
        }
    }

    @Override
    public void onRequestError(int requestId, FcgiProtocolException error) {
        if (error instanceof UnknownRoleException) {
            stats.rejected.increment();
            writeNow(endRequest(requestId, FcgiProtocolStatus.UNKNOWN_ROLE), false);
            return;
        }
        FcgiExchange exchange = exchanges.get(requestId);
        stats.badRequests.increment();
        LOG.log(Level.INFO, () -> "bad request on " + describeConnection() + " request " + requestId + ": " + error.getMessage());
        if (exchange == null || exchange.phase != FcgiExchange.Phase.PARAMS) {
            return;
        }
        exchange.paramsTimer.cancel(false);
        answerError(exchange, error instanceof LimitExceededException ? 431 : 400, null);
    }

    // ---- FcgiRecordListener: management and records a web server never sends -----------------

    @Override
    public void onGetValues(List<String> names) {
        Map<String, String> values = new LinkedHashMap<>();
        long maxConnections = connection.limits().maxConnections();
        for (String name : names) {
            switch (name) {
                case Fcgi.MAX_CONNS -> values.put(name, Long.toString(maxConnections));
                // Per connection: what HAProxy's "option get-values" takes it for, and what one connection
                // really accepts before OVERLOADED.
                case Fcgi.MAX_REQS -> values.put(name, Integer.toString(settings.maxRequestsPerConnection()));
                case Fcgi.MPXS_CONNS -> values.put(name, settings.maxRequestsPerConnection() > 1 ? "1" : "0");
                default -> { } // the specification: ignore names we do not know
            }
        }
        ByteBuf out = connection.alloc().buffer(64);
        FcgiEncoder.writeGetValuesResult(out, values);
        writeNow(out, false);
    }

    @Override
    public void onUnrecognizedRecord(int type, int requestId) {
        if (requestId == Fcgi.NULL_REQUEST_ID) {
            ByteBuf out = connection.alloc().buffer(16);
            FcgiEncoder.writeUnknownType(out, type);
            writeNow(out, false);
        } else {
            LOG.log(Level.DEBUG, () -> describeConnection() + " sent a record of unknown type " + type + " for request "
                    + requestId + "; ignored");
        }
    }

    @Override
    public void onGetValuesResult(Map<String, String> values) {
        unexpected(FcgiRecordType.GET_VALUES_RESULT, false);
    }

    @Override
    public void onUnknownType(int type) {
        LOG.log(Level.DEBUG, () -> describeConnection() + " did not understand record type " + type);
    }

    @Override
    public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
        unexpected(FcgiRecordType.END_REQUEST, false);
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * Handler thread: waits while the connection cannot take more (its outbound buffer is over
     * the high water mark, or too much is queued for the event loop). Returns at once if the
     * request was cancelled; the caller's write then fails.
     */
    void awaitWritable(FcgiExchange exchange) throws RequestAbortedException {
        synchronized (writability) {
            // A connection that is gone (closed, or told so, or the request cancelled) never becomes
            // writable: stop waiting at once, or the worker and its pool would wait for ever.
            while ((!connection.isWritable() || queuedBytes.get() > MAX_QUEUED_BYTES) && !closed && connection.isOpen()
                    && !exchange.isCancelled()) {
                try {
                    writability.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RequestAbortedException("interrupted while waiting to write the response: " + exchange.describe());
                }
            }
        }
    }

    /**
     * Queues {@code out} to be written on the event loop, behind every write queued before it,
     * so records of one request never overtake each other, and END_REQUEST comes last. Called
     * with the exchange's lock held.
     */
    void queueWrite(FcgiExchange exchange, ByteBuf out, boolean flush, boolean last) {
        int size = out.readableBytes();
        queuedBytes.addAndGet(size);
        connection.eventLoop().execute(() -> {
            queuedBytes.addAndGet(-size);
            if (last) {
                requestEnded(exchange, out);
            } else {
                connection.write(out);
                if (flush) {
                    connection.flush();
                }
            }
            if (queuedBytes.get() <= MAX_QUEUED_BYTES) {
                synchronized (writability) {
                    writability.notifyAll();
                }
            }
        });
    }

    /**
     * Event loop: the buffer ending with END_REQUEST (its last 16 bytes); the id is free once it is
     * queued. A request answered before the web server sent all of its STDIN (a POST to a path that
     * does not read the body) gets its answer now and its END_REQUEST when the STDIN ends, its body
     * discarded meanwhile: HAProxy stops forwarding a client's body once END_REQUEST has come, and
     * the client then waits for ever. {@code paramsTimeoutSeconds} bounds the wait.
     */
    private void requestEnded(FcgiExchange exchange, ByteBuf out) {
        if (!exchange.stdinEnded && !exchange.isCancelled() && !closing && !closed
                && exchanges.get(exchange.requestId()) == exchange && out.readableBytes() >= END_REQUEST_LENGTH) {
            holdEnd(exchange, out);
            return;
        }
        if (exchanges.get(exchange.requestId()) == exchange) {
            exchanges.remove(exchange.requestId());
        }
        if (exchange.paramsTimer != null) {
            exchange.paramsTimer.cancel(false);
        }
        RequestBody body = exchange.requestBody();
        if (body != null) {
            body.close();
        }
        stats.completed.increment();
        FcgiResponse response = exchange.response();
        if (response != null) {
            stats.responded(response.status());
        }
        if (!exchange.keepConnection() || (inputShutdown && exchanges.isEmpty())) {
            closing = true;
            connection.writeAndClose(out);
        } else {
            connection.writeAndFlush(out);
        }
    }

    private static final int END_REQUEST_LENGTH = Fcgi.HEADER_LENGTH + 8;

    private void holdEnd(FcgiExchange exchange, ByteBuf out) {
        int answerLength = out.readableBytes() - END_REQUEST_LENGTH;
        exchange.heldEnd = out.retainedSlice(out.readerIndex() + answerLength, END_REQUEST_LENGTH);
        out.writerIndex(out.readerIndex() + answerLength);
        RequestBody body = exchange.requestBody();
        if (body != null) {
            body.close(); // what still comes of it is discarded
        }
        if (exchange.paramsTimer != null) {
            exchange.paramsTimer.cancel(false);
        }
        connection.writeAndFlush(out);
        exchange.heldEndTimer = connection.schedule(() -> {
            if (exchange.heldEnd != null) {
                LOG.log(Level.DEBUG, () -> exchange.describe() + ": the web server did not end its STDIN within "
                        + connection.limits().paramsTimeoutMillis() + " ms of the answer; END_REQUEST goes out now");
                sendHeldEnd(exchange);
            }
        }, connection.limits().paramsTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    private void sendHeldEnd(FcgiExchange exchange) {
        ByteBuf end = exchange.heldEnd;
        exchange.heldEnd = null;
        if (exchange.heldEndTimer != null) {
            exchange.heldEndTimer.cancel(false);
        }
        exchange.stdinEnded = true;
        requestEnded(exchange, end);
    }

    /** Exchange.complete() for a request that never got a response object: just END_REQUEST. */
    void endWithoutResponse(FcgiExchange exchange) {
        if (exchange.finishHere()) {
            queueWrite(exchange, endRequest(exchange.requestId(), FcgiProtocolStatus.REQUEST_COMPLETE), true, true);
        }
    }

    private void answerError(FcgiExchange exchange, int status, String message) {
        FcgiResponse response = exchange.bareResponse(settings.responseBufferSize());
        try {
            response.sendError(status, message);
        } catch (java.io.IOException | IllegalStateException e) {
            // Nothing sent yet, so neither can happen; if one did, END_REQUEST still goes out below.
        }
        response.finish();
    }

    private void writeNow(ByteBuf out, boolean close) {
        if (close) {
            closing = true;
            connection.writeAndClose(out);
        } else {
            connection.writeAndFlush(out);
        }
    }

    private ByteBuf endRequest(int requestId, FcgiProtocolStatus status) {
        ByteBuf out = connection.alloc().buffer(16);
        FcgiEncoder.writeEndRequest(out, requestId, 0, status);
        return out;
    }

    // ---- failures -----------------------------------------------------------------------------

    private void paramsTimedOut(FcgiExchange exchange) {
        if (exchange.phase != FcgiExchange.Phase.PARAMS || exchanges.get(exchange.requestId()) != exchange) {
            return;
        }
        stats.paramsTimeouts.increment();
        LOG.log(Level.WARNING, () -> describeConnection() + " request " + exchange.requestId() + " did not finish its PARAMS within "
                + connection.limits().paramsTimeoutMillis() + " ms (paramsTimeout); closing the connection");
        closeConnection();
    }

    private void unexpected(FcgiRecordType type, boolean tolerated) {
        if (tolerated) {
            return; // DATA belongs to the FILTER role, which is refused at BEGIN_REQUEST
        }
        protocolViolation("the web server sent " + type + ", which only an application sends");
    }

    private void protocolViolation(String what) {
        stats.protocolErrors.increment();
        LOG.log(Level.WARNING, () -> "FastCGI protocol error on " + describeConnection() + ": " + what + "; closing the connection");
        closeConnection();
    }

    private void closeConnection() {
        closing = true;
        cancelAll("protocol error");
        connection.close();
    }

    private void cancelAll(String reason) {
        if (exchanges.isEmpty()) {
            decoder.close();
            return;
        }
        List<FcgiExchange> all = new ArrayList<>(exchanges.values());
        exchanges.clear();
        for (FcgiExchange exchange : all) {
            if (exchange.heldEnd != null) {
                exchange.heldEnd.release();
                exchange.heldEnd = null;
                if (exchange.heldEndTimer != null) {
                    exchange.heldEndTimer.cancel(false);
                }
            }
            exchange.cancel(reason);
        }
        decoder.close();
    }

    private void logBodyMismatch(FcgiExchange exchange, String mismatch) {
        stats.badRequests.increment();
        LOG.log(Level.WARNING, () -> exchange.describe() + ": " + mismatch);
    }

    void logCancelActionFailure(FcgiExchange exchange, RuntimeException e) {
        LOG.log(Level.ERROR, "a cancel action of " + exchange.describe() + " failed", e);
    }

    private String describeConnection() {
        return connection.describe();
    }

    /** Requests in flight on this connection, for tests and the shell. */
    int inFlight() {
        return exchanges.size();
    }
}
