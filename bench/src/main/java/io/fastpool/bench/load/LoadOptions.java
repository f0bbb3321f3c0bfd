package io.fastpool.bench.load;

import io.fastpool.config.Durations;
import io.fastpool.fcgi.CgiParams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything one load run needs, checked on construction; build it with {@link #builder(Target)}.
 * Each component is named after its command-line option, and errors name the option.
 *
 * @param target the FastCGI server
 * @param connections connections kept busy at once ({@code --connections})
 * @param duration how long to measure after the warm-up, or {@code null} for no time limit
 *     ({@code --duration}); at least one of {@code duration} and {@code requests} is set
 * @param requests how many requests to measure, or 0 for no count limit ({@code --requests});
 *     with {@code duration} too, whichever comes first ends the run
 * @param warmup load sent before measuring starts, not counted ({@code --warmup})
 * @param keepConnection whether connections carry request after request ({@code --keep-conn on}),
 *     or each request has a connection of its own ({@code off}), like nginx without
 *     {@code fastcgi_keep_conn}
 * @param bodySize bytes of request body: 0 sends a GET, more a POST ({@code --body-size})
 * @param multiplex requests in flight at once on one connection, each with its own request id
 *     ({@code --multiplex}); more than 1 needs {@code keepConnection}
 * @param path the request URI, optionally with a query string ({@code --path})
 * @param headers extra request headers passed as {@code HTTP_*} parameters ({@code --header})
 * @param documentRoot {@code DOCUMENT_ROOT} ({@code --document-root})
 * @param scriptFilename {@code SCRIPT_FILENAME}, or {@code null} for document root + script name
 *     ({@code --script-filename})
 * @param csv a file to append one line of results to, or {@code null} ({@code --csv})
 * @param timeout longest wait for one request's END_REQUEST ({@code --timeout})
 * @param threads event loop threads ({@code --threads})
 * @param maxTime hard cap on the whole run, warm-up included, or {@code null} for the default: see
 *     {@link #effectiveMaxTime()} ({@code --max-time})
 * @param reconnectDelay wait before connecting again after a failed connect or a connection that
 *     closed before answering anything, so that a dead server is not hammered
 * @param serverPid the server's process, whose CPU time (with its children's) over the measured
 *     span is reported, or 0 for none ({@code --server-pid})
 */
public record LoadOptions(
        Target target,
        int connections,
        Duration duration,
        long requests,
        Duration warmup,
        boolean keepConnection,
        int bodySize,
        int multiplex,
        String path,
        List<Header> headers,
        String documentRoot,
        String scriptFilename,
        Path csv,
        Duration timeout,
        int threads,
        Duration maxTime,
        Duration reconnectDelay,
        long serverPid) {

    /** Default {@code connections}. */
    public static final int DEFAULT_CONNECTIONS = 8;
    /** Most {@code connections}. */
    public static final int MAX_CONNECTIONS = 10_000;
    /** Default {@code duration} when neither a duration nor a request count is given. */
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    /** Default {@code warmup}. */
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(2);
    /** Most {@code bodySize}: 1 GiB. */
    public static final int MAX_BODY_SIZE = 1 << 30;
    /** Most {@code multiplex}: each request id in flight holds its own pre-encoded request. */
    public static final int MAX_MULTIPLEX = 1024;
    /** Default {@code path}. */
    public static final String DEFAULT_PATH = "/";
    /** Default {@code documentRoot}, Debian's and nginx's usual one. */
    public static final String DEFAULT_DOCUMENT_ROOT = CgiParams.DEFAULT_DOCUMENT_ROOT;
    /** Default {@code timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Most {@code threads}. */
    public static final int MAX_THREADS = 1024;
    /** Default {@code maxTime} of a run limited by request count only. */
    public static final Duration DEFAULT_REQUESTS_MAX_TIME = Duration.ofMinutes(10);
    /** Time added to warm-up + duration + timeout for the default {@code maxTime} of a timed run. */
    public static final Duration MAX_TIME_MARGIN = Duration.ofSeconds(5);
    /** Default {@code reconnectDelay}. */
    public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofMillis(100);

    public LoadOptions {
        Objects.requireNonNull(target, "target");
        requireRange("--connections", connections, 1, MAX_CONNECTIONS);
        if (duration == null && requests == 0) {
            throw new IllegalArgumentException("give --duration, --requests or both");
        }
        if (duration != null) {
            requirePositive("--duration", duration);
        }
        if (requests < 0) {
            throw new IllegalArgumentException("--requests must be at least 1, was " + requests);
        }
        requireNotNegative("--warmup", warmup);
        requireRange("--body-size", bodySize, 0, MAX_BODY_SIZE);
        requireRange("--multiplex", multiplex, 1, MAX_MULTIPLEX);
        if (multiplex > 1 && !keepConnection) {
            throw new IllegalArgumentException("--multiplex " + multiplex
                    + " needs --keep-conn on: a connection that closes after its request carries one at a time");
        }
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("--path must start with '/', was '" + path + "'");
        }
        if (!path.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("--path must be printable ASCII without spaces (percent-encode the rest), was '"
                    + path + "'");
        }
        headers = List.copyOf(headers);
        Objects.requireNonNull(documentRoot, "documentRoot");
        requirePositive("--timeout", timeout);
        requireRange("--threads", threads, 1, MAX_THREADS);
        if (maxTime != null) {
            requirePositive("--max-time", maxTime);
        }
        requireNotNegative("reconnectDelay", reconnectDelay);
        if (serverPid < 0) {
            throw new IllegalArgumentException("--server-pid must be a process id, was " + serverPid);
        }
    }

    /** Options with every default, for {@code target}. */
    public static Builder builder(Target target) {
        return new Builder(target);
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder(target);
        b.connections = connections;
        b.duration = duration;
        b.requests = requests;
        b.warmup = warmup;
        b.keepConnection = keepConnection;
        b.bodySize = bodySize;
        b.multiplex = multiplex;
        b.path = path;
        b.headers.addAll(headers);
        b.documentRoot = documentRoot;
        b.scriptFilename = scriptFilename;
        b.csv = csv;
        b.timeout = timeout;
        b.threads = threads;
        b.maxTime = maxTime;
        b.reconnectDelay = reconnectDelay;
        b.serverPid = serverPid;
        return b;
    }

    /** Default {@code threads}: one per core. */
    public static int defaultThreads() {
        return Math.max(1, Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The hard cap on the run: {@code maxTime} if set; else warm-up + duration + timeout +
     * {@link #MAX_TIME_MARGIN} for a timed run, {@link #DEFAULT_REQUESTS_MAX_TIME} for one limited
     * by request count only.
     */
    public Duration effectiveMaxTime() {
        if (maxTime != null) {
            return maxTime;
        }
        if (duration == null) {
            return DEFAULT_REQUESTS_MAX_TIME;
        }
        return warmup.plus(duration).plus(timeout).plus(MAX_TIME_MARGIN);
    }

    /** The path without its query string: {@code SCRIPT_NAME} and {@code DOCUMENT_URI}. */
    public String scriptName() {
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /** The query string, without the {@code ?}; empty if none. */
    public String queryString() {
        int query = path.indexOf('?');
        return query < 0 ? "" : path.substring(query + 1);
    }

    /** {@code SCRIPT_FILENAME}: the option, or document root + script name. */
    public String effectiveScriptFilename() {
        if (scriptFilename != null) {
            return scriptFilename;
        }
        String root = documentRoot.endsWith("/") ? documentRoot.substring(0, documentRoot.length() - 1) : documentRoot;
        return root + scriptName();
    }

    private static void requireRange(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static void requirePositive(String option, Duration value) {
        Objects.requireNonNull(value, option);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + " must be longer than 0, was " + Durations.format(value));
        }
    }

    private static void requireNotNegative(String option, Duration value) {
        Objects.requireNonNull(value, option);
        if (value.isNegative()) {
            throw new IllegalArgumentException(option + " must not be negative, was " + Durations.format(value));
        }
    }

    /** Collects options; {@link #build()} checks them. Unset options keep their defaults. */
    public static final class Builder {
        private final Target target;
        private int connections = DEFAULT_CONNECTIONS;
        private Duration duration;
        private long requests;
        private Duration warmup = DEFAULT_WARMUP;
        private boolean keepConnection = true;
        private int bodySize;
        private int multiplex = 1;
        private String path = DEFAULT_PATH;
        private final List<Header> headers = new ArrayList<>();
        private String documentRoot = DEFAULT_DOCUMENT_ROOT;
        private String scriptFilename;
        private Path csv;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int threads = defaultThreads();
        private Duration maxTime;
        private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;
        private long serverPid;

        private Builder(Target target) {
            this.target = Objects.requireNonNull(target, "target");
        }

        public Builder connections(int value) {
            connections = value;
            return this;
        }

        /** Measure for this long; {@code null} for no time limit. */
        public Builder duration(Duration value) {
            duration = value;
            return this;
        }

        /** Measure this many requests; 0 for no count limit. */
        public Builder requests(long value) {
            requests = value;
            return this;
        }

        public Builder warmup(Duration value) {
            warmup = value;
            return this;
        }

        public Builder keepConnection(boolean value) {
            keepConnection = value;
            return this;
        }

        public Builder bodySize(int value) {
            bodySize = value;
            return this;
        }

        public Builder multiplex(int value) {
            multiplex = value;
            return this;
        }

        public Builder path(String value) {
            path = value;
            return this;
        }

        public Builder header(Header value) {
            headers.add(Objects.requireNonNull(value, "header"));
            return this;
        }

        public Builder documentRoot(String value) {
            documentRoot = value;
            return this;
        }

        public Builder scriptFilename(String value) {
            scriptFilename = value;
            return this;
        }

        public Builder csv(Path value) {
            csv = value;
            return this;
        }

        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        public Builder threads(int value) {
            threads = value;
            return this;
        }

        public Builder maxTime(Duration value) {
            maxTime = value;
            return this;
        }

        public Builder reconnectDelay(Duration value) {
            reconnectDelay = value;
            return this;
        }

        /** Report the CPU time of this process and its children over the measured span; 0 for none. */
        public Builder serverPid(long value) {
            serverPid = value;
            return this;
        }

        /**
         * Checks and returns the options; with neither a duration nor a request count set, the run
         * lasts {@link #DEFAULT_DURATION}.
         *
         * @throws IllegalArgumentException naming the option that is wrong
         */
        public LoadOptions build() {
            Duration effectiveDuration = duration == null && requests == 0 ? DEFAULT_DURATION : duration;
            return new LoadOptions(target, connections, effectiveDuration, requests, warmup, keepConnection, bodySize,
                    multiplex, path, headers, documentRoot, scriptFilename, csv, timeout, threads, maxTime,
                    reconnectDelay, serverPid);
        }
    }
}
