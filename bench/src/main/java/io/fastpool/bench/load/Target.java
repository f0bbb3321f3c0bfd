package io.fastpool.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Where the load goes: a FastCGI server's TCP address or unix domain socket, written as
 * {@code tcp:HOST:PORT}, {@code tcp:[IPv6]:PORT} or {@code unix:/path/to.sock}.
 *
 * @param text the address as the user wrote it, for output
 * @param address the resolved socket address to connect to
 */
public record Target(String text, SocketAddress address) {

    private static final String FORMS = "expected tcp:HOST:PORT, tcp:[IPv6]:PORT or unix:/path/to.sock";

    public Target {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(address, "address");
    }

    /** Whether this is a unix domain socket rather than TCP. */
    public boolean isUnix() {
        return address instanceof UnixDomainSocketAddress;
    }

    /**
     * Parses and resolves an address.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    public static Target parse(String text) {
        if (text.startsWith("unix:")) {
            String path = text.substring("unix:".length());
            if (path.isEmpty()) {
                throw bad(text, "the socket path is empty");
            }
            try {
                return new Target(text, UnixDomainSocketAddress.of(path));
            } catch (IllegalArgumentException e) {
                throw bad(text, e.getMessage());
            }
        }
        if (!text.startsWith("tcp:")) {
            throw bad(text, FORMS);
        }
        String hostPort = text.substring("tcp:".length());
        String host;
        String port;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw bad(text, "no ']' after the IPv6 address");
            }
            host = hostPort.substring(1, close);
            String rest = hostPort.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw bad(text, "no port after the IPv6 address (" + FORMS + ")");
            }
            port = rest.substring(1);
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw bad(text, "no port (" + FORMS + ")");
            }
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw bad(text, "an IPv6 address needs brackets, as in tcp:[::1]:9000");
            }
        }
        if (host.isEmpty()) {
            throw bad(text, "the host is empty");
        }
        int portNumber = parsePort(text, port);
        try {
            return new Target(text, new InetSocketAddress(InetAddress.getByName(host), portNumber));
        } catch (UnknownHostException e) {
            throw bad(text, "unknown host '" + host + "'");
        }
    }

    private static int parsePort(String text, String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(text, "port '" + port + "' is not a number from 1 to 65535");
        }
        int value = Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw bad(text, "port " + value + " is not between 1 and 65535");
        }
        return value;
    }

    private static IllegalArgumentException bad(String text, String problem) {
        return new IllegalArgumentException("bad address '" + text + "': " + problem);
    }

    @Override
    public String toString() {
        return text;
    }
}
