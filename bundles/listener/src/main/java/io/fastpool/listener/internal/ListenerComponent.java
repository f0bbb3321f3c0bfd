package io.fastpool.listener.internal;

import io.fastpool.api.spi.RequestTarget;
import io.fastpool.config.CheckedConfiguration;
import io.fastpool.config.ConfigSchema;
import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReports;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.listener.ListenerStatus;
import io.fastpool.transport.Connection;
import io.fastpool.transport.ConnectionHandler;
import io.fastpool.transport.ConnectionSession;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The FastCGI listener as an OSGi component: serves the transport's connections
 * ({@link ConnectionHandler}) and routes requests to the {@link RequestTarget} services it finds.
 */
@Component(service = {ConnectionHandler.class, ListenerStatus.class, ConfigurationReports.class},
        configurationPid = ListenerComponent.PID, immediate = true)
@Designate(ocd = ListenerComponent.Config.class)
public final class ListenerComponent implements ConnectionHandler, ListenerStatus, ConfigurationReports {

    static final String PID = "io.fastpool.listener";
    private static final System.Logger LOG = System.getLogger(ListenerComponent.class.getName());

    /** The listener's configuration. */
    @ObjectClassDefinition(name = "Fastpool FastCGI listener", description = "How FastCGI requests are read and routed.")
    public @interface Config {
        @AttributeDefinition(description = "Requests in flight on one connection (multiplexing); 1 turns multiplexing off.",
                min = "1", max = "65535")
        int maxRequestsPerConnection() default ListenerSettings.DEFAULT_MAX_REQUESTS_PER_CONNECTION;

        @AttributeDefinition(description = "Response body bytes buffered before the response is committed and streamed.",
                min = "256", max = "16777216")
        int responseBufferSize() default ListenerSettings.DEFAULT_RESPONSE_BUFFER_SIZE;

        @AttributeDefinition(description = "Most bytes of CGI variables (PARAMS) one request may send.", min = "1", max = "2147483631")
        int maxParamsBytes() default FcgiLimits.DEFAULT_MAX_PARAMS_BYTES;

        @AttributeDefinition(description = "Most CGI variables one request may send.", min = "1")
        int maxParamCount() default FcgiLimits.DEFAULT_MAX_PARAM_COUNT;

        @AttributeDefinition(description = "Longest CGI variable name, in bytes.", min = "1")
        int maxNameLength() default FcgiLimits.DEFAULT_MAX_NAME_LENGTH;

        @AttributeDefinition(description = "Longest CGI variable value, in bytes.", min = "0")
        int maxValueLength() default FcgiLimits.DEFAULT_MAX_VALUE_LENGTH;

        @AttributeDefinition(description = "Seconds a request may take from BEGIN_REQUEST to the end of its PARAMS (and an"
                + " answered request's END_REQUEST may wait for the rest of its body).", min = "1")
        long paramsTimeoutSeconds() default ListenerSettings.DEFAULT_PARAMS_TIMEOUT_SECONDS;

        @AttributeDefinition(description = "Request body bytes held per connection for handlers that have not read them"
                + " yet; beyond this the connection stops reading until they do.", min = "1")
        int maxBufferedBytesPerConnection() default ListenerSettings.DEFAULT_MAX_BUFFERED_BYTES_PER_CONNECTION;
    }

    static final ConfigSchema SCHEMA = ConfigSchema.of(PID, Config.class);

    private final CheckedConfiguration<Config> configuration = new CheckedConfiguration<>(SCHEMA, Config.class, LOG);
    private final RoutingTable routes = new RoutingTable();
    private final ListenerStats stats = new ListenerStats();
    private volatile ListenerSettings settings = ListenerSettings.DEFAULTS;

    /** Checks every key first: a refused file leaves the running settings in place. */
    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        settings = settingsOf(configuration.update(properties));
    }

    @Override
    public List<ConfigurationReport> configurationReports() {
        return List.of(configuration.report());
    }

    /** The configuration running now, for tests. */
    Config runningConfig() {
        return configuration.current();
    }

    static ListenerSettings settingsOf(Config config) {
        FcgiLimits limits = new FcgiLimits(config.maxParamsBytes(), config.maxParamCount(), config.maxNameLength(),
                config.maxValueLength(), Math.min(config.maxRequestsPerConnection(), 65535));
        return new ListenerSettings(limits, config.maxRequestsPerConnection(), config.responseBufferSize(),
                Math.multiplyExact(config.paramsTimeoutSeconds(), 1000L), config.maxBufferedBytesPerConnection());
    }

    @Override
    public ConnectionSession open(Connection connection) {
        return new FcgiSession(connection, settings, routes, stats);
    }

    @Reference(service = RequestTarget.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTarget(RequestTarget target, Map<String, Object> properties) {
        List<RoutingTable.Route> added = routesOrLog(target, properties, "has a bad route and is not mounted");
        if (added != null) {
            added.forEach(routes::add);
            LOG.log(Level.INFO, () -> "mounted " + added);
        }
    }

    /**
     * A target's route properties changed (an app's mount path moved: a servlet bundle's patterns
     * changed): its routes are replaced at once. A bad new route keeps the old ones.
     */
    void updatedTarget(RequestTarget target, Map<String, Object> properties) {
        List<RoutingTable.Route> moved = routesOrLog(target, properties, "asks for a bad route and stays where it was");
        // Other properties of the service change too (a pool's state): only a real move is news.
        if (moved != null && routes.replace(target, moved)) {
            LOG.log(Level.INFO, () -> "moved " + properties.get(RequestTarget.NAME) + " to " + moved);
        }
    }

    /** The target's routes, or null after logging why they are bad ({@code outcome}: what happens then). */
    private List<RoutingTable.Route> routesOrLog(RequestTarget target, Map<String, Object> properties, String outcome) {
        try {
            return routesOf(target, properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "request target " + properties.get(RequestTarget.NAME) + " (service "
                    + properties.get("service.id") + ") " + outcome + ": " + e.getMessage());
            return null;
        }
    }

    void removeTarget(RequestTarget target) {
        routes.remove(target);
    }

    @Override
    public List<ListenerStatus.Route> routes() {
        List<ListenerStatus.Route> views = new ArrayList<>();
        for (RoutingTable.Route route : routes.routes()) {
            views.add(new ListenerStatus.Route(route.host(), route.port(), route.prefix().isEmpty() ? "/" : route.prefix(),
                    route.name()));
        }
        return views;
    }

    @Override
    public Counters counters() {
        return stats.snapshot();
    }

    /** The routing table, for tests. */
    RoutingTable routingTable() {
        return routes;
    }

    static List<RoutingTable.Route> routesOf(RequestTarget target, Map<String, Object> properties) {
        Object path = properties.get(RequestTarget.ROUTE_PATH);
        if (!(path instanceof String)) {
            throw new IllegalArgumentException(RequestTarget.ROUTE_PATH + " must be a String path prefix, was " + path);
        }
        Object portValue = properties.get(RequestTarget.ROUTE_PORT);
        int port;
        if (portValue == null) {
            port = 0;
        } else if (portValue instanceof Number number) {
            port = number.intValue();
        } else {
            try {
                port = Integer.parseInt(portValue.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(RequestTarget.ROUTE_PORT + " must be a port number, was '" + portValue + "'");
            }
        }
        Object hostValue = properties.get(RequestTarget.ROUTE_HOST);
        List<String> hosts = new ArrayList<>();
        if (hostValue == null) {
            hosts.add("*");
        } else if (hostValue instanceof String[] array) {
            hosts.addAll(List.of(array));
        } else if (hostValue instanceof Iterable<?> iterable) {
            iterable.forEach(h -> hosts.add(String.valueOf(h)));
        } else {
            hosts.add(hostValue.toString());
        }
        Object name = properties.getOrDefault(RequestTarget.NAME, "service " + properties.get("service.id"));
        List<RoutingTable.Route> result = new ArrayList<>();
        for (String host : hosts) {
            result.add(new RoutingTable.Route(host, port, (String) path, target, name.toString()));
        }
        return result;
    }
}
