package io.fastpool.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What the connections of one event loop measured; written by that loop's thread only, so it
 * needs no synchronisation. The run merges every loop's counts once the loops have stopped.
 */
final class LoopStats {

    /** Significant decimal digits the latency histogram keeps. */
    static final int LATENCY_DIGITS = 3;

    final Histogram latency = new Histogram(LATENCY_DIGITS);
    final long[] errors = new long[ErrorKind.values().length];
    final String[] firstErrors = new String[ErrorKind.values().length];
    long responses;
    long stderrResponses;
    long bytesReceived;

    /** A response (END_REQUEST) that arrived {@code latencyNanos} after its request started. */
    void response(long latencyNanos, ErrorKind error, String errorDetail, boolean wroteStderr) {
        responses++;
        latency.recordValue(latencyNanos);
        if (wroteStderr) {
            stderrResponses++;
        }
        if (error != null) {
            error(error, errorDetail);
        }
    }

    /** An error of this kind; the first detail of each kind is kept for the report. */
    void error(ErrorKind kind, String detail) {
        errors[kind.ordinal()]++;
        if (firstErrors[kind.ordinal()] == null) {
            firstErrors[kind.ordinal()] = detail;
        }
    }

    /** Adds these counts to {@code total}. */
    void addTo(LoopStats total) {
        total.latency.add(latency);
        total.responses += responses;
        total.stderrResponses += stderrResponses;
        total.bytesReceived += bytesReceived;
        for (int i = 0; i < errors.length; i++) {
            total.errors[i] += errors[i];
            if (total.firstErrors[i] == null) {
                total.firstErrors[i] = firstErrors[i];
            }
        }
    }
}
