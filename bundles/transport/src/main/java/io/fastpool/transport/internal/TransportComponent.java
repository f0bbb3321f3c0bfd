package io.fastpool.transport.internal;

import io.fastpool.config.CheckedConfiguration;
import io.fastpool.config.ConfigSchema;
import io.fastpool.config.ConfigSchema.ValueCheck;
import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReports;
import io.fastpool.config.Problem;
import io.fastpool.transport.AllowedClients;
import io.fastpool.transport.ConnectionHandler;
import io.fastpool.transport.ConnectionSnapshot;
import io.fastpool.transport.ListenAddress;
import io.fastpool.transport.ListenerSnapshot;
import io.fastpool.transport.TransportLimits;
import io.fastpool.transport.TransportStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
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
 * Runs the {@link Transport} as a Declarative Services component configured by
 * {@code conf/io.fastpool.transport.cfg}. A configuration change is applied without a restart, so
 * connections survive it; the highest-ranked {@link ConnectionHandler} service serves the
 * connections, and while there is none they are held. Every key is checked first: a refused file
 * leaves the running configuration in place ({@link CheckedConfiguration}).
 */
@Component(configurationPid = TransportComponent.PID, immediate = true,
        service = {TransportStatus.class, ConfigurationReports.class})
@Designate(ocd = TransportComponent.Config.class)
public final class TransportComponent implements TransportStatus, ConfigurationReports {

    static final String PID = "io.fastpool.transport";
    private static final System.Logger LOG = System.getLogger(TransportComponent.class.getName());

    /**
     * The service property that marks the graceful-stop service: a {@link Runnable} that drains
     * ({@link Transport#drain}). Registered under a JDK interface so that the launcher, which runs
     * outside the framework and sees none of the bundles' classes, can call it without a shared
     * API package or reflection.
     */
    static final String DRAIN_PROPERTY = "io.fastpool.drain";
    /** The service property that says a configuration is applied (not only the defaults). */
    static final String CONFIGURED_PROPERTY = "io.fastpool.transport.configured";

    /** The system property naming the server's home, against which relative unix socket paths resolve. */
    static final String HOME_PROPERTY = "fastpool.home";

    /** The transport's settings, as keys of {@code io.fastpool.transport.cfg}. */
    @ObjectClassDefinition(name = "Fastpool transport",
            description = "Sockets the FastCGI server listens on, who may connect, and connection limits.")
    public @interface Config {

        @AttributeDefinition(description = "Listen addresses: tcp:HOST:PORT (IPv6 as tcp:[::1]:9000) or unix:PATH"
                + " (relative to baseDirectory).")
        String[] listen() default {"unix:run/fastpool.sock", "tcp:127.0.0.1:9000"};

        @AttributeDefinition(description = "IP addresses and CIDR blocks that may connect over TCP.")
        String[] allowedClients() default {AllowedClients.LOOPBACK_V4, AllowedClients.LOOPBACK_V6};

        @AttributeDefinition(description = "Octal permissions of unix socket files.")
        String unixSocketMode() default TransportConfig.DEFAULT_UNIX_SOCKET_MODE;

        @AttributeDefinition(description = "User to own unix socket files (needs root); empty leaves the server's user.",
                required = false)
        String unixSocketOwner() default "";

        @AttributeDefinition(description = "Group to own unix socket files, e.g. the web server's; empty leaves the default.",
                required = false)
        String unixSocketGroup() default "";

        @AttributeDefinition(description = "Connections the kernel queues before they are accepted (SO_BACKLOG).", min = "1")
        int backlog() default TransportConfig.DEFAULT_BACKLOG;

        @AttributeDefinition(description = "I/O threads; 0 means one per core. Applies at the next start.", min = "0")
        int eventLoopThreads() default 0;

        @AttributeDefinition(description = "Use netty's native epoll transport when its bundles are installed and it"
                + " loads; false, or epoll unavailable, uses NIO. Applies at the next start.")
        boolean useEpoll() default true;

        @AttributeDefinition(description = "On epoll, a pool's thread writes its request's last answer to the socket"
                + " itself instead of waking the event loop for it (less CPU per request); false keeps every write on"
                + " the event loop. Applies to connections accepted from then on.")
        boolean writesFromHandlers() default true;

        @AttributeDefinition(description = "Most open connections; more are closed at once and counted as refused.",
                min = "1")
        int maxConnections() default TransportLimits.DEFAULT_MAX_CONNECTIONS;

        @AttributeDefinition(description = "Seconds any one FastCGI record may take to arrive once it has begun; a slower"
                + " sender's connection is closed.", min = "1")
        long recordTimeoutSeconds() default TransportLimits.DEFAULT_RECORD_TIMEOUT_SECONDS;

        @AttributeDefinition(description = "Seconds an idle keep-alive connection stays open.", min = "1")
        long idleTimeoutSeconds() default TransportLimits.DEFAULT_IDLE_TIMEOUT_SECONDS;


        @AttributeDefinition(description = "Outbound bytes per connection below which it is writable again.", min = "1")
        int writeBufferLowWaterMark() default TransportConfig.DEFAULT_WRITE_BUFFER_LOW_WATER_MARK;

        @AttributeDefinition(description = "Outbound bytes per connection above which writers wait.", min = "1")
        int writeBufferHighWaterMark() default TransportConfig.DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK;

        @AttributeDefinition(description = "After the last answer on a connection the web server did not ask to keep, seconds"
                + " the rest of its request (a body still being sent) is read and discarded before the connection closes, so"
                + " the web server never meets a reset; 0 closes at once.", min = "0")
        long lingerSeconds() default TransportConfig.DEFAULT_LINGER_MILLIS / 1000;

        @AttributeDefinition(description = "Most bytes read and discarded that way.", min = "0")
        long lingerBytes() default TransportConfig.DEFAULT_LINGER_BYTES;

        @AttributeDefinition(description = "On a graceful stop (SIGTERM), seconds the server waits, no longer accepting,"
                + " for requests in flight to be answered and kept connections to be closed between requests; then the"
                + " rest are closed and it exits.", min = "0")
        long drainTimeoutSeconds() default TransportConfig.DEFAULT_DRAIN_TIMEOUT_MILLIS / 1000;

        @AttributeDefinition(description = "Directory relative unix socket paths resolve against; empty means the"
                + " fastpool.home system property, or else the working directory.", required = false)
        String baseDirectory() default "";
    }

    /** Every key's type, range and default from the metatype; addresses, modes and rules checked here. */
    static final ConfigSchema SCHEMA = ConfigSchema.of(PID, Config.class)
            .withCheck("listen", "`tcp:HOST:PORT` (`tcp:[::1]:PORT` for IPv6) and `unix:PATH`, comma-separated, each once",
                    ValueCheck.parsedBy(address -> ListenAddress.parse(address, baseDirectory(""))))
            .withCheck("allowedClients", "IP addresses and CIDR blocks, comma-separated",
                    ValueCheck.parsedBy(entry -> AllowedClients.parse(List.of(entry))))
            .withCheck("unixSocketMode", "an octal mode up to `0777`, such as `0660` or `0600`",
                    ValueCheck.parsedBy(TransportConfig::parseUnixSocketMode))
            .withRule(TransportComponent::rules)
            // Limits of a request, not of a socket: the FastCGI listener's configuration has them now.
            .withMoved("paramsTimeoutSeconds", "io.fastpool.listener")
            .withMoved("maxBufferedBytesPerConnection", "io.fastpool.listener");

    private final CheckedConfiguration<Config> configuration = new CheckedConfiguration<>(SCHEMA, Config.class, LOG);
    private final Object handlerLock = new Object();
    private ConnectionHandler handler;
    private volatile Transport transport;
    private ServiceRegistration<Runnable> gracefulStop;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) throws IOException {
        Transport starting = new Transport(toTransportConfig(configuration.update(properties)),
                InheritedSockets.fromEnvironment(System.getenv(), ProcessHandle.current().pid()));
        starting.start();
        synchronized (handlerLock) {
            transport = starting;
            starting.setHandler(handler);
        }
        gracefulStop = context.registerService(Runnable.class, this::drain, gracefulStopProperties(properties));
    }

    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        transport.reconfigure(toTransportConfig(configuration.update(properties)));
        gracefulStop.setProperties(gracefulStopProperties(properties));
    }

    /**
     * The properties of the graceful-stop service: {@value #DRAIN_PROPERTY}, by which the launcher
     * finds it, and {@value #CONFIGURED_PROPERTY}, true once a configuration (the {@code .cfg}
     * file) is applied, so the launcher says ready only when the configured addresses are served.
     */
    private static Dictionary<String, Object> gracefulStopProperties(Map<String, Object> properties) {
        Hashtable<String, Object> registered = new Hashtable<>();
        registered.put(DRAIN_PROPERTY, "transport");
        registered.put(CONFIGURED_PROPERTY, properties.containsKey(Constants.SERVICE_PID));
        return registered;
    }

    /** Runs the transport's {@link Transport#drain}; the launcher's SIGTERM hook calls it before it stops the framework. */
    private void drain() {
        Transport running = transport;
        if (running != null) {
            running.drain();
        }
    }

    @Override
    public List<ConfigurationReport> configurationReports() {
        return List.of(configuration.report());
    }

    /** What one key's type cannot say: every address once, the low water mark not above the high. */
    static List<Problem> rules(Map<String, Object> values) {
        List<Problem> problems = new ArrayList<>();
        Set<ListenAddress> seen = new HashSet<>();
        for (String address : (String[]) values.get("listen")) {
            if (!seen.add(ListenAddress.parse(address, baseDirectory((String) values.get("baseDirectory"))))) {
                problems.add(Problem.refused("listen", String.join(", ", (String[]) values.get("listen")),
                        "the address " + address + " is listed twice"));
            }
        }
        int low = (Integer) values.get("writeBufferLowWaterMark");
        int high = (Integer) values.get("writeBufferHighWaterMark");
        if (low > high) {
            problems.add(Problem.refused("writeBufferLowWaterMark", low, "allowed is at most writeBufferHighWaterMark (" + high + ")"));
        }
        return problems;
    }

    @Deactivate
    void deactivate() {
        try {
            gracefulStop.unregister();
        } catch (IllegalStateException e) {
            // The bundle is stopping and the framework took the registration away already.
        }
        Transport stopping;
        synchronized (handlerLock) {
            stopping = transport;
            transport = null;
        }
        if (stopping != null) {
            stopping.stop();
        }
    }

    @Reference(service = ConnectionHandler.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindHandler(ConnectionHandler bound) {
        synchronized (handlerLock) {
            handler = bound;
            if (transport != null) {
                transport.setHandler(bound);
            }
        }
    }

    void unbindHandler(ConnectionHandler unbound) {
        synchronized (handlerLock) {
            // With GREEDY, a better handler is bound before the one it replaces is unbound.
            if (handler != unbound) {
                return;
            }
            handler = null;
            if (transport != null) {
                transport.setHandler(null);
            }
        }
    }

    /** The running transport, for the shell and status views to come; null while inactive. */
    public Transport transport() {
        return transport;
    }

    static TransportConfig toTransportConfig(Config config) {
        return TransportConfig.builder(baseDirectory(config.baseDirectory()))
                .listen(listOf(config.listen()))
                .allowedClients(listOf(config.allowedClients()))
                .unixSocketMode(config.unixSocketMode())
                .unixSocketOwner(config.unixSocketOwner())
                .unixSocketGroup(config.unixSocketGroup())
                .backlog(config.backlog())
                .eventLoopThreads(config.eventLoopThreads())
                .useEpoll(config.useEpoll())
                .writesFromHandlers(config.writesFromHandlers())
                .writeBufferWaterMarks(config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark())
                .maxConnections(config.maxConnections())
                .recordTimeoutMillis(secondsToMillis("recordTimeoutSeconds", config.recordTimeoutSeconds()))
                .idleTimeoutMillis(secondsToMillis("idleTimeoutSeconds", config.idleTimeoutSeconds()))
                .linger(TimeUnit.SECONDS.toMillis(config.lingerSeconds()), config.lingerBytes())
                .drainTimeoutMillis(TimeUnit.SECONDS.toMillis(config.drainTimeoutSeconds()))
                .build();
    }

    private static Path baseDirectory(String configured) {
        String chosen = configured == null || configured.isBlank() ? System.getProperty(HOME_PROPERTY, "") : configured;
        return Path.of(chosen.isBlank() ? "" : chosen.strip()).toAbsolutePath();
    }

    /**
     * The entries of a list setting. A plain {@code .cfg} file gives one string
     * ({@code listen = unix:run/fastpool.sock, tcp:127.0.0.1:9000}), so each value is also split
     * on commas; blank entries are dropped.
     */
    static List<String> listOf(String[] values) {
        if (values == null) {
            return List.of();
        }
        List<String> entries = new java.util.ArrayList<>();
        for (String value : values) {
            for (String entry : value.split(",")) {
                if (!entry.isBlank()) {
                    entries.add(entry.trim());
                }
            }
        }
        return List.copyOf(entries);
    }

    private static long secondsToMillis(String key, long seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException(key + " must be at least 1, was " + seconds);
        }
        return TimeUnit.SECONDS.toMillis(seconds);
    }

    // ---- TransportStatus: read-only views for the shell and the status page.

    @Override
    public List<ListenerSnapshot> listeners() {
        Transport running = transport;
        return running == null ? List.of() : running.listeners();
    }

    @Override
    public List<ConnectionSnapshot> connections() {
        Transport running = transport;
        return running == null ? List.of() : running.connections();
    }

    @Override
    public int openConnections() {
        Transport running = transport;
        return running == null ? 0 : running.openConnections();
    }

    @Override
    public String ioKind() {
        Transport running = transport;
        String kind = running == null ? null : running.ioKind();
        return kind == null ? "stopped" : kind;
    }

    @Override
    public long slowSendersCutOff() {
        Transport running = transport;
        return running == null ? 0 : running.slowSenders();
    }
}
