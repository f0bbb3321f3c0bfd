package io.fastpool.bench.load;

import io.fastpool.config.Durations;
import io.fastpool.fcgi.FcgiDecoder;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.fcgi.FcgiProtocolException;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordListener;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The client end of one FastCGI connection: writes pre-encoded requests, decodes the responses
 * and reports each request's outcome to its {@link ConnectionEvents}. Up to {@code maxRequestId}
 * requests may be in flight, one per request id.
 *
 * <p>For each request it keeps the start time, whether it is measured, the HTTP status found in
 * its STDOUT ({@link CgiStatusParser}) and whether it wrote to STDERR; the rest of the response is
 * counted, not kept. A request in flight longer than the timeout fails as {@link ErrorKind#TIMEOUT}
 * and the connection is closed (the server may still be busy with it; ABORT_REQUEST is not
 * universally honoured). Records a client should never get, or for a request not in flight, fail
 * the connection as {@link ErrorKind#DECODE}. Checks for timeouts run every tenth of the timeout
 * (between 1 ms and 1 s), so a timeout is noticed up to 10% late.
 */
final class FcgiClientHandler extends ChannelInboundHandlerAdapter implements FcgiRecordListener {

    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RequestTemplate template;
    private final ConnectionEvents events;
    private final long timeoutNanos;
    private final InFlight[] inFlight;
    private final FcgiDecoder decoder;
    private ChannelHandlerContext ctx;
    private ByteBuf cumulation;
    private ScheduledFuture<?> sweeper;
    private boolean needsFlush;
    private long responses;
    /** Why the connection is being closed, for the requests still in flight; null while it is fine. */
    private String closeReason;

    FcgiClientHandler(RequestTemplate template, int maxRequestId, Duration timeout, ConnectionEvents events) {
        this.template = template;
        this.events = events;
        this.timeoutNanos = timeout.toNanos();
        this.inFlight = new InFlight[maxRequestId + 1];
        for (int id = 1; id <= maxRequestId; id++) {
            inFlight[id] = new InFlight();
        }
        this.decoder = new FcgiDecoder(FcgiLimits.DEFAULTS, this);
    }

    /**
     * Writes the request with this id, flushed when the current event is handled.
     *
     * @param startNanos {@link System#nanoTime()} its latency counts from
     */
    void send(int requestId, boolean measured, long startNanos) {
        InFlight request = inFlight[requestId];
        if (request.active) {
            throw new IllegalStateException("request id " + requestId + " is still in flight");
        }
        request.start(measured, startNanos);
        ctx.write(template.retainedRequest(requestId), ctx.voidPromise());
        needsFlush = true;
    }

    /** Closes the connection; requests in flight fail as {@link ErrorKind#CLOSED} with this reason. */
    void close(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    /** Requests in flight now. */
    int inFlight() {
        int count = 0;
        for (int id = 1; id < inFlight.length; id++) {
            if (inFlight[id].active) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long period = Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, timeoutNanos / 10));
        sweeper = ctx.executor().scheduleAtFixedRate(this::expireRequests, period, period, TimeUnit.NANOSECONDS);
        events.connectionActive(this);
        flushIfNeeded();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (closeReason != null) {
            in.release();
            return;
        }
        events.received(in.readableBytes());
        cumulate(in);
        try {
            decoder.decode(cumulation);
        } catch (FcgiProtocolException | UnexpectedRecordException e) {
            failConnection(ErrorKind.DECODE, e.getMessage());
        } finally {
            trimCumulation();
        }
        flushIfNeeded();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopSweeper();
        releaseCumulation();
        decoder.close();
        String reason = closeReason != null ? closeReason : "connection closed by the server";
        closeReason = reason;
        for (int id = 1; id < inFlight.length; id++) {
            InFlight request = inFlight[id];
            if (request.active) {
                request.active = false;
                events.failed(request.measured, ErrorKind.CLOSED, reason);
            }
        }
        events.connectionClosed(this, responses);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopSweeper();
        releaseCumulation();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeReason == null) {
            closeReason = cause instanceof IOException
                    ? "connection broke: " + cause.getMessage()
                    : "connection closed after an unexpected " + cause;
        }
        ctx.close();
    }

    // ---- FcgiRecordListener: what a client expects -------------------------------------------

    @Override
    public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
        InFlight request = inFlight(stream, requestId);
        if (stream == FcgiRecordType.STDOUT) {
            request.status.feed(content);
        } else if (stream == FcgiRecordType.STDERR) {
            request.wroteStderr = true;
        } else {
            throw unexpected(stream + " record (request id " + requestId + ") sent to a client");
        }
    }

    @Override
    public void onStreamEnd(FcgiRecordType stream, int requestId) {
        inFlight(stream, requestId);
        if (stream != FcgiRecordType.STDOUT && stream != FcgiRecordType.STDERR) {
            throw unexpected(stream + " record (request id " + requestId + ") sent to a client");
        }
    }

    @Override
    public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
        InFlight request = inFlight(FcgiRecordType.END_REQUEST, requestId);
        long latency = System.nanoTime() - request.startNanos;
        request.active = false;
        responses++;
        events.responded(this, requestId, request.measured, latency, protocolStatus, request.status.status(),
                request.wroteStderr);
    }

    @Override
    public void onGetValuesResult(Map<String, String> values) {
        // Never asked for; harmless.
    }

    @Override
    public void onUnknownType(int type) {
        throw unexpected("UNKNOWN_TYPE: the server does not understand record type " + type + " this client sent");
    }

    @Override
    public void onUnrecognizedRecord(int type, int requestId) {
        throw unexpected("record of undefined type " + type + " (request id " + requestId + ")");
    }

    // ---- FcgiRecordListener: records only a web server sends ---------------------------------

    @Override
    public void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
        throw unexpected("BEGIN_REQUEST record (request id " + requestId + ") sent to a client");
    }

    @Override
    public void onAbortRequest(int requestId) {
        throw unexpected("ABORT_REQUEST record (request id " + requestId + ") sent to a client");
    }

    @Override
    public void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex, int valueLength) {
        throw unexpected("PARAMS record (request id " + requestId + ") sent to a client");
    }

    @Override
    public void onParamsEnd(int requestId) {
        throw unexpected("PARAMS record (request id " + requestId + ") sent to a client");
    }

    @Override
    public void onGetValues(List<String> names) {
        throw unexpected("GET_VALUES record sent to a client");
    }

    @Override
    public void onRequestError(int requestId, FcgiProtocolException error) {
        throw unexpected(error.getMessage());
    }

    // ---- internals -----------------------------------------------------------------------------

    private InFlight inFlight(FcgiRecordType type, int requestId) {
        if (requestId >= 1 && requestId < inFlight.length && inFlight[requestId].active) {
            return inFlight[requestId];
        }
        throw unexpected(type + " record for request id " + requestId + ", which is not in flight");
    }

    private void expireRequests() {
        long now = System.nanoTime();
        boolean expired = false;
        for (int id = 1; id < inFlight.length; id++) {
            InFlight request = inFlight[id];
            if (request.active && now - request.startNanos >= timeoutNanos) {
                request.active = false;
                expired = true;
                events.failed(request.measured, ErrorKind.TIMEOUT,
                        "no END_REQUEST within " + Durations.format(Duration.ofNanos(timeoutNanos)) + " (--timeout)");
            }
        }
        if (expired && closeReason == null) {
            closeReason = "closed because another request on the connection timed out";
            ctx.close();
        }
    }

    private void failConnection(ErrorKind kind, String detail) {
        for (int id = 1; id < inFlight.length; id++) {
            InFlight request = inFlight[id];
            if (request.active) {
                request.active = false;
                events.failed(request.measured, kind, detail);
            }
        }
        if (closeReason == null) {
            closeReason = "closed after a protocol error: " + detail;
        }
        ctx.close();
    }

    private void cumulate(ByteBuf in) {
        if (cumulation == null) {
            cumulation = in;
            return;
        }
        try {
            int needed = in.readableBytes();
            if (cumulation.refCnt() > 1 || cumulation.isReadOnly() || needed > cumulation.maxWritableBytes()) {
                ByteBuf bigger = ctx.alloc().buffer(cumulation.readableBytes() + needed);
                bigger.writeBytes(cumulation);
                cumulation.release();
                cumulation = bigger;
            }
            cumulation.writeBytes(in);
        } finally {
            in.release();
        }
    }

    private void trimCumulation() {
        if (cumulation == null) {
            return;
        }
        if (!cumulation.isReadable()) {
            releaseCumulation();
        } else {
            cumulation.discardSomeReadBytes();
        }
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    private void flushIfNeeded() {
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
    }

    private void stopSweeper() {
        if (sweeper != null) {
            sweeper.cancel(false);
            sweeper = null;
        }
    }

    private static UnexpectedRecordException unexpected(String message) {
        return new UnexpectedRecordException(message);
    }

    /** One request id's request in flight; reused for the next request with that id. */
    private static final class InFlight {
        final CgiStatusParser status = new CgiStatusParser();
        boolean active;
        boolean measured;
        boolean wroteStderr;
        long startNanos;

        void start(boolean measured, long startNanos) {
            this.active = true;
            this.measured = measured;
            this.startNanos = startNanos;
            this.wroteStderr = false;
            status.reset();
        }
    }

    /** A well-framed record that a client cannot take: the server is broken, the connection is dropped. */
    private static final class UnexpectedRecordException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnexpectedRecordException(String message) {
            super(message, null, false, false);
        }
    }
}
