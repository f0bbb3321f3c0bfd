package io.fastpool.status.internal;

import io.fastpool.transport.AllowedClients;
import java.util.List;

/**
 * The status bundle's settings (PID {@code io.fastpool.status}), checked.
 *
 * @param path where the status page is served (JSON, OpenMetrics, Prometheus text, HTML)
 * @param pingPath where {@code pingResponse} is served, for health checks of the web server in front
 * @param pingResponse the ping path's plain-text answer
 * @param allowedClients who may see the status page, by the request's {@code REMOTE_ADDR}
 * @param restrictPing whether the ping path, too, answers only {@code allowedClients}
 * @param sampleIntervalSeconds how often the dashboard's history is sampled (and the page refreshes)
 * @param historySamples how many samples the history keeps
 * @param threads threads rendering status pages
 * @param queueLength status requests waiting for a thread beyond this get 503
 */
record StatusSettings(String path, String pingPath, String pingResponse, AllowedClients allowedClients, boolean restrictPing,
        int sampleIntervalSeconds, int historySamples, int threads, int queueLength) {

    static final String DEFAULT_PATH = "/fastpool-status";
    static final String DEFAULT_PING_PATH = "/fastpool-ping";
    static final String DEFAULT_PING_RESPONSE = "pong";
    static final int DEFAULT_SAMPLE_INTERVAL_SECONDS = 5;
    static final int DEFAULT_HISTORY_SAMPLES = 120;
    static final int DEFAULT_THREADS = 2;
    static final int DEFAULT_QUEUE_LENGTH = 16;

    static final int MAX_HISTORY_SAMPLES = 10_000;
    static final int MAX_THREADS = 4;
    static final int MAX_QUEUE_LENGTH = 1000;

    static final StatusSettings DEFAULTS = new StatusSettings(DEFAULT_PATH, DEFAULT_PING_PATH, DEFAULT_PING_RESPONSE,
            AllowedClients.parse(AllowedClients.DEFAULT), false, DEFAULT_SAMPLE_INTERVAL_SECONDS, DEFAULT_HISTORY_SAMPLES,
            DEFAULT_THREADS, DEFAULT_QUEUE_LENGTH);

    /** Checks every setting; a bad one is an {@link IllegalArgumentException} naming it, its value and what it may be. */
    StatusSettings {
        checkPath("path", path);
        checkPath("pingPath", pingPath);
        if (path.equals(pingPath)) {
            throw new IllegalArgumentException("path and pingPath must differ, both are " + path);
        }
        if (pingResponse == null || pingResponse.isEmpty()) {
            throw new IllegalArgumentException("pingResponse must not be empty");
        }
        if (allowedClients == null) {
            throw new IllegalArgumentException("allowedClients must be a list of IP addresses or CIDR blocks");
        }
        range("sampleIntervalSeconds", sampleIntervalSeconds, 1, 3600);
        range("historySamples", historySamples, 2, MAX_HISTORY_SAMPLES);
        range("threads", threads, 1, MAX_THREADS);
        range("queueLength", queueLength, 1, MAX_QUEUE_LENGTH);
    }

    /** Settings from configuration values; the list of allowed clients is parsed here. */
    static StatusSettings of(String path, String pingPath, String pingResponse, String[] allowedClients, boolean restrictPing,
            int sampleIntervalSeconds, int historySamples, int threads, int queueLength) {
        List<String> clients = allowedClients == null ? List.of() : List.of(allowedClients);
        return new StatusSettings(trim(path), trim(pingPath), pingResponse, AllowedClients.parse(clients), restrictPing,
                sampleIntervalSeconds, historySamples, threads, queueLength);
    }

    private static String trim(String value) {
        return value == null ? null : value.strip();
    }

    static void checkPath(String name, String value) {
        if (value == null || !value.startsWith("/") || value.length() < 2 || value.endsWith("/")
                || value.contains("//") || value.contains("?") || value.contains("#") || value.contains("%")
                || value.chars().anyMatch(c -> c <= ' ' || c == 0x7F)
                || List.of(value.split("/")).contains("..") || List.of(value.split("/")).contains(".")) {
            throw new IllegalArgumentException(name + " must be a path like /fastpool-status (starting with /, not / itself,"
                    + " no trailing /, no spaces, query or percent-escapes), was '" + value + "'");
        }
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
