package io.fastpool.listener.internal;

import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The requests in flight on one connection, by request id, and what a request that has ended
 * leaves the next one: its CGI variables' array. A web server's requests on a connection come one
 * after another, and each then takes the array the last one left instead of a new one (about 500
 * bytes a request behind nginx). Event loop only.
 */
final class InFlight {

    /** The largest CGI variables' array a connection keeps between requests; a larger one goes. */
    static final int MAX_SPARE_PARAMS_BYTES = 8192;

    private final IntObjectHashMap<FcgiExchange> byId = new IntObjectHashMap<>(4);
    /** The bytes of the last request's CGI variables, to size a new array by. */
    private int lastParamsBytes = 1024;
    private Params spareParams;

    FcgiExchange get(int requestId) {
        return byId.get(requestId);
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    int size() {
        return byId.size();
    }

    /** A live view, for the connection's timer ({@link RequestDeadlines}). */
    Collection<FcgiExchange> all() {
        return byId.values();
    }

    /** The CGI variables' array for a request beginning now: the last one's, or a new one sized like it. */
    Params paramsForNext() {
        Params params = spareParams != null ? spareParams : new Params(lastParamsBytes);
        spareParams = null;
        return params;
    }

    void add(FcgiExchange exchange) {
        byId.put(exchange.requestId(), exchange);
    }

    /** At the end of a request's PARAMS: a web server sends much the same variables each time, so the next new array is sized to fit. */
    void paramsEnded(Params params) {
        lastParamsBytes = Math.min(MAX_SPARE_PARAMS_BYTES, Math.max(64, params.storedBytes()));
    }

    /**
     * {@code exchange}'s END_REQUEST is written: its id is free, and unless it was cancelled (its
     * handler may still be reading them) its variables' array goes to the connection's next request.
     */
    void forget(FcgiExchange exchange) {
        if (byId.get(exchange.requestId()) == exchange) {
            byId.remove(exchange.requestId());
        }
        boolean cancelled = exchange.state() == FcgiExchange.State.CANCELLED;
        exchange.ended();
        if (!cancelled) {
            exchange.params.release();
            if (exchange.params.capacity() <= MAX_SPARE_PARAMS_BYTES) {
                spareParams = exchange.params;
            }
        }
    }

    /** Removes every request: the connection ends. */
    List<FcgiExchange> removeAll() {
        List<FcgiExchange> all = new ArrayList<>(byId.values());
        byId.clear();
        return all;
    }
}
