package io.fastpool.fcgi;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Writes FastCGI records into a buffer; the generating half of the codec, stateless.
 *
 * <p>Streams are cut into records of at most {@link Fcgi#MAX_CONTENT_LENGTH} bytes, each padded
 * to a multiple of 8 as the specification recommends. Names and values are strings of ISO-8859-1
 * characters, one byte each, so every byte value round-trips; a character above U+00FF is refused.
 */
public final class FcgiEncoder {

    private FcgiEncoder() {
    }

    /** Writes one record header. */
    public static void writeHeader(ByteBuf out, int type, int requestId, int contentLength, int paddingLength) {
        checkRange("request id", requestId, 0, Fcgi.MAX_REQUEST_ID);
        checkRange("content length", contentLength, 0, Fcgi.MAX_CONTENT_LENGTH);
        checkRange("padding length", paddingLength, 0, Fcgi.MAX_PADDING_LENGTH);
        checkRange("record type", type, 0, 0xFF);
        out.writeLong(((long) Fcgi.VERSION_1 << 56) | ((long) type << 48) | ((long) requestId << 32)
                | ((long) contentLength << 16) | ((long) paddingLength << 8));
    }

    /**
     * Writes one record with exactly this content and padding (zero bytes); for peers and tests
     * that need a particular record split. {@code content}'s reader index does not move.
     */
    public static void writeRecord(ByteBuf out, int type, int requestId, ByteBuf content, int paddingLength) {
        int length = content.readableBytes();
        writeHeader(out, type, requestId, length, paddingLength);
        out.writeBytes(content, content.readerIndex(), length);
        out.writeZero(paddingLength);
    }

    /** Writes a BEGIN_REQUEST. */
    public static void writeBeginRequest(ByteBuf out, int requestId, FcgiRole role, boolean keepConnection) {
        checkApplicationId(requestId);
        writeHeader(out, FcgiRecordType.BEGIN_REQUEST.code(), requestId, Fcgi.FIXED_BODY_LENGTH, 0);
        out.writeShort(role.code());
        out.writeByte(keepConnection ? Fcgi.KEEP_CONN : 0);
        out.writeZero(5);
    }

    /** Writes an ABORT_REQUEST. */
    public static void writeAbortRequest(ByteBuf out, int requestId) {
        checkApplicationId(requestId);
        writeHeader(out, FcgiRecordType.ABORT_REQUEST.code(), requestId, 0, 0);
    }

    /** Writes an END_REQUEST. */
    public static void writeEndRequest(ByteBuf out, int requestId, int appStatus, FcgiProtocolStatus status) {
        checkApplicationId(requestId);
        writeHeader(out, FcgiRecordType.END_REQUEST.code(), requestId, Fcgi.FIXED_BODY_LENGTH, 0);
        out.writeInt(appStatus);
        out.writeByte(status.code());
        out.writeZero(3);
    }

    /**
     * Writes {@code params} as PARAMS records (more than one when they exceed 65535 bytes, a pair
     * then spanning two records), without the empty record that ends the stream: write that with
     * {@link #writeStreamEnd}. Repeated names are written as given.
     */
    public static void writeParams(ByteBuf out, int requestId,
            Iterable<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> params) {
        checkApplicationId(requestId);
        long total = 0;
        for (Map.Entry<? extends CharSequence, ? extends CharSequence> pair : params) {
            total += pairLength(pair.getKey(), pair.getValue());
        }
        if (total == 0) {
            return;
        }
        if (total <= Fcgi.MAX_CONTENT_LENGTH) {
            int length = (int) total;
            writeHeader(out, FcgiRecordType.PARAMS.code(), requestId, length, Fcgi.paddingFor(length));
            for (Map.Entry<? extends CharSequence, ? extends CharSequence> pair : params) {
                writePair(out, pair.getKey(), pair.getValue());
            }
            out.writeZero(Fcgi.paddingFor(length));
            return;
        }
        // Rare: a stream of several records. Lay the pairs out, then cut them into records.
        ByteBuf content = out.alloc().heapBuffer((int) Math.min(total, Integer.MAX_VALUE - 16L));
        try {
            for (Map.Entry<? extends CharSequence, ? extends CharSequence> pair : params) {
                writePair(content, pair.getKey(), pair.getValue());
            }
            writeStream(out, FcgiRecordType.PARAMS, requestId, content);
        } finally {
            content.release();
        }
    }

    /** Writes one name-value pair, lengths then bytes, with no record around it. */
    public static void writePair(ByteBuf out, CharSequence name, CharSequence value) {
        writeLength(out, name.length());
        writeLength(out, value.length());
        writeLatin1(out, name);
        writeLatin1(out, value);
    }

    /** Bytes one pair takes on the wire. */
    public static long pairLength(CharSequence name, CharSequence value) {
        return lengthSize(name.length()) + lengthSize(value.length()) + (long) name.length() + value.length();
    }

    /** 1 for lengths up to 127, else 4. */
    public static int lengthSize(int length) {
        return length <= Fcgi.MAX_SHORT_LENGTH ? 1 : 4;
    }

    /** Writes a pair length: 1 byte up to 127, 4 bytes with the top bit set from 128. */
    public static void writeLength(ByteBuf out, int length) {
        checkRange("name or value length", length, 0, Fcgi.MAX_NAME_VALUE_LENGTH);
        if (length <= Fcgi.MAX_SHORT_LENGTH) {
            out.writeByte(length);
        } else {
            out.writeInt(length | 0x8000_0000);
        }
    }

    /**
     * Writes {@code content}'s readable bytes as records of a STDIN, STDOUT, STDERR, DATA or PARAMS
     * stream, without the empty record that ends it. An empty content writes nothing (an empty
     * record would end the stream). {@code content}'s reader index does not move.
     */
    public static void writeStream(ByteBuf out, FcgiRecordType stream, int requestId, ByteBuf content) {
        checkStream(stream);
        checkApplicationId(requestId);
        int index = content.readerIndex();
        int end = content.writerIndex();
        while (index < end) {
            int length = Math.min(end - index, Fcgi.MAX_CONTENT_LENGTH);
            int padding = Fcgi.paddingFor(length);
            writeHeader(out, stream.code(), requestId, length, padding);
            out.writeBytes(content, index, length);
            out.writeZero(padding);
            index += length;
        }
    }

    /** Writes the empty record that ends a stream. */
    public static void writeStreamEnd(ByteBuf out, FcgiRecordType stream, int requestId) {
        checkStream(stream);
        checkApplicationId(requestId);
        writeHeader(out, stream.code(), requestId, 0, 0);
    }

    /** Writes a GET_VALUES asking for these variables (names with empty values). */
    public static void writeGetValues(ByteBuf out, Collection<String> names) {
        int length = 0;
        for (String name : names) {
            length = addManagementLength(length, pairLength(name, ""));
        }
        writeHeader(out, FcgiRecordType.GET_VALUES.code(), Fcgi.NULL_REQUEST_ID, length, Fcgi.paddingFor(length));
        for (String name : names) {
            writePair(out, name, "");
        }
        out.writeZero(Fcgi.paddingFor(length));
    }

    /** Writes a GET_VALUES_RESULT. */
    public static void writeGetValuesResult(ByteBuf out, Map<String, String> values) {
        int length = 0;
        for (Map.Entry<String, String> pair : values.entrySet()) {
            length = addManagementLength(length, pairLength(pair.getKey(), pair.getValue()));
        }
        writeHeader(out, FcgiRecordType.GET_VALUES_RESULT.code(), Fcgi.NULL_REQUEST_ID, length,
                Fcgi.paddingFor(length));
        for (Map.Entry<String, String> pair : values.entrySet()) {
            writePair(out, pair.getKey(), pair.getValue());
        }
        out.writeZero(Fcgi.paddingFor(length));
    }

    /** Writes an UNKNOWN_TYPE answering a record of {@code type} this side does not understand. */
    public static void writeUnknownType(ByteBuf out, int type) {
        checkRange("record type", type, 0, 0xFF);
        writeHeader(out, FcgiRecordType.UNKNOWN_TYPE.code(), Fcgi.NULL_REQUEST_ID, Fcgi.FIXED_BODY_LENGTH, 0);
        out.writeByte(type);
        out.writeZero(7);
    }

    private static int addManagementLength(int length, long pairLength) {
        long sum = length + pairLength;
        if (sum > Fcgi.MAX_CONTENT_LENGTH) {
            throw new IllegalArgumentException("management record content would be " + sum
                    + " bytes; one record holds at most " + Fcgi.MAX_CONTENT_LENGTH);
        }
        return (int) sum;
    }

    private static void writeLatin1(ByteBuf out, CharSequence text) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            if (text.charAt(i) > 0xFF) {
                throw new IllegalArgumentException("FastCGI names and values are bytes: character U+"
                        + Integer.toHexString(text.charAt(i)).toUpperCase(Locale.ROOT) + " at index " + i
                        + " is not ISO-8859-1; percent-encode or transcode it first");
            }
        }
        out.writeCharSequence(text, StandardCharsets.ISO_8859_1);
    }

    private static void checkApplicationId(int requestId) {
        checkRange("application record request id", requestId, 1, Fcgi.MAX_REQUEST_ID);
    }

    private static void checkStream(FcgiRecordType type) {
        if (!type.isStream()) {
            throw new IllegalArgumentException(type + " is not a stream record type");
        }
    }

    private static void checkRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
