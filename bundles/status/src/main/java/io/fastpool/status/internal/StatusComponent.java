package io.fastpool.status.internal;

import io.fastpool.api.Request;
import io.fastpool.api.RequestAbortedException;
import io.fastpool.api.Response;
import io.fastpool.api.spi.Exchange;
import io.fastpool.api.spi.RequestTarget;
import io.fastpool.config.CheckedConfiguration;
import io.fastpool.config.ConfigSchema;
import io.fastpool.config.ConfigSchema.ValueCheck;
import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReports;
import io.fastpool.config.Problem;
import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolManager;
import io.fastpool.transport.AllowedClients;
import io.fastpool.transport.TransportStatus;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The status page and the ping path, served by the server itself rather than by an app pool, so
 * they answer while every pool is saturated, stopped or disabled. Registers two
 * {@link RequestTarget}s (moved when {@code path} or {@code pingPath} change), renders on a small
 * executor of its own ({@code fastpool-status-N}; a full queue is a 503 at once), and samples the
 * figures every {@code sampleIntervalSeconds} for the dashboard's charts.
 *
 * <p>Start time: Felix reports 0 as the system bundle's last-modified time, so the server's start
 * time is the JVM's ({@link java.lang.management.RuntimeMXBean#getStartTime()}): the distribution
 * runs one framework per JVM. The status bundle's own start is reported beside it.
 */
@Component(service = ConfigurationReports.class, immediate = true, configurationPid = StatusComponent.PID)
@Designate(ocd = StatusComponent.Config.class)
public final class StatusComponent implements ConfigurationReports {

    static final String PID = "io.fastpool.status";
    static final String COMPONENT_NAME = "io.fastpool.status.internal.StatusComponent";
    private static final System.Logger LOG = System.getLogger(StatusComponent.class.getName());
    /** Seconds a client is asked to wait when every status thread is busy. */
    static final int RETRY_AFTER_SECONDS = 1;

    /** The status page's configuration. */
    @ObjectClassDefinition(name = "Fastpool status", description = "The status page, the ping path and the dashboard's history.")
    public @interface Config {
        @AttributeDefinition(description = "Path of the status page: HTML dashboard, ?json, ?openmetrics, ?prometheus.")
        String path() default StatusSettings.DEFAULT_PATH;

        @AttributeDefinition(description = "Path answering pingResponse (text/plain), for health checks of the web server in front.")
        String pingPath() default StatusSettings.DEFAULT_PING_PATH;

        @AttributeDefinition(description = "What the ping path answers.")
        String pingResponse() default StatusSettings.DEFAULT_PING_RESPONSE;

        @AttributeDefinition(description = "IP addresses and CIDR blocks (by the request's REMOTE_ADDR) that may see the status page;"
                + " others get 403.")
        String[] allowedClients() default {AllowedClients.LOOPBACK_V4, AllowedClients.LOOPBACK_V6};

        @AttributeDefinition(description = "Whether the ping path, too, answers only allowedClients (by default it answers anyone).")
        boolean restrictPing() default false;

        @AttributeDefinition(description = "Seconds between samples of the dashboard's history; also its refresh interval.",
                min = "1", max = "3600")
        int sampleIntervalSeconds() default StatusSettings.DEFAULT_SAMPLE_INTERVAL_SECONDS;

        @AttributeDefinition(description = "Samples of history kept (120 x 5 s: the last ten minutes).", min = "2", max = "10000")
        int historySamples() default StatusSettings.DEFAULT_HISTORY_SAMPLES;

        @AttributeDefinition(description = "Threads rendering status pages (1 to 4).", min = "1", max = "4")
        int threads() default StatusSettings.DEFAULT_THREADS;

        @AttributeDefinition(description = "Status requests waiting for a thread; beyond this they get 503 with Retry-After.",
                min = "1", max = "1000")
        int queueLength() default StatusSettings.DEFAULT_QUEUE_LENGTH;
    }

    /** The CPU figures' one sampler, shared with the other readers of this bundle. */
    @Reference
    CpuSampling cpu;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile PoolManager pools;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile TransportStatus transport;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ListenerStatus listener;

    /** The other components' configuration reports (this component adds its own). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(!(component.name=" + COMPONENT_NAME + "))")
    volatile List<ConfigurationReports> configurationReporters = List.of();

    private final AtomicInteger threadNumber = new AtomicInteger();
    private BundleContext context;
    private volatile StatusSettings settings;
    private History history;
    private StatusCollector collector;
    private StatusPage page;
    private volatile ThreadPoolExecutor renderers;
    private ScheduledExecutorService sampler;
    private ScheduledFuture<?> sampling;
    private ServiceRegistration<RequestTarget> statusRoute;
    private ServiceRegistration<RequestTarget> pingRoute;

    private static final String PATH = "a path such as `/fastpool-status`: no trailing `/`, spaces, query or `%`";

    /** Every key checked: types and ranges from the metatype, paths and client blocks by their parsers. */
    static final ConfigSchema SCHEMA = ConfigSchema.of(PID, Config.class)
            .withCheck("path", PATH, ValueCheck.parsedBy(path -> StatusSettings.checkPath("path", path)))
            .withCheck("pingPath", PATH + ", not `path`", ValueCheck.parsedBy(path -> StatusSettings.checkPath("pingPath", path)))
            .withCheck("pingResponse", "text, not empty", value -> value.isEmpty() ? "it must not be empty" : null)
            .withCheck("allowedClients", "IP addresses and CIDR blocks, comma-separated",
                    ValueCheck.parsedBy(entry -> AllowedClients.parse(List.of(entry))))
            .withRule(values -> values.get("path").equals(values.get("pingPath"))
                    ? List.of(Problem.refused("pingPath", values.get("pingPath"), "path and pingPath must differ"))
                    : List.of());

    private final CheckedConfiguration<Config> configuration = new CheckedConfiguration<>(SCHEMA, Config.class, LOG);

    @Override
    public List<ConfigurationReport> configurationReports() {
        return List.of(configuration.report());
    }

    private List<ConfigurationReport> allConfigurationReports() {
        return ConfigurationReportsOf.all(configurationReporters, configuration.report());
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        Config config = configuration.update(properties);
        this.context = context;
        Instant statusStart = Instant.now();
        Instant processStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        StatusSettings initial;
        try {
            initial = settingsOf(config);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "configuration " + PID + " is not applied, using the defaults: " + e.getMessage());
            initial = StatusSettings.DEFAULTS;
        }
        history = new History(initial.historySamples(), initial.sampleIntervalSeconds());
        collector = new StatusCollector(() -> pools, () -> transport, () -> listener, this::allConfigurationReports, history,
                () -> cpu.latest(),
                Clock.systemUTC(), processStart, statusStart);
        page = new StatusPage(HtmlFormat.load(), collector::collect);
        sampler = Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "fastpool-status-sampler"));
        apply(initial, null);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        Config config = configuration.update(properties);
        StatusSettings next;
        try {
            next = settingsOf(config);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "configuration " + PID + " is not applied, the previous settings stay: " + e.getMessage());
            return;
        }
        apply(next, settings);
    }

    @Deactivate
    synchronized void deactivate() {
        unregister(statusRoute);
        unregister(pingRoute);
        statusRoute = null;
        pingRoute = null;
        sampler.shutdownNow();
        for (Runnable waiting : renderers.shutdownNow()) {
            if (waiting instanceof RenderTask task) {
                busy(task.exchange);
            }
        }
    }

    static StatusSettings settingsOf(Config config) {
        return StatusSettings.of(config.path(), config.pingPath(), config.pingResponse(), config.allowedClients(),
                config.restrictPing(), config.sampleIntervalSeconds(), config.historySamples(), config.threads(),
                config.queueLength());
    }

    private synchronized void apply(StatusSettings next, StatusSettings previous) {
        settings = next;
        if (previous == null || previous.threads() != next.threads() || previous.queueLength() != next.queueLength()) {
            ThreadPoolExecutor old = renderers;
            ThreadPoolExecutor executor = new ThreadPoolExecutor(next.threads(), next.threads(), 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(next.queueLength()), task -> daemon(task, "fastpool-status-" + threadNumber.incrementAndGet()),
                    new ThreadPoolExecutor.AbortPolicy());
            executor.allowCoreThreadTimeOut(true);
            renderers = executor;
            if (old != null) {
                old.shutdown(); // what it holds still runs
            }
        }
        if (previous == null || previous.sampleIntervalSeconds() != next.sampleIntervalSeconds()
                || previous.historySamples() != next.historySamples()) {
            history.resize(next.historySamples(), next.sampleIntervalSeconds());
            if (sampling != null) {
                sampling.cancel(false);
            }
            sampling = sampler.scheduleAtFixedRate(this::sample, 0, next.sampleIntervalSeconds(), TimeUnit.SECONDS);
        }
        if (previous == null || !previous.path().equals(next.path())) {
            unregister(statusRoute);
            statusRoute = register(next.path(), "fastpool status", new StatusTarget());
        }
        if (previous == null || !previous.pingPath().equals(next.pingPath())) {
            unregister(pingRoute);
            pingRoute = register(next.pingPath(), "fastpool ping", new PingTarget());
        }
        LOG.log(Level.INFO, "status page at " + next.path() + " (allowedClients " + next.allowedClients() + "), ping at "
                + next.pingPath());
    }

    private ServiceRegistration<RequestTarget> register(String path, String name, RequestTarget target) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(RequestTarget.ROUTE_PATH, path);
        properties.put(RequestTarget.NAME, name);
        return context.registerService(RequestTarget.class, target, properties);
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered with the bundle
            }
        }
    }

    private void sample() {
        try {
            collector.sample();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "status history sample failed: " + e, e);
        }
    }

    // ---- serving ----------------------------------------------------------------------------------

    /** The status page: checks the client on the event loop, renders on a status thread. */
    private final class StatusTarget implements RequestTarget {
        @Override
        public void dispatch(Exchange exchange) {
            if (!settings.allowedClients().allows(exchange.request().remoteAddress())) {
                forbidden(exchange);
                return;
            }
            try {
                renderers.execute(new RenderTask(exchange));
            } catch (RejectedExecutionException full) {
                busy(exchange);
            }
        }

        @Override
        public String toString() {
            return "fastpool status";
        }
    }

    /** The ping path: a few bytes answered on the event loop, which cannot block. */
    private final class PingTarget implements RequestTarget {
        @Override
        public void dispatch(Exchange exchange) {
            StatusSettings current = settings;
            if (current.restrictPing() && !current.allowedClients().allows(exchange.request().remoteAddress())) {
                forbidden(exchange);
                return;
            }
            Response response = exchange.response();
            try {
                response.setContentType("text/plain; charset=utf-8");
                response.setHeader("Cache-Control", "no-store");
                if (!"HEAD".equals(exchange.request().method())) {
                    response.body().write(current.pingResponse().getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException | IllegalStateException gone) {
                // the request ended meanwhile
            }
            exchange.complete();
        }

        @Override
        public String toString() {
            return "fastpool ping";
        }
    }

    /** One status request waiting for, then running on, a status thread. */
    private final class RenderTask implements Runnable {
        final Exchange exchange;

        RenderTask(Exchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public void run() {
            try {
                if (!exchange.isCancelled()) {
                    page.serve(exchange.request(), exchange.response());
                }
            } catch (RequestAbortedException gone) {
                // the client left
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "status page for " + exchange.describe() + " failed: " + e, e);
                exchange.answerError(500, "The status page could not be rendered; the log says why.", 0);
            } finally {
                exchange.complete(); // idempotent
            }
        }
    }

    private static void forbidden(Exchange exchange) {
        Request request = exchange.request();
        LOG.log(Level.DEBUG, () -> "403 for " + exchange.describe() + ": " + request.remoteAddress() + " is not in allowedClients");
        exchange.answerError(403, "This address may not see the Fastpool status (allowedClients in " + PID + ").", 0);
    }

    private static void busy(Exchange exchange) {
        LOG.log(Level.DEBUG, () -> "503 for " + exchange.describe() + ": every status thread is busy and the queue is full");
        exchange.answerError(503, "The status page is busy; try again in a second.", RETRY_AFTER_SECONDS);
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
