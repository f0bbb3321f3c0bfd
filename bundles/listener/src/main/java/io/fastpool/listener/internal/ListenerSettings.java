package io.fastpool.listener.internal;

import io.fastpool.fcgi.FcgiLimits;

/**
 * The FastCGI listener's settings (PID {@code io.fastpool.listener}).
 *
 * @param limits what one request's PARAMS may hold
 * @param maxRequestsPerConnection requests in flight on one connection (multiplexing); also
 *     FCGI_MAX_REQS per connection; 1 turns multiplexing off (FCGI_MPXS_CONNS = 0)
 * @param responseBufferSize body bytes buffered before the response is committed and streamed
 */
record ListenerSettings(FcgiLimits limits, int maxRequestsPerConnection, int responseBufferSize) {

    static final int DEFAULT_MAX_REQUESTS_PER_CONNECTION = 128;
    static final int DEFAULT_RESPONSE_BUFFER_SIZE = 32 * 1024;

    static final ListenerSettings DEFAULTS = new ListenerSettings(FcgiLimits.DEFAULTS,
            DEFAULT_MAX_REQUESTS_PER_CONNECTION, DEFAULT_RESPONSE_BUFFER_SIZE);

    ListenerSettings {
        if (maxRequestsPerConnection < 1 || maxRequestsPerConnection > 65535) {
            throw new IllegalArgumentException("maxRequestsPerConnection must be between 1 and 65535, was "
                    + maxRequestsPerConnection);
        }
        if (responseBufferSize < 256 || responseBufferSize > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("responseBufferSize must be between 256 and 16777216, was "
                    + responseBufferSize);
        }
    }
}
