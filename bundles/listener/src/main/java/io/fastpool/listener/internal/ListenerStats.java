package io.fastpool.listener.internal;

import io.fastpool.listener.ListenerStatus;
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
    /** Answers whose end the handler's thread wrote itself (OutboundQueue.writeByCaller). */
    final LongAdder writtenByHandlers = new LongAdder();
    /** Responses by status class: index 0 for 1xx up to 4 for 5xx. */
    private final LongAdder[] byStatusClass = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(),
            new LongAdder()};

    /** Counts a response that ended with {@code status} (100 to 599; others are not counted). */
    void responded(int status) {
        int index = status / 100 - 1;
        if (index >= 0 && index < byStatusClass.length) {
            byStatusClass[index].increment();
        }
    }

    ListenerStatus.Counters snapshot() {
        return new ListenerStatus.Counters(dispatched.sum(), completed.sum(), notFound.sum(), badRequests.sum(),
                rejected.sum(), aborted.sum(), paramsTimeouts.sum(), protocolErrors.sum(), byStatusClass[0].sum(),
                byStatusClass[1].sum(), byStatusClass[2].sum(), byStatusClass[3].sum(), byStatusClass[4].sum(),
                writtenByHandlers.sum());
    }
}
