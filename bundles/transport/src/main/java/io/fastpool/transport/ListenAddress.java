package io.fastpool.transport;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One configured listen address: {@code tcp:HOST:PORT} (an IPv6 host in brackets, as in
 * {@code tcp:[::1]:9000}; port 0 picks a free port) or {@code unix:PATH} (a relative path resolves
 * against the transport's base directory). {@link #text()} is the address as configured, which
 * logs, counters and {@link io.fastpool.transport.Connection#listenAddress()} show.
 *
 * <p>Exported because the clients of a Fastpool write the same syntax to reach it
 * ({@code bin/fastpool request -c}, the {@code fcgi-load} target): one parser, so an address that
 * the transport accepts is one they accept, with the same messages. Clients parse with
 * {@link #parseConnectable}.
 */
@ProviderType
public sealed interface ListenAddress permits ListenAddress.Tcp, ListenAddress.Unix {

    /** What every parse error ends with, so an operator sees the expected form. */
    String EXPECTED = "expected tcp:HOST:PORT or unix:PATH";

    /** The address as configured (trimmed). */
    String text();

    /** The address to bind; a TCP host name is resolved here, so do not call it on an event loop. */
    SocketAddress socketAddress();

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the address, what is wrong with it and the expected form
     */
    static ListenAddress parse(String text, Path baseDirectory) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("listen address is empty; " + EXPECTED);
        }
        int colon = trimmed.indexOf(':');
        String scheme = colon < 0 ? "" : trimmed.substring(0, colon);
        String rest = colon < 0 ? "" : trimmed.substring(colon + 1);
        return switch (scheme) {
            case "tcp" -> Tcp.parse(trimmed, rest);
            case "unix" -> Unix.parse(trimmed, rest, baseDirectory);
            default -> throw bad(trimmed, colon < 0 ? "has no scheme" : "has unknown scheme '" + scheme + "'");
        };
    }

    /**
     * Parses an address to connect to: as {@link #parse}, but port 0 (any free port, which only a
     * listener can take) is refused, and a host name must resolve (so do not call it on an event loop).
     *
     * @throws IllegalArgumentException naming the address, what is wrong with it and the expected form
     */
    static ListenAddress parseConnectable(String text, Path baseDirectory) {
        ListenAddress address = parse(text, baseDirectory);
        if (address instanceof Tcp tcp) {
            if (tcp.port() == 0) {
                throw bad(tcp.text(), "has port 0, which only a listener can take (any free port); give the port it took");
            }
            if (((InetSocketAddress) tcp.socketAddress()).isUnresolved()) {
                throw bad(tcp.text(), "has host '" + tcp.host() + "', which does not resolve");
            }
        }
        return address;
    }

    private static IllegalArgumentException bad(String text, String problem) {
        return new IllegalArgumentException("listen address '" + text + "' " + problem + "; " + EXPECTED);
    }

    /**
     * A TCP address.
     *
     * @param host an IP literal (IPv6 without brackets) or a host name
     * @param port 0 to 65535; 0 binds a free port
     */
    record Tcp(String text, String host, int port) implements ListenAddress {

        static Tcp parse(String text, String hostAndPort) {
            String host;
            String port;
            if (hostAndPort.startsWith("[")) {
                int close = hostAndPort.indexOf(']');
                if (close < 0) {
                    throw bad(text, "has '[' without ']'");
                }
                host = hostAndPort.substring(1, close);
                String afterHost = hostAndPort.substring(close + 1);
                if (!afterHost.startsWith(":")) {
                    throw bad(text, "has no port");
                }
                port = afterHost.substring(1);
                if (!NetUtil.isValidIpV6Address(host)) {
                    throw bad(text, "has '" + host + "' in brackets, which is not an IPv6 address");
                }
            } else {
                int colon = hostAndPort.lastIndexOf(':');
                if (colon < 0) {
                    throw bad(text, "has no port");
                }
                host = hostAndPort.substring(0, colon);
                port = hostAndPort.substring(colon + 1);
                if (host.indexOf(':') >= 0) {
                    throw bad(text, "has an IPv6 host without brackets (write tcp:[::1]:9000)");
                }
            }
            if (host.isEmpty()) {
                throw bad(text, "has no host (use 0.0.0.0 or [::] for every interface)");
            }
            if (host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')) && !NetUtil.isValidIpV4Address(host)) {
                throw bad(text, "has '" + host + "', which is not an IPv4 address");
            }
            if (port.isEmpty()) {
                throw bad(text, "has no port");
            }
            return new Tcp(text, host, parsePort(text, port));
        }

        private static int parsePort(String text, String port) {
            if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw bad(text, "has port '" + port + "', which is not a number from 0 to 65535");
            }
            int value = Integer.parseInt(port);
            if (value > 65535) {
                throw bad(text, "has port " + value + ", above 65535");
            }
            return value;
        }

        @Override
        public SocketAddress socketAddress() {
            return new InetSocketAddress(host, port);
        }
    }

    /**
     * A unix domain socket.
     *
     * @param path absolute and normalised
     */
    record Unix(String text, Path path) implements ListenAddress {

        static Unix parse(String text, String pathText, Path baseDirectory) {
            if (pathText.isEmpty()) {
                throw bad(text, "has no path");
            }
            try {
                return new Unix(text, baseDirectory.resolve(pathText).toAbsolutePath().normalize());
            } catch (InvalidPathException e) {
                throw bad(text, "has an invalid path (" + e.getMessage() + ")");
            }
        }

        @Override
        public SocketAddress socketAddress() {
            return UnixDomainSocketAddress.of(path);
        }
    }
}
