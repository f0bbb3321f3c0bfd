package io.fastpool.status.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The clients the status page answers ({@code allowedClients}): IP addresses and CIDR blocks such
 * as {@code 127.0.0.0/8}, {@code 10.0.0.0/8} or {@code ::1}, matched against the request's
 * {@code REMOTE_ADDR}. Entries and addresses are IP literals only and are parsed here, never
 * resolved: a DNS answer must not decide who sees the server's figures. An IPv4 address written as
 * IPv6 ({@code ::ffff:127.0.0.1}) matches IPv4 entries.
 */
final class AllowedClients {

    /** Loopback only: the web server in front usually runs on the same host. */
    static final List<String> DEFAULT = List.of("127.0.0.0/8", "::1");

    private final List<String> entries;
    private final List<Block> blocks;

    private AllowedClients(List<String> entries, List<Block> blocks) {
        this.entries = entries;
        this.blocks = blocks;
    }

    /**
     * Parses entries; blank ones are skipped, so an empty list allows nobody.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    static AllowedClients parse(List<String> entries) {
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

    /** Whether {@code address} (an IP literal, as in {@code REMOTE_ADDR}) falls in an entry; anything else is refused. */
    boolean allows(String address) {
        byte[] bytes = address == null ? null : IpLiteral.parse(address.strip());
        if (bytes == null) {
            return false;
        }
        byte[] unmapped = IpLiteral.unmapIpv4(bytes);
        for (Block block : blocks) {
            if (block.contains(bytes) || (unmapped != null && block.contains(unmapped))) {
                return true;
            }
        }
        return false;
    }

    /** The entries as configured. */
    List<String> entries() {
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
            byte[] network = IpLiteral.parse(address);
            if (network == null) {
                throw new IllegalArgumentException("allowedClients entry '" + entry
                        + "' is not an IP address or CIDR block; expected e.g. 127.0.0.1, 10.0.0.0/8 or ::1");
            }
            int maxPrefix = network.length * 8;
            int prefix = maxPrefix;
            if (slash >= 0) {
                String text = entry.substring(slash + 1);
                if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                        || Integer.parseInt(text) > maxPrefix) {
                    throw new IllegalArgumentException("allowedClients entry '" + entry + "' has prefix length '" + text
                            + "'; expected 0 to " + maxPrefix);
                }
                prefix = Integer.parseInt(text);
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

    /** Parses IPv4 and IPv6 literals into their bytes, without ever resolving a name. */
    static final class IpLiteral {

        private IpLiteral() {
        }

        /** The 4 or 16 bytes of an IP literal, or {@code null} if {@code text} is not one. */
        static byte[] parse(String text) {
            String value = text;
            if (value.startsWith("[") && value.endsWith("]")) {
                value = value.substring(1, value.length() - 1);
            }
            if (value.indexOf(':') >= 0) {
                int zone = value.indexOf('%');
                return parseIpv6(zone >= 0 ? value.substring(0, zone) : value);
            }
            return parseIpv4(value);
        }

        /** The IPv4 bytes of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), else {@code null}. */
        static byte[] unmapIpv4(byte[] address) {
            if (address.length != 16) {
                return null;
            }
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return null;
                }
            }
            if ((address[10] & 0xFF) != 0xFF || (address[11] & 0xFF) != 0xFF) {
                return null;
            }
            return new byte[] {address[12], address[13], address[14], address[15]};
        }

        static byte[] parseIpv4(String text) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                String part = parts[i];
                if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return null;
                }
                int value = Integer.parseInt(part);
                if (value > 255) {
                    return null;
                }
                bytes[i] = (byte) value;
            }
            return bytes;
        }

        static byte[] parseIpv6(String text) {
            int compression = text.indexOf("::");
            if (compression >= 0 && text.indexOf("::", compression + 1) >= 0) {
                return null;
            }
            List<Integer> head = new ArrayList<>();
            List<Integer> tail = new ArrayList<>();
            if (compression < 0) {
                if (!groups(text, head)) {
                    return null;
                }
                if (head.size() != 8) {
                    return null;
                }
            } else {
                String before = text.substring(0, compression);
                String after = text.substring(compression + 2);
                if ((!before.isEmpty() && !groups(before, head)) || (!after.isEmpty() && !groups(after, tail))) {
                    return null;
                }
                if (head.size() + tail.size() > 7) {
                    return null;
                }
            }
            byte[] bytes = new byte[16];
            for (int i = 0; i < head.size(); i++) {
                bytes[2 * i] = (byte) (head.get(i) >> 8);
                bytes[2 * i + 1] = (byte) (int) head.get(i);
            }
            int start = 8 - tail.size();
            for (int i = 0; i < tail.size(); i++) {
                bytes[2 * (start + i)] = (byte) (tail.get(i) >> 8);
                bytes[2 * (start + i) + 1] = (byte) (int) tail.get(i);
            }
            return bytes;
        }

        /** Adds the 16-bit groups of {@code text} (colon-separated; the last may be dotted IPv4); false if malformed. */
        private static boolean groups(String text, List<Integer> out) {
            String[] parts = text.split(":", -1);
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (i == parts.length - 1 && part.indexOf('.') >= 0) {
                    byte[] ipv4 = parseIpv4(part);
                    if (ipv4 == null) {
                        return false;
                    }
                    out.add(((ipv4[0] & 0xFF) << 8) | (ipv4[1] & 0xFF));
                    out.add(((ipv4[2] & 0xFF) << 8) | (ipv4[3] & 0xFF));
                    continue;
                }
                if (part.isEmpty() || part.length() > 4) {
                    return false;
                }
                int value = 0;
                for (int c = 0; c < part.length(); c++) {
                    int digit = hexDigit(part.charAt(c));
                    if (digit < 0) {
                        return false;
                    }
                    value = (value << 4) | digit;
                }
                out.add(value);
            }
            return true;
        }

        /** An ASCII hex digit's value, or -1 (Character.digit would take other scripts' digits too). */
        private static int hexDigit(char c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            return -1;
        }
    }
}
