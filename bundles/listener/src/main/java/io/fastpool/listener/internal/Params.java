package io.fastpool.listener.internal;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The CGI variables of one request, stored as the bytes that came in PARAMS: one array for all
 * names and values and one of offsets. Nothing becomes a String until someone asks for it.
 * Lookups scan from the last pair, so a repeated name's last value wins.
 */
final class Params {

    private static final int FIELDS = 4;

    private byte[] bytes;
    private int length;
    private int[] offsets = new int[32 * FIELDS];
    private int count;

    Params(int initialBytes) {
        bytes = new byte[Math.max(64, initialBytes)];
    }

    /** Copies one pair out of the decoder's buffer. */
    void add(ByteBuf source, int nameIndex, int nameLength, int valueIndex, int valueLength) {
        int needed = length + nameLength + valueLength;
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
        }
        if (count * FIELDS == offsets.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
        }
        int at = count * FIELDS;
        source.getBytes(nameIndex, bytes, length, nameLength);
        offsets[at] = length;
        offsets[at + 1] = nameLength;
        length += nameLength;
        source.getBytes(valueIndex, bytes, length, valueLength);
        offsets[at + 2] = length;
        offsets[at + 3] = valueLength;
        length += valueLength;
        count++;
    }

    int count() {
        return count;
    }

    String name(int i) {
        return new String(bytes, offsets[i * FIELDS], offsets[i * FIELDS + 1], StandardCharsets.ISO_8859_1);
    }

    String value(int i) {
        return new String(bytes, offsets[i * FIELDS + 2], offsets[i * FIELDS + 3], StandardCharsets.ISO_8859_1);
    }

    /** The index of the last pair named exactly {@code name}, or -1. */
    int find(String name) {
        for (int i = count - 1; i >= 0; i--) {
            if (nameEquals(i, name, 0)) {
                return i;
            }
        }
        return -1;
    }

    /** The last value of {@code name}, or {@code null}. */
    String get(String name) {
        int i = find(name);
        return i < 0 ? null : value(i);
    }

    /** Whether pair {@code i}'s name equals {@code name} from index {@code from} on (ASCII, exact). */
    boolean nameEquals(int i, String name, int from) {
        int offset = offsets[i * FIELDS];
        int nameLength = offsets[i * FIELDS + 1];
        if (nameLength != name.length() - from) {
            return false;
        }
        for (int k = 0; k < nameLength; k++) {
            if ((bytes[offset + k] & 0xFF) != name.charAt(from + k)) {
                return false;
            }
        }
        return true;
    }

    /** Whether pair {@code i}'s name starts with {@code prefix} (ASCII). */
    boolean nameStartsWith(int i, String prefix) {
        int offset = offsets[i * FIELDS];
        if (offsets[i * FIELDS + 1] < prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if ((bytes[offset + k] & 0xFF) != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Bytes held: the figure limited by {@code maxParamsBytes}. */
    int byteCount() {
        return length;
    }
}
