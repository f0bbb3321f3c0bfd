package io.fastpool.listener.internal;

import io.fastpool.api.spi.RequestTarget;

/** Finds the target for a request: by virtual host, port and longest path prefix. */
interface Router {

    /** The target for this request, or {@code null}: the caller answers 404. */
    Match route(String host, int port, String path);

    /** A routing decision: where to, and the prefix that matched (the request's context path). */
    record Match(RequestTarget target, String contextPath, String name) {
    }
}
