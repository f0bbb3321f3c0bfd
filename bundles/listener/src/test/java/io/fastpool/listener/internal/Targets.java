package io.fastpool.listener.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.spi.Exchange;
import io.fastpool.api.spi.RequestTarget;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Request targets standing in for the pool manager in tests. */
final class Targets {

    private Targets() {
    }

    /** What a handler does with a request. */
    interface Handler {
        void handle(Request request, Response response) throws IOException;
    }

    /** Runs {@code handler} at once, on the calling (event loop) thread, then completes. */
    static RequestTarget inline(Handler handler) {
        return exchange -> {
            try {
                handler.handle(exchange.request(), exchange.response());
            } catch (IOException e) {
                // the request was aborted: nothing to answer
            } finally {
                exchange.complete();
            }
        };
    }

    /** Keeps each exchange for the test to finish later. */
    static final class Deferred implements RequestTarget {
        final List<Exchange> exchanges = new ArrayList<>();

        @Override
        public void dispatch(Exchange exchange) {
            exchanges.add(exchange);
        }

        Exchange last() {
            return exchanges.get(exchanges.size() - 1);
        }
    }
}
