package io.fastpool.listener.internal;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The CGI variables of one request, stored as the bytes that came in PARAMS, each pair as its two
 * lengths (one byte below 128, else four, as FastCGI writes them) then its name and value, all in
 * one array: no second array of offsets. Nothing becomes a String until someone asks for it.
 * Lookups find the last pair of a name, so a repeated name's last value wins; walking the pairs in
 * order (as header lookups do) costs one step per pair, kept in a cursor.
 */
final class Params {

    private byte[] bytes;
    /** Bytes used in {@link #bytes}, length prefixes included. */
    private int used;
    /** Bytes of names and values alone: the figure limited by {@code maxParamsBytes}. */
    private int length;
    private int count;
    /** The last pair found by index and where it starts, packed: index in the high half, position in the low. */
    private volatile long cursor;

    Params(int initialBytes) {
        bytes = new byte[Math.max(64, initialBytes)];
    }

    /** Copies one pair out of the decoder's buffer. */
    void add(ByteBuf source, int nameIndex, int nameLength, int valueIndex, int valueLength) {
        int needed = used + prefixLength(nameLength) + prefixLength(valueLength) + nameLength + valueLength;
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
        }
        used = writeLength(used, nameLength);
        used = writeLength(used, valueLength);
        source.getBytes(nameIndex, bytes, used, nameLength);
        used += nameLength;
        source.getBytes(valueIndex, bytes, used, valueLength);
        used += valueLength;
        length += nameLength + valueLength;
        count++;
    }

    private static int prefixLength(int length) {
        return length < 128 ? 1 : 4;
    }

    private int writeLength(int at, int value) {
        if (value < 128) {
            bytes[at] = (byte) value;
            return at + 1;
        }
        bytes[at] = (byte) ((value >>> 24) | 0x80);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
        return at + 4;
    }

    private int lengthAt(int at) {
        int first = bytes[at] & 0xFF;
        if (first < 128) {
            return first;
        }
        return ((first & 0x7F) << 24) | ((bytes[at + 1] & 0xFF) << 16) | ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
    }

    /** Where pair {@code i} starts (its first length byte). */
    private int position(int i) {
        long last = cursor;
        int index = (int) (last >>> 32);
        int at = (int) last;
        if (i < index) {
            index = 0;
            at = 0;
        }
        while (index < i) {
            at = next(at);
            index++;
        }
        cursor = ((long) index << 32) | at;
        return at;
    }

    /** Where the pair after the one at {@code at} starts. */
    private int next(int at) {
        int nameLength = lengthAt(at);
        at += prefixLength(nameLength);
        int valueLength = lengthAt(at);
        return at + prefixLength(valueLength) + nameLength + valueLength;
    }

    int count() {
        return count;
    }

    String name(int i) {
        int at = position(i);
        int nameLength = lengthAt(at);
        int valueLength = lengthAt(at + prefixLength(nameLength));
        int start = at + prefixLength(nameLength) + prefixLength(valueLength);
        return new String(bytes, start, nameLength, StandardCharsets.ISO_8859_1);
    }

    String value(int i) {
        return valueAt(position(i));
    }

    private String valueAt(int at) {
        int nameLength = lengthAt(at);
        int valueLength = lengthAt(at + prefixLength(nameLength));
        if (valueLength == 0) {
            return ""; // QUERY_STRING, CONTENT_TYPE and the like are often empty
        }
        int start = at + prefixLength(nameLength) + prefixLength(valueLength) + nameLength;
        return new String(bytes, start, valueLength, StandardCharsets.ISO_8859_1);
    }

    /** The index of the last pair named exactly {@code name}, or -1. */
    int find(String name) {
        return last(name, true);
    }

    /** Where the last pair named exactly {@code name} starts, or -1. */
    private int findPosition(String name) {
        return last(name, false);
    }

    /** The last pair named exactly {@code name}: its index, or where it starts; -1 if there is none. */
    private int last(String name, boolean index) {
        int found = -1;
        int at = 0;
        for (int i = 0; i < count; i++) {
            if (nameEqualsAt(at, name, 0)) {
                found = index ? i : at;
            }
            at = next(at);
        }
        return found;
    }

    /** The last value of {@code name}, or {@code null}. */
    String get(String name) {
        int at = findPosition(name);
        return at < 0 ? null : valueAt(at);
    }

    /**
     * The last value of {@code name} as a number of up to {@code maxDigits} decimal digits, read from
     * the bytes without making a String; -1 when absent, empty or not such a number.
     */
    long number(String name, int maxDigits) {
        int at = findPosition(name);
        if (at < 0) {
            return -1;
        }
        int nameLength = lengthAt(at);
        int valueLength = lengthAt(at + prefixLength(nameLength));
        int start = at + prefixLength(nameLength) + prefixLength(valueLength) + nameLength;
        if (valueLength == 0 || valueLength > maxDigits) {
            return -1;
        }
        long value = 0;
        for (int k = 0; k < valueLength; k++) {
            int c = bytes[start + k];
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Whether pair {@code i}'s name equals {@code name} from index {@code from} on (ASCII, exact). */
    boolean nameEquals(int i, String name, int from) {
        return nameEqualsAt(position(i), name, from);
    }

    private boolean nameEqualsAt(int at, String name, int from) {
        int nameLength = lengthAt(at);
        if (nameLength != name.length() - from) {
            return false;
        }
        int start = at + prefixLength(nameLength) + prefixLength(lengthAt(at + prefixLength(nameLength)));
        for (int k = 0; k < nameLength; k++) {
            if ((bytes[start + k] & 0xFF) != name.charAt(from + k)) {
                return false;
            }
        }
        return true;
    }

    /** Whether pair {@code i}'s name starts with {@code prefix} (ASCII). */
    boolean nameStartsWith(int i, String prefix) {
        int at = position(i);
        int nameLength = lengthAt(at);
        if (nameLength < prefix.length()) {
            return false;
        }
        int start = at + prefixLength(nameLength) + prefixLength(lengthAt(at + prefixLength(nameLength)));
        for (int k = 0; k < prefix.length(); k++) {
            if ((bytes[start + k] & 0xFF) != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Bytes of names and values held: the figure limited by {@code maxParamsBytes}. */
    int byteCount() {
        return length;
    }

    /** Bytes of the array in use, length prefixes included: what the next request's array is sized by. */
    int storedBytes() {
        return used;
    }
}
