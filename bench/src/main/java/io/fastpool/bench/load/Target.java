package io.fastpool.bench.load;

import io.fastpool.transport.ListenAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the load goes: a FastCGI server's address in the syntax of Fastpool's {@code listen}
 * setting ({@link ListenAddress}: {@code tcp:HOST:PORT}, {@code tcp:[IPv6]:PORT},
 * {@code unix:/path/to.sock}), resolved once when the command line is read so that an unknown host
 * is a usage error rather than a failed connect per connection.
 *
 * @param text the address as the user wrote it, for output
 * @param address the resolved socket address to connect to
 */
public record Target(String text, SocketAddress address) {

    public Target {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(address, "address");
    }

    /** Whether this is a unix domain socket rather than TCP. */
    public boolean isUnix() {
        return address instanceof UnixDomainSocketAddress;
    }

    /**
     * Parses and resolves an address; a relative socket path is taken from the working directory.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    public static Target parse(String text) {
        ListenAddress parsed = ListenAddress.parseConnectable(text, Path.of(""));
        return new Target(parsed.text(), parsed.socketAddress());
    }

    @Override
    public String toString() {
        return text;
    }
}
