package io.fastpool.status.internal;

import java.util.Map;

/**
 * One recommendation, with the figures behind it.
 *
 * @param severity how much it matters
 * @param rule which rule gave it, a stable name such as {@code raiseMaxThreads}
 * @param pool the pool it is about, or {@code null} for the server as a whole
 * @param message what to do and why, in a sentence or two
 * @param figures the numbers behind it, by name, in the order they are worth reading
 */
record Advice(Severity severity, String rule, String pool, String message, Map<String, Object> figures) {

    /** How much a recommendation matters. */
    enum Severity {
        /** Worth knowing; nothing is lost yet. */
        INFO,
        /** Requests are refused, slow or failing, or soon will be. */
        WARNING
    }
}
