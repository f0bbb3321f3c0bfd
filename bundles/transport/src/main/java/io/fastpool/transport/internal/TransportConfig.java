package io.fastpool.transport.internal;

import io.fastpool.transport.AllowedClients;
import io.fastpool.transport.ListenAddress;
import io.fastpool.transport.TransportLimits;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the {@link Transport} is configured with (PID {@code io.fastpool.transport}), checked
 * and parsed. The names are those of the {@code .cfg} keys. Build one with {@link #builder(Path)};
 * every setting has a default.
 *
 * @param listen where to listen, in order, without duplicates
 * @param allowedClients the TCP peers accepted; unix socket peers are governed by the file's mode
 * @param unixSocketMode permission bits of each unix socket file, e.g. {@code 0660}
 * @param unixSocketOwner user to own each unix socket file, or empty to leave the process's user
 * @param unixSocketGroup group to own each unix socket file, or empty to leave the default group
 * @param backlog connections the kernel queues before they are accepted ({@code SO_BACKLOG})
 * @param eventLoopThreads I/O threads; 0 means one per core. Read at start only
 * @param useEpoll use netty's native epoll when it is available, else NIO; false always uses NIO.
 *     Read at start only
 * @param writesFromHandlers on epoll, whether a handler's thread may write its request's last buffer
 *     to the socket itself ({@link CallerWrites}); read when a connection is accepted
 * @param writeBufferLowWaterMark outbound bytes below which a connection is writable again
 * @param writeBufferHighWaterMark outbound bytes above which a connection is not writable
 * @param limits the limits sessions enforce, and {@code maxConnections} and {@code idleTimeoutMillis}
 *     the transport enforces
 * @param lingerMillis after the last answer on a connection the peer did not ask to keep, how long
 *     the rest of its request (a body it is still sending) is read and discarded before closing
 * @param lingerBytes how many bytes of it at most
 * @param drainTimeoutMillis how long a graceful stop ({@link Transport#drain}) waits for requests in
 *     flight to finish and kept connections to close between requests
 */
public record TransportConfig(List<ListenAddress> listen, AllowedClients allowedClients, int unixSocketMode,
        String unixSocketOwner, String unixSocketGroup, int backlog, int eventLoopThreads, boolean useEpoll,
        boolean writesFromHandlers, int writeBufferLowWaterMark, int writeBufferHighWaterMark, TransportLimits limits, long lingerMillis, long lingerBytes,
        long drainTimeoutMillis) {

    /** How long a closing connection reads what its peer still sends, by default. */
    public static final long DEFAULT_LINGER_MILLIS = 5_000;
    /** How many bytes it reads at most, by default. */
    public static final long DEFAULT_LINGER_BYTES = 16 * 1024 * 1024;

    /** How long a graceful stop waits for connections to close, by default: under systemd's 90 s stop time-out. */
    public static final long DEFAULT_DRAIN_TIMEOUT_MILLIS = 30_000;

    /** Default listen addresses, relative unix paths resolving against the base directory. */
    public static final List<String> DEFAULT_LISTEN = List.of("unix:run/fastpool.sock", "tcp:127.0.0.1:9000");

    /** Default {@code unixSocketMode}: owner and group may connect (the web server joins the group). */
    public static final String DEFAULT_UNIX_SOCKET_MODE = "0660";

    /** Default {@code backlog}: nginx's default, and above what a burst of reconnects needs. */
    public static final int DEFAULT_BACKLOG = 511;

    /** Default {@code writeBufferLowWaterMark}. */
    public static final int DEFAULT_WRITE_BUFFER_LOW_WATER_MARK = 32 * 1024;

    /** Default {@code writeBufferHighWaterMark}: a few records of a response may queue per connection. */
    public static final int DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK = 64 * 1024;

    /** Checks every value and copies the list. */
    public TransportConfig {
        listen = List.copyOf(listen);
        Set<ListenAddress> seen = new HashSet<>();
        for (ListenAddress address : listen) {
            if (!seen.add(address)) {
                throw new IllegalArgumentException("listen address '" + address.text() + "' is configured twice");
            }
        }
        Objects.requireNonNull(allowedClients, "allowedClients");
        if ((unixSocketMode & ~0777) != 0) {
            throw new IllegalArgumentException("unixSocketMode " + Integer.toOctalString(unixSocketMode)
                    + " has bits beyond 0777");
        }
        unixSocketOwner = unixSocketOwner == null ? "" : unixSocketOwner.strip();
        unixSocketGroup = unixSocketGroup == null ? "" : unixSocketGroup.strip();
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
        }
        if (eventLoopThreads < 0) {
            throw new IllegalArgumentException("eventLoopThreads must be 0 (one per core) or more, was " + eventLoopThreads);
        }
        if (writeBufferLowWaterMark < 1 || writeBufferHighWaterMark < writeBufferLowWaterMark) {
            throw new IllegalArgumentException("write buffer water marks must be 1 <= writeBufferLowWaterMark ("
                    + writeBufferLowWaterMark + ") <= writeBufferHighWaterMark (" + writeBufferHighWaterMark + ")");
        }
        Objects.requireNonNull(limits, "limits");
        if (lingerMillis < 0 || lingerBytes < 0) {
            throw new IllegalArgumentException("lingerSeconds and lingerBytes must be 0 or more");
        }
        if (drainTimeoutMillis < 0) {
            throw new IllegalArgumentException("drainTimeoutSeconds must be 0 or more, was " + drainTimeoutMillis / 1000);
        }
    }

    /** A builder holding every default, resolving relative unix paths against {@code baseDirectory}. */
    public static Builder builder(Path baseDirectory) {
        return new Builder(baseDirectory);
    }

    /** The number of I/O threads to start: {@link #eventLoopThreads()}, or the core count if 0. */
    public int effectiveEventLoopThreads() {
        return eventLoopThreads > 0 ? eventLoopThreads : Runtime.getRuntime().availableProcessors();
    }

    /** {@link #unixSocketMode()} as file permissions. */
    public Set<PosixFilePermission> unixSocketPermissions() {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] byBit = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int bit = 0; bit < byBit.length; bit++) {
            if ((unixSocketMode & (1 << bit)) != 0) {
                permissions.add(byBit[bit]);
            }
        }
        return permissions;
    }

    /** {@link #unixSocketMode()} as written in configuration: four octal digits. */
    public String unixSocketModeText() {
        return String.format("%04o", unixSocketMode);
    }

    /**
     * Parses an octal mode such as {@code 0660} or {@code 600}.
     *
     * @throws IllegalArgumentException if it is not three or four octal digits up to 0777
     */
    public static int parseUnixSocketMode(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (!trimmed.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("unixSocketMode '" + trimmed
                    + "' is not an octal file mode; expected e.g. 0660 (owner and group) or 0600 (owner only)");
        }
        return Integer.parseInt(trimmed, 8);
    }

    /** Collects settings as configured (strings, as in a {@code .cfg} file) and checks them in {@link #build()}. */
    public static final class Builder {
        private final Path baseDirectory;
        private List<String> listen = DEFAULT_LISTEN;
        private List<String> allowedClients = AllowedClients.DEFAULT;
        private String unixSocketMode = DEFAULT_UNIX_SOCKET_MODE;
        private String unixSocketOwner = "";
        private String unixSocketGroup = "";
        private int backlog = DEFAULT_BACKLOG;
        private int eventLoopThreads;
        private boolean useEpoll = true;
        private boolean writesFromHandlers = true;
        private int writeBufferLowWaterMark = DEFAULT_WRITE_BUFFER_LOW_WATER_MARK;
        private int writeBufferHighWaterMark = DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK;
        private int maxConnections = TransportLimits.DEFAULTS.maxConnections();
        private long recordTimeoutMillis = TransportLimits.DEFAULTS.recordTimeoutMillis();
        private long idleTimeoutMillis = TransportLimits.DEFAULTS.idleTimeoutMillis();
        private long lingerMillis = DEFAULT_LINGER_MILLIS;
        private long lingerBytes = DEFAULT_LINGER_BYTES;
        private long drainTimeoutMillis = DEFAULT_DRAIN_TIMEOUT_MILLIS;

        private Builder(Path baseDirectory) {
            this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
        }

        public Builder listen(String... addresses) {
            return listen(List.of(addresses));
        }

        public Builder listen(List<String> addresses) {
            this.listen = List.copyOf(addresses);
            return this;
        }

        public Builder allowedClients(String... entries) {
            return allowedClients(List.of(entries));
        }

        public Builder allowedClients(List<String> entries) {
            this.allowedClients = List.copyOf(entries);
            return this;
        }

        public Builder unixSocketMode(String mode) {
            this.unixSocketMode = mode;
            return this;
        }

        public Builder unixSocketOwner(String owner) {
            this.unixSocketOwner = owner;
            return this;
        }

        public Builder unixSocketGroup(String group) {
            this.unixSocketGroup = group;
            return this;
        }

        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        public Builder eventLoopThreads(int threads) {
            this.eventLoopThreads = threads;
            return this;
        }

        public Builder useEpoll(boolean useEpoll) {
            this.useEpoll = useEpoll;
            return this;
        }

        public Builder writesFromHandlers(boolean writesFromHandlers) {
            this.writesFromHandlers = writesFromHandlers;
            return this;
        }

        public Builder writeBufferWaterMarks(int low, int high) {
            this.writeBufferLowWaterMark = low;
            this.writeBufferHighWaterMark = high;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder recordTimeoutMillis(long millis) {
            this.recordTimeoutMillis = millis;
            return this;
        }

        public Builder idleTimeoutMillis(long millis) {
            this.idleTimeoutMillis = millis;
            return this;
        }

        public Builder linger(long millis, long bytes) {
            this.lingerMillis = millis;
            this.lingerBytes = bytes;
            return this;
        }

        public Builder drainTimeoutMillis(long millis) {
            this.drainTimeoutMillis = millis;
            return this;
        }

        /**
         * Parses and checks everything.
         *
         * @throws IllegalArgumentException naming the first bad setting
         */
        public TransportConfig build() {
            List<ListenAddress> addresses = new ArrayList<>();
            for (String address : listen) {
                if (address != null && !address.isBlank()) {
                    addresses.add(ListenAddress.parse(address, baseDirectory));
                }
            }
            return new TransportConfig(addresses, AllowedClients.parse(allowedClients),
                    parseUnixSocketMode(unixSocketMode), unixSocketOwner, unixSocketGroup, backlog, eventLoopThreads,
                    useEpoll, writesFromHandlers, writeBufferLowWaterMark, writeBufferHighWaterMark,
                    new TransportLimits(maxConnections, recordTimeoutMillis, idleTimeoutMillis),
                    lingerMillis, lingerBytes, drainTimeoutMillis);
        }
    }
}
