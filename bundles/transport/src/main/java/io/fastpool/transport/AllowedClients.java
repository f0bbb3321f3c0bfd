package io.fastpool.transport;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may connect, or see a page: IP addresses and CIDR blocks such as {@code 127.0.0.0/8} or
 * {@code ::1}, as the transport's {@code allowedClients} (and the status page's) are written.
 * Entries are IP literals only; a host name is refused rather than resolved, because a DNS answer
 * must not decide who may connect. An IPv4 peer that reaches an IPv6 socket arrives as an IPv4
 * address (the JDK unmaps {@code ::ffff:a.b.c.d}), and an IPv4-mapped literal is unmapped too, so
 * IPv4 entries cover both. Immutable.
 */
public final class AllowedClients {

    /** Loopback only: the web server in front usually runs on the same host. */
    /** IPv4 loopback, half of the default. */
    public static final String LOOPBACK_V4 = "127.0.0.0/8";
    /** IPv6 loopback, the other half. */
    public static final String LOOPBACK_V6 = "::1";
    public static final List<String> DEFAULT = List.of(LOOPBACK_V4, LOOPBACK_V6);

    private final List<String> entries;
    private final List<Block> blocks;

    private AllowedClients(List<String> entries, List<Block> blocks) {
        this.entries = entries;
        this.blocks = blocks;
    }

    /**
     * Parses entries; blank ones are skipped, so an empty list admits no TCP client.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static AllowedClients parse(List<String> entries) {
        List<String> kept = new ArrayList<>();
        List<Block> blocks = new ArrayList<>();
        for (String entry : entries) {
            // A .cfg file gives one string: "127.0.0.0/8, ::1".
            for (String part : (entry == null ? "" : entry).split(",")) {
                String trimmed = part.strip();
                if (!trimmed.isEmpty()) {
                    blocks.add(Block.parse(trimmed));
                    kept.add(trimmed);
                }
            }
        }
        return new AllowedClients(List.copyOf(kept), List.copyOf(blocks));
    }

    /** Whether {@code address} falls in any entry. */
    public boolean allows(InetAddress address) {
        return allows(address.getAddress());
    }

    /**
     * Whether {@code address}, an IP literal such as a request's {@code REMOTE_ADDR}, falls in any
     * entry; null, a host name or anything else that is not a literal is refused, never resolved.
     */
    public boolean allows(String address) {
        byte[] bytes = address == null ? null : NetUtil.createByteArrayFromIpAddressString(address.strip());
        return bytes != null && allows(bytes);
    }

    private boolean allows(byte[] bytes) {
        byte[] unmapped = unmapIpv4(bytes);
        for (Block block : blocks) {
            if (block.contains(bytes) || (unmapped != null && block.contains(unmapped))) {
                return true;
            }
        }
        return false;
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), else null. */
    private static byte[] unmapIpv4(byte[] address) {
        if (address.length != 16) {
            return null;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return null;
            }
        }
        if (address[10] != (byte) 0xFF || address[11] != (byte) 0xFF) {
            return null;
        }
        return new byte[] {address[12], address[13], address[14], address[15]};
    }

    /** The entries as configured. */
    public List<String> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    /** One address block: the first {@code prefixLength} bits of {@code network}. */
    private record Block(byte[] network, int prefixLength) {

        static Block parse(String entry) {
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            byte[] network = NetUtil.createByteArrayFromIpAddressString(address);
            if (network == null) {
                throw new IllegalArgumentException("allowedClients entry '" + entry
                        + "' is not an IP address or CIDR block; expected e.g. 127.0.0.1, 10.0.0.0/8 or ::1");
            }
            int maxPrefix = network.length * 8;
            int prefix = maxPrefix;
            if (slash >= 0) {
                String prefixText = entry.substring(slash + 1);
                if (prefixText.isEmpty() || prefixText.length() > 3 || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("allowedClients entry '" + entry
                            + "' has prefix length '" + prefixText + "'; expected 0 to " + maxPrefix);
                }
                prefix = Integer.parseInt(prefixText);
                if (prefix > maxPrefix) {
                    throw new IllegalArgumentException("allowedClients entry '" + entry
                            + "' has prefix length " + prefix + "; expected 0 to " + maxPrefix);
                }
            }
            return new Block(network, prefix);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int fullBytes = prefixLength / 8;
            for (int i = 0; i < fullBytes; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int remainingBits = prefixLength % 8;
            if (remainingBits == 0) {
                return true;
            }
            int mask = 0xFF << (8 - remainingBits);
            return (address[fullBytes] & mask) == (network[fullBytes] & mask);
        }
    }
}
