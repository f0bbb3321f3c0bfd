package io.fastpool.listener.internal;

import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiLimits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FastCGI listener's settings (PID {@code io.fastpool.listener}).
 *
 * @param limits what one request's PARAMS may hold
 * @param maxRequestsPerConnection requests in flight on one connection (multiplexing); also
 *     FCGI_MAX_REQS per connection; 1 turns multiplexing off (FCGI_MPXS_CONNS = 0)
 * @param responseBufferSize body bytes buffered before the response is committed and streamed
 * @param paramsTimeoutMillis time a request may take from BEGIN_REQUEST to the end of its PARAMS, and
 *     an answered request's END_REQUEST may wait for the rest of its STDIN
 * @param maxBufferedBytesPerConnection request body bytes held for handlers that have not read them
 *     yet; past this the connection stops reading until they do
 */
record ListenerSettings(FcgiLimits limits, int maxRequestsPerConnection, int responseBufferSize, long paramsTimeoutMillis,
        int maxBufferedBytesPerConnection) {

    static final int DEFAULT_MAX_REQUESTS_PER_CONNECTION = 128;
    static final int DEFAULT_RESPONSE_BUFFER_SIZE = 32 * 1024;
    static final long DEFAULT_PARAMS_TIMEOUT_SECONDS = 30;
    static final int DEFAULT_MAX_BUFFERED_BYTES_PER_CONNECTION = 1024 * 1024;

    static final ListenerSettings DEFAULTS = new ListenerSettings(FcgiLimits.DEFAULTS,
            DEFAULT_MAX_REQUESTS_PER_CONNECTION, DEFAULT_RESPONSE_BUFFER_SIZE);

    /** These limits, with the default time-out and body buffer. */
    ListenerSettings(FcgiLimits limits, int maxRequestsPerConnection, int responseBufferSize) {
        this(limits, maxRequestsPerConnection, responseBufferSize, DEFAULT_PARAMS_TIMEOUT_SECONDS * 1000,
                DEFAULT_MAX_BUFFERED_BYTES_PER_CONNECTION);
    }

    /** These settings with another PARAMS time-out and body buffer. */
    ListenerSettings withRequestLimits(long paramsTimeoutMillis, int maxBufferedBytesPerConnection) {
        return new ListenerSettings(limits, maxRequestsPerConnection, responseBufferSize, paramsTimeoutMillis,
                maxBufferedBytesPerConnection);
    }

    ListenerSettings {
        if (paramsTimeoutMillis < 1 || maxBufferedBytesPerConnection < 1) {
            throw new IllegalArgumentException("paramsTimeoutMillis and maxBufferedBytesPerConnection must be positive, were "
                    + paramsTimeoutMillis + " and " + maxBufferedBytesPerConnection);
        }
        if (maxRequestsPerConnection < 1 || maxRequestsPerConnection > 65535) {
            throw new IllegalArgumentException("maxRequestsPerConnection must be between 1 and 65535, was "
                    + maxRequestsPerConnection);
        }
        if (responseBufferSize < 256 || responseBufferSize > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("responseBufferSize must be between 256 and 16777216, was "
                    + responseBufferSize);
        }
    }

    /**
     * The answer to a GET_VALUES asking for {@code names}: FCGI_MAX_CONNS is the transport's
     * {@code maxConnections}; names it does not know are left out, as the specification says.
     */
    Map<String, String> getValuesResult(List<String> names, long maxConnections) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : names) {
            switch (name) {
                case Fcgi.MAX_CONNS -> values.put(name, Long.toString(maxConnections));
                // Per connection: what HAProxy's "option get-values" takes it for, and what one connection
                // really accepts before OVERLOADED.
                case Fcgi.MAX_REQS -> values.put(name, Integer.toString(maxRequestsPerConnection));
                case Fcgi.MPXS_CONNS -> values.put(name, maxRequestsPerConnection > 1 ? "1" : "0");
                default -> { }
            }
        }
        return values;
    }
}
