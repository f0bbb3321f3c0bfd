package io.fastpool.listener.internal;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the FastCGI listener since it started, for logs, the shell and the status page. */
final class ListenerStats {
    final LongAdder dispatched = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder badRequests = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder aborted = new LongAdder();
    final LongAdder paramsTimeouts = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder dispatchFailures = new LongAdder();
}
