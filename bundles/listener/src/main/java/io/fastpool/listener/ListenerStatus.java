package io.fastpool.listener;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The FastCGI listener's routes and counters, registered as a service while the listener runs.
 * Read-only.
 */
@ProviderType
public interface ListenerStatus {

    /** The routing table, in the order routes were mounted. */
    List<Route> routes();

    /** The counters since the listener started. */
    Counters counters();

    /**
     * One route.
     *
     * @param host the virtual host pattern: an exact name, {@code *.domain}, or {@code *} for any
     * @param port the server port it applies to, or 0 for any
     * @param path the path prefix ({@code /} for everything)
     * @param target the name of what serves it (the app, for apps)
     */
    record Route(String host, int port, String path, String target) {
    }

    /**
     * Request counters since the listener started.
     *
     * @param dispatched requests handed to a route's target
     * @param completed requests ended with END_REQUEST (answered by a target or by the listener)
     * @param notFound requests no route matched (answered 404)
     * @param badRequests requests refused as malformed (answered 400 or ended with a protocol status)
     * @param rejected requests refused for want of capacity (FCGI_OVERLOADED or 503)
     * @param aborted requests the web server aborted or whose connection closed before the end
     * @param paramsTimeouts requests whose CGI variables did not arrive in time
     * @param protocolErrors connections closed for breaking the FastCGI protocol
     * @param responses1xx responses with a 1xx status
     * @param responses2xx responses with a 2xx status
     * @param responses3xx responses with a 3xx status
     * @param responses4xx responses with a 4xx status (the listener's own 404s and 400s included)
     * @param responses5xx responses with a 5xx status (the listener's own 503s included)
     * @param writtenByHandlers answers whose end the handler's own thread wrote to the socket, sparing
     *     the event loop a wake-up (the transport's {@code writesFromHandlers}; epoll only); the
     *     others went out through the event loop
     */
    record Counters(long dispatched, long completed, long notFound, long badRequests, long rejected, long aborted,
            long paramsTimeouts, long protocolErrors, long responses1xx, long responses2xx, long responses3xx,
            long responses4xx, long responses5xx, long writtenByHandlers) {

        /** The counters of version 1.0, before {@code writtenByHandlers}: that one is 0. */
        public Counters(long dispatched, long completed, long notFound, long badRequests, long rejected, long aborted,
                long paramsTimeouts, long protocolErrors, long responses1xx, long responses2xx, long responses3xx,
                long responses4xx, long responses5xx) {
            this(dispatched, completed, notFound, badRequests, rejected, aborted, paramsTimeouts, protocolErrors,
                    responses1xx, responses2xx, responses3xx, responses4xx, responses5xx, 0);
        }
    }
}
