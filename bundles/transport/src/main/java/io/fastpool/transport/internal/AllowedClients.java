package io.fastpool.transport.internal;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The TCP peers the transport accepts ({@code allowedClients}): IP addresses and CIDR blocks such as
 * {@code 127.0.0.0/8} or {@code ::1}. Entries are IP literals only; a host name is refused rather
 * than resolved, because a DNS answer must not decide who may connect. An IPv4 peer that reaches an
 * IPv6 socket arrives as an IPv4 address (the JDK unmaps {@code ::ffff:a.b.c.d}), so IPv4 entries
 * cover it.
 */
public final class AllowedClients {

    /** Loopback only: the web server in front usually runs on the same host. */
    public static final List<String> DEFAULT = List.of("127.0.0.0/8", "::1");

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
            String trimmed = entry == null ? "" : entry.strip();
            if (!trimmed.isEmpty()) {
                blocks.add(Block.parse(trimmed));
                kept.add(trimmed);
            }
        }
        return new AllowedClients(List.copyOf(kept), List.copyOf(blocks));
    }

    /** Whether {@code address} falls in any entry. */
    public boolean allows(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
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
