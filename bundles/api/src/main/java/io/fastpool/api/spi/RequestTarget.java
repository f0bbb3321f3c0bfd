package io.fastpool.api.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Takes the requests routed to it; registered as an OSGi service (the whiteboard pattern) with
 * {@link #ROUTE_PATH} and optionally {@link #ROUTE_HOST} and {@link #ROUTE_PORT}. Routes change as
 * these services come and go.
 */
@ConsumerType
public interface RequestTarget {

    /** Service property: the path prefix served, such as {@code /shop} ({@code /} for everything). Required. */
    String ROUTE_PATH = "fastpool.route.path";

    /**
     * Service property: virtual hosts served, a String or String[]: an exact name
     * ({@code shop.example.com}), a wildcard domain ({@code *.example.com}) or {@code *} (default).
     */
    String ROUTE_HOST = "fastpool.route.host";

    /** Service property: the server port served, an Integer; absent or 0 for any port. */
    String ROUTE_PORT = "fastpool.route.port";

    /** Service property: a name for logs and the shell. */
    String NAME = "fastpool.target.name";

    /**
     * Takes one request. Called on a transport event loop: it must not block, only queue the
     * exchange or answer it at once (an overloaded target answers 503).
     */
    void dispatch(Exchange exchange);
}
