package io.fastpool.bench.load;

import io.fastpool.config.Durations;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one FastCGI load test in-process: {@code LoadGenerator.run(options)} blocks until the run
 * stops and returns what it measured. The command line ({@link FcgiLoad}), tests and comparison
 * scripts all call it.
 *
 * <p>Each of the {@code connections} is a slot bound to one event loop, so its state needs no
 * locks. With {@code --keep-conn on} a slot opens a connection and keeps {@code multiplex}
 * requests in flight on it, sending the next request on an id as soon as the previous one's
 * END_REQUEST arrives; with {@code off} it opens a connection per request and closes it after the
 * END_REQUEST. A slot whose connection fails or closes opens another (after
 * {@link LoadOptions#reconnectDelay()} if it answered nothing); if every slot's first attempt fails
 * before any connection opened, the run stops at once as {@link StopReason#NO_CONNECTION}.
 *
 * <p>Phases: warm-up (requests sent, nothing counted), measuring, stopped. A request counts if it
 * was started while measuring and ended before the stop. The run stops when the duration has been
 * measured, when {@code requests} measured requests have ended (after being admitted, at most that
 * many are started), or at the {@link LoadOptions#effectiveMaxTime() hard cap}. Then every
 * connection is closed, the event loops are shut down and the pre-encoded requests released.
 */
public final class LoadGenerator {

    /** How long to wait for the event loops to stop after the run. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private enum Phase { WARMUP, MEASURING, STOPPED }

    /** Whether a request may start, and whether it is measured. */
    private enum Admission { WARMUP, MEASURED, REFUSED }

    private final LoadOptions options;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();
    private final AtomicBoolean connectedOnce = new AtomicBoolean();
    private final AtomicInteger firstAttemptFailures = new AtomicInteger();
    private volatile Phase phase = Phase.WARMUP;
    private long measureStart;
    private long measureEnd;
    private final ServerCpu serverCpu;
    private Duration serverCpuAtStart;
    private Duration serverCpuUsed;
    private StopReason stopReason;
    private String failure;
    private EventLoopGroup group;
    private RequestTemplate template;
    private Bootstrap bootstrap;

    private LoadGenerator(LoadOptions options) {
        this.options = options;
        this.serverCpu = options.serverPid() > 0 ? new ServerCpu(options.serverPid()) : null;
    }

    /**
     * Runs the load test described by {@code options} and returns what it measured. A run in which
     * no connection could be opened returns a result whose {@link LoadResult#failure()} says why.
     *
     * @throws InterruptedException if the calling thread is interrupted; the run is stopped first
     */
    public static LoadResult run(LoadOptions options) throws InterruptedException {
        return new LoadGenerator(options).execute();
    }

    private LoadResult execute() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(options.threads(), NioIoHandler.newFactory());
        Map<EventExecutor, LoopStats> statsByLoop = new IdentityHashMap<>();
        for (EventExecutor loop : group) {
            statsByLoop.put(loop, new LoopStats());
        }
        List<Slot> slots = new ArrayList<>();
        try {
            template = RequestTemplate.encode(options, PooledByteBufAllocator.DEFAULT);
            bootstrap = newBootstrap();
            for (int i = 0; i < options.connections(); i++) {
                EventLoop loop = group.next();
                slots.add(new Slot(loop, statsByLoop.get(loop)));
            }
            // This thread keeps the time, so that busy event loops cannot delay the phases.
            long start = System.nanoTime();
            long capAt = start + options.effectiveMaxTime().toNanos();
            if (options.warmup().isZero()) {
                beginMeasuring();
            }
            for (Slot slot : slots) {
                slot.loop.execute(slot::connect);
            }
            if (!options.warmup().isZero() && !awaitStopUntil(Math.min(capAt, start + options.warmup().toNanos()))) {
                beginMeasuring();
            }
            long endAt = options.duration() == null
                    ? capAt : Math.min(capAt, measureStartTime() + options.duration().toNanos());
            if (!awaitStopUntil(endAt)) {
                stop(endAt == capAt ? StopReason.MAX_TIME : StopReason.DURATION, null);
            }
        } finally {
            stop(StopReason.MAX_TIME, null);
            for (Slot slot : slots) {
                slot.loop.execute(slot::close);
            }
            Future<?> termination = group.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            boolean terminated = termination.awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis() * 2);
            if (template != null) {
                template.close();
            }
            if (!terminated) {
                System.err.println("fcgi-load: event loops did not stop within " + Durations.format(SHUTDOWN_TIMEOUT)
                        + "; counts may be incomplete");
            }
        }
        LoopStats total = new LoopStats();
        statsByLoop.values().forEach(stats -> stats.addTo(total));
        int silent = (int) slots.stream().filter(Slot::silent).count();
        Duration elapsed = Duration.ofNanos(Math.max(0, measureEnd - measureStart));
        return LoadResult.of(options, stopReason, failure, elapsed, total, silent, serverCpuUsed);
    }

    private Bootstrap newBootstrap() {
        boolean unix = options.target().isUnix();
        ChannelFactory<?> factory = unix ? NioDomainSocketChannel::new : NioSocketChannel::new;
        Bootstrap b = new Bootstrap().group(group).channelFactory(factory)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, options.timeout().toMillis()));
        if (!unix) {
            b.option(ChannelOption.TCP_NODELAY, true);
        }
        return b;
    }

    /** Waits for the run to stop by itself until {@code deadline} ({@link System#nanoTime()}); true if it did. */
    private boolean awaitStopUntil(long deadline) throws InterruptedException {
        return stopped.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private synchronized void beginMeasuring() {
        if (phase != Phase.WARMUP) {
            return;
        }
        measureStart = System.nanoTime();
        phase = Phase.MEASURING;
        if (serverCpu != null) {
            serverCpuAtStart = serverCpu.used().orElse(null);
        }
    }

    private synchronized long measureStartTime() {
        return measureStart;
    }

    private synchronized void stop(StopReason reason, String failureMessage) {
        if (phase == Phase.STOPPED) {
            return;
        }
        long now = System.nanoTime();
        if (phase == Phase.MEASURING) {
            measureEnd = now;
            if (serverCpu != null && serverCpuAtStart != null) {
                serverCpuUsed = serverCpu.used().map(end -> end.minus(serverCpuAtStart)).orElse(null);
            }
        } else {
            measureStart = now;
            measureEnd = now;
        }
        phase = Phase.STOPPED;
        stopReason = reason;
        failure = failureMessage;
        stopped.countDown();
    }

    private Admission admit() {
        Phase now = phase;
        if (now == Phase.STOPPED) {
            return Admission.REFUSED;
        }
        if (now == Phase.WARMUP) {
            return Admission.WARMUP;
        }
        if (options.requests() > 0 && admitted.incrementAndGet() > options.requests()) {
            return Admission.REFUSED;
        }
        return Admission.MEASURED;
    }

    /** A measured request ended, one way or another: the run may be complete. */
    private void requestEnded(boolean measured) {
        if (measured && options.requests() > 0 && ended.incrementAndGet() == options.requests()) {
            stop(StopReason.REQUESTS, null);
        }
    }

    private boolean measuring() {
        return phase == Phase.MEASURING;
    }

    private void firstAttemptFailed(String detail) {
        if (!connectedOnce.get() && firstAttemptFailures.incrementAndGet() >= options.connections()) {
            stop(StopReason.NO_CONNECTION, "could not connect to " + options.target() + ": " + detail + " ("
                    + options.connections() + " of " + options.connections()
                    + " connections failed); is the FastCGI server running and listening there?");
        }
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message != null ? message : cause.getClass().getSimpleName();
    }

    /** One of the {@code connections}: opens connections on its event loop and keeps them busy. */
    private final class Slot implements ConnectionEvents {
        final EventLoop loop;
        final LoopStats stats;
        private boolean attempted;
        /** Whether a measured request was sent, and whether any request was answered while measuring. */
        private boolean sentMeasured;
        private boolean answeredMeasuring;
        /** Whether requests were still in flight when the run stopped. */
        private boolean waitingAtStop;
        private FcgiClientHandler connection;
        /** With keep-conn off, the request the next connection is for, and when it started. */
        private Admission pending;
        private long pendingStart;

        Slot(EventLoop loop, LoopStats stats) {
            this.loop = loop;
            this.stats = stats;
        }

        void connect() {
            if (phase == Phase.STOPPED) {
                return;
            }
            if (!options.keepConnection()) {
                pending = admit();
                if (pending == Admission.REFUSED) {
                    return;
                }
                pendingStart = System.nanoTime();
            }
            boolean first = !attempted;
            attempted = true;
            FcgiClientHandler handler = new FcgiClientHandler(template, options.multiplex(), options.timeout(), this);
            connection = handler;
            ChannelFuture future = bootstrap.clone(loop).handler(handler).connect(options.target().address());
            future.addListener(done -> {
                if (done.isSuccess()) {
                    connectedOnce.set(true);
                } else {
                    connectFailed(describe(done.cause()), first);
                }
            });
        }

        private void connectFailed(String detail, boolean first) {
            connection = null;
            if (options.keepConnection()) {
                count(measuring(), ErrorKind.CONNECT, detail);
            } else {
                boolean measured = pending == Admission.MEASURED;
                count(measured, ErrorKind.CONNECT, detail);
                requestEnded(measured);
            }
            if (first) {
                firstAttemptFailed(detail);
            }
            reconnectLater();
        }

        void close() {
            if (connection != null) {
                waitingAtStop = connection.inFlight() > 0;
                connection.close("closed at the end of the run");
            }
        }

        @Override
        public void connectionActive(FcgiClientHandler handler) {
            if (!options.keepConnection()) {
                send(handler, 1, pending, pendingStart);
                return;
            }
            for (int id = 1; id <= options.multiplex(); id++) {
                Admission admission = admit();
                if (admission == Admission.REFUSED) {
                    return;
                }
                send(handler, id, admission, System.nanoTime());
            }
        }

        private void send(FcgiClientHandler handler, int requestId, Admission admission, long startNanos) {
            boolean measured = admission == Admission.MEASURED;
            sentMeasured |= measured;
            handler.send(requestId, measured, startNanos);
        }

        /**
         * Whether this slot waited for answers while measuring (it sent measured requests, or had
         * warm-up requests still in flight at the stop) and not one came.
         */
        boolean silent() {
            return (sentMeasured || waitingAtStop) && !answeredMeasuring;
        }

        @Override
        public void responded(FcgiClientHandler handler, int requestId, boolean measured, long latencyNanos,
                FcgiProtocolStatus protocolStatus, int httpStatus, boolean wroteStderr) {
            answeredMeasuring |= measuring();
            if (measured && measuring()) {
                ErrorKind error = ErrorKind.ofResponse(protocolStatus, httpStatus);
                String detail = error == null ? null
                        : protocolStatus != FcgiProtocolStatus.REQUEST_COMPLETE
                                ? "END_REQUEST protocol status " + protocolStatus
                                : "Status " + httpStatus + " from " + options.path()
                                        + (httpStatus == 404 ? " (check --path, --document-root, --script-filename)" : "");
                stats.response(latencyNanos, error, detail, wroteStderr);
            }
            requestEnded(measured);
            if (!options.keepConnection()) {
                handler.close("closed after its request (--keep-conn off)");
                return;
            }
            Admission admission = admit();
            if (admission != Admission.REFUSED) {
                send(handler, requestId, admission, System.nanoTime());
            }
        }

        @Override
        public void failed(boolean measured, ErrorKind kind, String detail) {
            count(measured, kind, detail);
            requestEnded(measured);
        }

        @Override
        public void received(int bytes) {
            if (measuring()) {
                stats.bytesReceived += bytes;
            }
        }

        @Override
        public void connectionClosed(FcgiClientHandler handler, long responses) {
            if (connection == handler) {
                connection = null;
            }
            if (phase == Phase.STOPPED) {
                return;
            }
            if (responses == 0) {
                reconnectLater();
            } else {
                connect();
            }
        }

        private void reconnectLater() {
            if (phase != Phase.STOPPED) {
                loop.schedule(this::connect, options.reconnectDelay().toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        private void count(boolean measured, ErrorKind kind, String detail) {
            if (measured && measuring()) {
                stats.error(kind, detail);
            }
        }
    }
}
