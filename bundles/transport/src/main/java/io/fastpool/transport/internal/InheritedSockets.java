package io.fastpool.transport.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The listening sockets this process was started with, by systemd's socket activation protocol
 * (sd_listen_fds(3)), which systemd ({@code conf/fastpool.socket}) and Fastpool's supervisor both
 * speak: {@code LISTEN_FDS=N} sockets at file descriptors 3 to 3+N-1, {@code LISTEN_PID} the process
 * they are meant for (a child that inherited the variables but not the meaning ignores them), and
 * {@code LISTEN_FDNAMES} their colon-separated names.
 *
 * <p>Read from an environment handed in, not from {@link System#getenv()} directly, so that tests
 * give their own. Only the numbers and names are here: what each descriptor is (family, bound
 * address) is asked of the socket by {@link SocketIo#inspect}, which needs epoll's native library.
 *
 * @param fds the descriptors, in order
 * @param from who handed them down, for logs: {@code systemd} or {@code the supervisor}
 */
record InheritedSockets(List<Fd> fds, String from) {

    private static final System.Logger LOG = System.getLogger(Transport.class.getName());

    /** The first descriptor passed (SD_LISTEN_FDS_START). */
    static final int FIRST_FD = 3;

    /** None: the process binds every address itself. */
    static final InheritedSockets NONE = new InheritedSockets(List.of(), "");

    /** The environment variable Fastpool's supervisor sets, so logs say who handed the sockets down. */
    static final String SUPERVISED = "FASTPOOL_SUPERVISED";

    /**
     * One inherited descriptor.
     *
     * @param number the file descriptor
     * @param name its name from {@code LISTEN_FDNAMES}, or {@code "unknown"} as sd_listen_fds_with_names says
     */
    record Fd(int number, String name) {
    }

    /**
     * An inherited descriptor found to be a listening socket that can be served.
     *
     * @param address what it is bound to: an {@link java.net.InetSocketAddress} or a
     *     {@link java.net.UnixDomainSocketAddress}
     * @param from who handed it down: {@code systemd} or {@code the supervisor}
     */
    record Inspected(Fd fd, java.net.SocketAddress address, String from) {

        /** How logs and the shell say where the socket came from: {@code inherited fd 3 from systemd}. */
        String describe() {
            return "inherited fd " + fd.number() + " from " + from + ("unknown".equals(fd.name()) ? "" : ", named " + fd.name());
        }
    }

    InheritedSockets {
        fds = List.copyOf(fds);
    }

    boolean isEmpty() {
        return fds.isEmpty();
    }

    /**
     * The sockets {@code environment} hands to the process {@code pid}; {@link #NONE} without
     * {@code LISTEN_FDS}, or when they are meant for another process (logged), or malformed (logged).
     */
    static InheritedSockets fromEnvironment(Map<String, String> environment, long pid) {
        String count = environment.get("LISTEN_FDS");
        if (count == null || count.isBlank()) {
            return NONE;
        }
        String meantFor = environment.getOrDefault("LISTEN_PID", "").strip();
        if (!meantFor.equals(Long.toString(pid))) {
            LOG.log(Level.INFO, () -> "LISTEN_FDS=" + count + " is meant for process " + (meantFor.isEmpty() ? "(no LISTEN_PID)" : meantFor)
                    + ", not this one (" + pid + "); binding every listen address here");
            return NONE;
        }
        int n;
        try {
            n = Integer.parseInt(count.strip());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0) {
            LOG.log(Level.WARNING, () -> "LISTEN_FDS='" + count + "' is not a count of file descriptors; ignored, binding"
                    + " every listen address here");
            return NONE;
        }
        String names = environment.get("LISTEN_FDNAMES");
        String[] split = names == null ? new String[0] : names.split(":", -1);
        List<Fd> fds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // As sd_listen_fds_with_names: names only when there is one for every descriptor.
            fds.add(new Fd(FIRST_FD + i, split.length == n && !split[i].isEmpty() ? split[i] : "unknown"));
        }
        String supervised = environment.get(SUPERVISED);
        return new InheritedSockets(fds, supervised == null || supervised.isBlank() ? "systemd" : "the supervisor");
    }
}
