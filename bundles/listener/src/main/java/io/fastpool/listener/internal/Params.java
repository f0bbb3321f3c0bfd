package io.fastpool.listener.internal;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The CGI variables of one request, kept as the PARAMS records' content came: each pair as its two
 * lengths (one byte, or four with the high bit set) then its name and value, the records one after
 * another in one array, each copied in once ({@link #append}), not pair by pair. Nothing becomes a
 * String until someone asks for it.
 *
 * <p>When the stream has ended, one walk ({@link #index}) notes where the
 * variables the listener itself reads for every request are ({@link Variable}): routing and the
 * request's set-up then find them without searching. Any other name is searched for through every
 * pair. A repeated name's last value wins. Readers walk the pairs by position ({@link #first},
 * {@link #next}), so no reader's place is kept here.
 *
 * <p>A connection reuses one {@code Params} for its requests one after another: when a request has
 * ended, {@link #release} starts a new generation, and the connection's next request appends into
 * the same array. The request's readers hold the generation they were made in and ask
 * {@link #isLive} after each read: a read made after the release, or while the next request wrote
 * over the bytes, is refused, never answered with another request's variables (a sequence lock, as
 * {@link java.util.concurrent.locks.StampedLock#validate} reads).
 */
final class Params {

    /** The variables the listener reads for every request (routing, the body, the method), found in {@link #index}. */
    enum Variable {
        REQUEST_URI, QUERY_STRING, DOCUMENT_URI, SCRIPT_NAME, PATH_INFO, HTTP_HOST, SERVER_NAME, SERVER_PORT,
        CONTENT_LENGTH, CONTENT_TYPE, REQUEST_METHOD;

        private final byte[] name = name().getBytes(StandardCharsets.US_ASCII);
    }

    private static final Variable[] VARIABLES = Variable.values();
    /** The variables by the length of their names: the walk compares a name with these only. */
    private static final Variable[][] BY_LENGTH = byLength();

    private byte[] bytes;
    /** Bytes used in {@link #bytes}. */
    private int used;
    /** Where each {@link Variable}'s last pair starts, plus one: 0 when absent. */
    private final int[] known = new int[VARIABLES.length];
    /** Bumped by {@link #release}, on the event loop only; a request's readers compare it with theirs. */
    private volatile int generation;

    Params(int initialBytes) {
        bytes = new byte[Math.max(64, initialBytes)];
    }

    private static Variable[][] byLength() {
        int longest = 0;
        for (Variable variable : VARIABLES) {
            longest = Math.max(longest, variable.name.length);
        }
        Variable[][] byLength = new Variable[longest + 1][0];
        for (Variable variable : VARIABLES) {
            Variable[] same = byLength[variable.name.length];
            same = Arrays.copyOf(same, same.length + 1);
            same[same.length - 1] = variable;
            byLength[variable.name.length] = same;
        }
        return byLength;
    }

    /** Copies one PARAMS record's content, whose pairs the decoder has checked, out of its buffer. */
    void append(ByteBuf source, int index, int length) {
        int needed = used + length;
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
        }
        source.getBytes(index, bytes, used, length);
        used = needed;
    }

    /** Event loop, once the stream has ended whole: notes where each {@link Variable} is. */
    void index() {
        int at = 0;
        while (at < used) {
            int nameLength = lengthAt(at);
            int valueAt = at + sizeAt(at);
            int nameAt = valueAt + sizeAt(valueAt);
            Variable variable = variableAt(nameAt, nameLength);
            if (variable != null) {
                known[variable.ordinal()] = at + 1;
            }
            at = nameAt + nameLength + lengthAt(valueAt);
        }
    }

    private Variable variableAt(int nameAt, int nameLength) {
        if (nameLength >= BY_LENGTH.length) {
            return null;
        }
        for (Variable variable : BY_LENGTH[nameLength]) {
            if (Arrays.equals(bytes, nameAt, nameAt + nameLength, variable.name, 0, nameLength)) {
                return variable;
            }
        }
        return null;
    }

    /** The size of the length at {@code at}: one byte, or four when its high bit is set. */
    private int sizeAt(int at) {
        return bytes[at] < 0 ? 4 : 1;
    }

    private int lengthAt(int at) {
        int first = bytes[at] & 0xFF;
        if (first < 128) {
            return first;
        }
        return ((first & 0x7F) << 24) | ((bytes[at + 1] & 0xFF) << 16) | ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
    }

    private int nameAt(int at) {
        int valueLengthAt = at + sizeAt(at);
        return valueLengthAt + sizeAt(valueLengthAt);
    }

    private int valueLengthAt(int at) {
        return lengthAt(at + sizeAt(at));
    }

    /** Where the first pair starts, or -1 when there is none. */
    int first() {
        return used > 0 ? 0 : -1;
    }

    /** Where the pair after the one at {@code at} starts, or -1 after the last. */
    int next(int at) {
        int next = nameAt(at) + lengthAt(at) + valueLengthAt(at);
        return next < used ? next : -1;
    }

    /** The name of the pair at {@code at}. */
    String name(int at) {
        return new String(bytes, nameAt(at), lengthAt(at), StandardCharsets.ISO_8859_1);
    }

    /** The value of the pair at {@code at}. */
    String value(int at) {
        int valueLength = valueLengthAt(at);
        if (valueLength == 0) {
            return ""; // QUERY_STRING, CONTENT_TYPE and the like are often empty
        }
        return new String(bytes, nameAt(at) + lengthAt(at), valueLength, StandardCharsets.ISO_8859_1);
    }

    /** The last value of {@code name}, or {@code null}. */
    String get(String name) {
        int found = -1;
        for (int at = first(); at >= 0; at = next(at)) {
            if (nameEquals(at, name, 0)) {
                found = at;
            }
        }
        return found < 0 ? null : value(found);
    }

    /** The last value of {@code variable}, or {@code null}. */
    String get(Variable variable) {
        int at = known[variable.ordinal()] - 1;
        return at < 0 ? null : value(at);
    }

    /**
     * The last value of {@code variable}, or {@code null}; {@code likely} itself when the value is
     * the same: a connection's requests mostly carry the same Host, and often the same URI.
     */
    String get(Variable variable, String likely) {
        int at = known[variable.ordinal()] - 1;
        if (at < 0) {
            return null;
        }
        if (likely != null && valueEquals(at, likely)) {
            return likely;
        }
        return value(at);
    }

    /** Whether {@code variable}'s last value is {@code expected}, without making a String. */
    boolean is(Variable variable, String expected) {
        int at = known[variable.ordinal()] - 1;
        return at >= 0 && valueEquals(at, expected);
    }

    private boolean valueEquals(int at, String expected) {
        int valueLength = valueLengthAt(at);
        if (valueLength != expected.length()) {
            return false;
        }
        int start = nameAt(at) + lengthAt(at);
        for (int k = 0; k < valueLength; k++) {
            if ((bytes[start + k] & 0xFF) != expected.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The last value of {@code variable} as a number of up to {@code maxDigits} decimal digits, read
     * from the bytes without making a String; -1 when absent, empty or not such a number.
     */
    long number(Variable variable, int maxDigits) {
        int at = known[variable.ordinal()] - 1;
        if (at < 0) {
            return -1;
        }
        int valueLength = valueLengthAt(at);
        if (valueLength == 0 || valueLength > maxDigits) {
            return -1;
        }
        int start = nameAt(at) + lengthAt(at);
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

    /** Whether the name of the pair at {@code at} equals {@code name} from index {@code from} on (ASCII, exact). */
    boolean nameEquals(int at, String name, int from) {
        int nameLength = lengthAt(at);
        if (nameLength != name.length() - from) {
            return false;
        }
        int start = nameAt(at);
        for (int k = 0; k < nameLength; k++) {
            if ((bytes[start + k] & 0xFF) != name.charAt(from + k)) {
                return false;
            }
        }
        return true;
    }

    /** Bytes of the array in use: what the next request's array is sized by. */
    int storedBytes() {
        return used;
    }

    /** The generation a request made now reads: its reads are good while {@link #isLive} says so. */
    int generation() {
        return generation;
    }

    /**
     * Whether the reads made before this call, by a request of {@code generation}, saw its own
     * variables: no {@link #release} came since. A reader asks after reading, and drops what it read
     * if not.
     */
    boolean isLive(int generation) {
        VarHandle.acquireFence(); // the reads before are done before the generation is read
        return this.generation == generation;
    }

    /**
     * Event loop, when the request has ended: its readers' generation is over, and these bytes may
     * take the connection's next request's variables.
     */
    void release() {
        generation++;
        VarHandle.storeStoreFence(); // the next request's bytes are written after the new generation
        used = 0;
        Arrays.fill(known, 0);
    }

    /** The array's size: a connection keeps only a small one for its next request. */
    int capacity() {
        return bytes.length;
    }
}
