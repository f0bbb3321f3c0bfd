package io.fastpool.fcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.collection.IntObjectHashMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes FastCGI records, one connection per instance; not thread-safe. Two entry points lead to
 * the same header check and the same events:
 *
 * <ul>
 * <li>{@link #decodeRecord(ByteBuf)} takes one whole record, as a framer cut it (the transport's
 * does, with {@link Fcgi#recordLength}): what the server uses.
 * <li>{@link #decode(ByteBuf)} takes everything received so far that was not yet consumed (a
 * cumulation buffer, as netty's {@code ByteToMessageDecoder} keeps): it consumes every complete
 * record and leaves a partial one in the buffer, checking a header as soon as its 8 bytes are
 * there. It serves the clients that read a socket without a framer (the load generator, the
 * launcher's request command, the platform tests' raw client), and the fuzz tests, which show that
 * whatever the split of the input, the listener sees the same calls.
 * </ul>
 *
 * A record is dispatched only once its content and padding have arrived, so its content is handed
 * on as a slice of the input, never copied, and nothing is ever allocated from a length before its
 * bytes arrive.
 *
 * <p>PARAMS pairs are decoded straight from the record; the rare pair split between two records is
 * gathered in a per-request buffer that grows only as its bytes arrive and is bounded by
 * {@link FcgiLimits#maxParamsBytes()}. Requests on one connection may interleave (multiplexing):
 * each has its own PARAMS state.
 *
 * <p>Errors that break the framing or a management record are thrown as a
 * {@link FcgiProtocolException}; the decoder is then failed and the connection must be closed.
 * Errors confined to one request go to {@link FcgiRecordListener#onRequestError} and decoding goes
 * on.
 */
public final class FcgiDecoder {

    private final FcgiLimits limits;
    private final FcgiRecordListener listener;
    private final IntObjectHashMap<ParamsStream> paramsStreams = new IntObjectHashMap<>(4);
    /** One stream state kept for reuse: most connections carry one request at a time. */
    private ParamsStream spare;
    private FcgiProtocolException failure;

    public FcgiDecoder(FcgiLimits limits, FcgiRecordListener listener) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The limits this decoder enforces. */
    public FcgiLimits limits() {
        return limits;
    }

    /**
     * Decodes {@code record}, exactly one whole record, and advances its reader index past it.
     *
     * @throws FcgiProtocolException for a record that breaks the connection's framing; the decoder
     *     is failed from then on
     * @throws IllegalArgumentException if {@code record} is not one whole record (a framer's bug)
     * @throws IllegalStateException when called after it failed
     */
    public void decodeRecord(ByteBuf record) {
        checkNotFailed();
        int start = record.readerIndex();
        if (record.readableBytes() < Fcgi.HEADER_LENGTH
                || record.readableBytes() != Fcgi.recordLength(record, start)) {
            throw new IllegalArgumentException("not one whole FastCGI record: " + record.readableBytes() + " bytes");
        }
        try {
            decodeAt(record, start, checkHeader(record, start));
        } catch (FcgiProtocolException e) {
            throw fail(e);
        }
    }

    /**
     * Consumes every complete record in {@code in}, advancing its reader index past them; a
     * trailing partial record stays unread for the next call, its header already checked.
     *
     * @throws FcgiProtocolException for input that breaks the connection's framing; the decoder is
     *     failed from then on
     * @throws IllegalStateException when called after it failed
     */
    public void decode(ByteBuf in) {
        checkNotFailed();
        try {
            while (in.readableBytes() >= Fcgi.HEADER_LENGTH) {
                int start = in.readerIndex();
                FcgiRecordType type = checkHeader(in, start);
                if (in.readableBytes() < Fcgi.recordLength(in, start)) {
                    return;
                }
                decodeAt(in, start, type);
            }
        } catch (FcgiProtocolException e) {
            throw fail(e);
        }
    }

    /** Dispatches the whole record at {@code start}, its header checked, and moves the reader index past it. */
    private void decodeAt(ByteBuf in, int start, FcgiRecordType type) {
        int typeCode = in.getUnsignedByte(start + 1);
        int requestId = in.getUnsignedShort(start + 2);
        int contentLength = in.getUnsignedShort(start + 4);
        in.readerIndex(start + Fcgi.recordLength(in, start));
        dispatch(type, typeCode, requestId, in, start + Fcgi.HEADER_LENGTH, contentLength);
    }

    private void checkNotFailed() {
        if (failure != null) {
            throw new IllegalStateException("decoder failed earlier (" + failure.getMessage() + "); close the connection");
        }
    }

    private FcgiProtocolException fail(FcgiProtocolException e) {
        failure = e;
        paramsStreams.clear();
        return e;
    }

    /** Whether a thrown protocol error has failed this decoder. */
    public boolean isFailed() {
        return failure != null;
    }

    /** Number of requests whose PARAMS stream has begun and not yet ended. */
    public int openParamsStreams() {
        return paramsStreams.size();
    }

    /** Forgets all per-request state; the connection is closing. */
    public void close() {
        paramsStreams.clear();
        spare = null;
    }

    /**
     * Checks the header at {@code start}: the version, a request id that fits the type, and the
     * fixed length of BEGIN_REQUEST, END_REQUEST and UNKNOWN_TYPE. Returns the type, or null for
     * a type this side does not know.
     */
    private static FcgiRecordType checkHeader(ByteBuf in, int start) {
        int version = in.getUnsignedByte(start);
        int typeCode = in.getUnsignedByte(start + 1);
        int requestId = in.getUnsignedShort(start + 2);
        int contentLength = in.getUnsignedShort(start + 4);
        if (version != Fcgi.VERSION_1) {
            throw new UnsupportedVersionException(version);
        }
        FcgiRecordType type = FcgiRecordType.of(typeCode);
        if (type == null) {
            return null;
        }
        if (type.isManagement() != (requestId == Fcgi.NULL_REQUEST_ID)) {
            throw new InvalidRequestIdException(type, requestId);
        }
        if ((type == FcgiRecordType.BEGIN_REQUEST || type == FcgiRecordType.END_REQUEST
                || type == FcgiRecordType.UNKNOWN_TYPE) && contentLength != Fcgi.FIXED_BODY_LENGTH) {
            throw InvalidRecordBodyException.wrongLength(type, requestId, contentLength);
        }
        return type;
    }

    private void dispatch(FcgiRecordType type, int typeCode, int requestId, ByteBuf in, int index, int length) {
        if (type == null) {
            listener.onUnrecognizedRecord(typeCode, requestId);
            return;
        }
        switch (type) {
            case PARAMS:
                onParamsRecord(requestId, in, index, length);
                break;
            case STDIN:
            case STDOUT:
            case STDERR:
            case DATA:
                if (length == 0) {
                    listener.onStreamEnd(type, requestId);
                } else {
                    listener.onStreamData(type, requestId, in.slice(index, length));
                }
                break;
            case BEGIN_REQUEST:
                onBeginRequest(requestId, in, index);
                break;
            case ABORT_REQUEST:
                dropParamsStream(requestId);
                listener.onAbortRequest(requestId);
                break;
            case END_REQUEST:
                onEndRequest(requestId, in, index);
                break;
            case GET_VALUES:
                listener.onGetValues(new ArrayList<>(decodeManagementPairs(type, in, index, length).keySet()));
                break;
            case GET_VALUES_RESULT:
                listener.onGetValuesResult(decodeManagementPairs(type, in, index, length));
                break;
            case UNKNOWN_TYPE:
                listener.onUnknownType(in.getUnsignedByte(index));
                break;
            default:
                throw new AssertionError(type);
        }
    }

    private void onBeginRequest(int requestId, ByteBuf in, int index) {
        dropParamsStream(requestId);
        int roleCode = in.getUnsignedShort(index);
        int flags = in.getUnsignedByte(index + 2);
        FcgiRole role = FcgiRole.of(roleCode);
        if (role == null) {
            listener.onRequestError(requestId, new UnknownRoleException(requestId, roleCode));
        } else {
            listener.onBeginRequest(requestId, role, (flags & Fcgi.KEEP_CONN) != 0);
        }
    }

    private void onEndRequest(int requestId, ByteBuf in, int index) {
        int appStatus = in.getInt(index);
        int statusCode = in.getUnsignedByte(index + 4);
        FcgiProtocolStatus status = FcgiProtocolStatus.of(statusCode);
        if (status == null) {
            throw new InvalidRecordBodyException(requestId, "END_REQUEST for request id " + requestId
                    + " has protocol status " + statusCode + ", which is not 0..3");
        }
        listener.onEndRequest(requestId, appStatus, status);
    }

    // ---- PARAMS ----------------------------------------------------------------------------

    private void onParamsRecord(int requestId, ByteBuf in, int index, int length) {
        if (length == 0) {
            ParamsStream stream = paramsStreams.remove(requestId);
            if (stream == null) {
                listener.onParamsEnd(requestId);
                return;
            }
            boolean rejected = stream.rejected;
            int dangling = stream.partialLength;
            long needed = stream.partialNeeded;
            recycle(stream);
            if (rejected) {
                return;
            }
            if (dangling > 0) {
                listener.onRequestError(requestId, new MalformedNameValuePairException(requestId,
                        "a name-value pair runs past the end of the PARAMS stream of request id " + requestId + ": "
                                + (needed > 0 ? "it needs " + needed + " bytes, " : "its lengths are incomplete, ")
                                + "the stream ended after " + dangling + " of them"));
                return;
            }
            listener.onParamsEnd(requestId);
            return;
        }
        ParamsStream stream = paramsStreams.get(requestId);
        if (stream == null) {
            if (paramsStreams.size() >= limits.maxOpenParamsStreams()) {
                throw new LimitExceededException(0, "maxOpenParamsStreams", limits.maxOpenParamsStreams(),
                        paramsStreams.size() + 1L, "requests with an unfinished PARAMS stream on one connection");
            }
            stream = newStream();
            paramsStreams.put(requestId, stream);
        }
        if (stream.rejected) {
            return;
        }
        stream.totalBytes += length;
        try {
            if (stream.totalBytes > limits.maxParamsBytes()) {
                throw new LimitExceededException(requestId, "maxParamsBytes", limits.maxParamsBytes(),
                        stream.totalBytes, "PARAMS bytes of one request");
            }
            parsePairs(stream, requestId, in, index, index + length);
        } catch (LimitExceededException | MalformedNameValuePairException e) {
            stream.reject();
            listener.onRequestError(requestId, e);
        }
    }

    private ParamsStream newStream() {
        ParamsStream stream = spare;
        if (stream != null) {
            spare = null;
            return stream;
        }
        return new ParamsStream();
    }

    private void recycle(ParamsStream stream) {
        stream.reset();
        spare = stream;
    }

    private void dropParamsStream(int requestId) {
        ParamsStream stream = paramsStreams.remove(requestId);
        if (stream != null) {
            recycle(stream);
        }
    }

    /** Decodes the pairs in {@code [index, end)}, completing a pair left over by the previous record first. */
    private void parsePairs(ParamsStream stream, int requestId, ByteBuf in, int index, int end) {
        if (stream.partialLength > 0) {
            index = continuePartial(stream, requestId, in, index, end);
            if (stream.partialLength > 0) {
                return;
            }
        }
        while (index < end) {
            int available = end - index;
            int nameLengthSize = lengthSize(in.getUnsignedByte(index));
            if (available <= nameLengthSize) {
                stream.keep(in, index, available, -1);
                return;
            }
            int valueLengthSize = lengthSize(in.getUnsignedByte(index + nameLengthSize));
            int headerSize = nameLengthSize + valueLengthSize;
            if (available < headerSize) {
                stream.keep(in, index, available, -1);
                return;
            }
            int nameLength = readLength(in, index, nameLengthSize);
            int valueLength = readLength(in, index + nameLengthSize, valueLengthSize);
            checkPair(stream, requestId, headerSize, nameLength, valueLength);
            long pairLength = (long) headerSize + nameLength + valueLength;
            if (pairLength > available) {
                stream.keep(in, index, available, pairLength);
                return;
            }
            int nameIndex = index + headerSize;
            listener.onParam(requestId, in, nameIndex, nameLength, nameIndex + nameLength, valueLength);
            index += (int) pairLength;
        }
    }

    /** Feeds bytes to the pair left incomplete by the previous record; returns where it stopped reading. */
    private int continuePartial(ParamsStream stream, int requestId, ByteBuf in, int index, int end) {
        // First complete the two lengths, a byte at a time: at most 8 bytes.
        while (stream.partialNeeded < 0 && index < end) {
            stream.append(in, index, 1);
            index++;
            byte[] bytes = stream.partial;
            int have = stream.partialLength;
            int nameLengthSize = lengthSize(bytes[0] & 0xFF);
            if (have <= nameLengthSize) {
                continue;
            }
            int valueLengthSize = lengthSize(bytes[nameLengthSize] & 0xFF);
            if (have < nameLengthSize + valueLengthSize) {
                continue;
            }
            int nameLength = readLength(bytes, 0, nameLengthSize);
            int valueLength = readLength(bytes, nameLengthSize, valueLengthSize);
            checkPair(stream, requestId, nameLengthSize + valueLengthSize, nameLength, valueLength);
            stream.partialNeeded = (long) nameLengthSize + valueLengthSize + nameLength + valueLength;
        }
        if (stream.partialNeeded < 0) {
            return index;
        }
        int take = (int) Math.min(stream.partialNeeded - stream.partialLength, end - index);
        stream.append(in, index, take);
        index += take;
        if (stream.partialLength == stream.partialNeeded) {
            byte[] bytes = stream.partial;
            int nameLengthSize = lengthSize(bytes[0] & 0xFF);
            int valueLengthSize = lengthSize(bytes[nameLengthSize] & 0xFF);
            int nameLength = readLength(bytes, 0, nameLengthSize);
            int valueLength = readLength(bytes, nameLengthSize, valueLengthSize);
            int nameIndex = nameLengthSize + valueLengthSize;
            ByteBuf whole = Unpooled.wrappedBuffer(bytes, 0, stream.partialLength);
            stream.partialLength = 0;
            stream.partialNeeded = -1;
            listener.onParam(requestId, whole, nameIndex, nameLength, nameIndex + nameLength, valueLength);
        }
        return index;
    }

    private void checkPair(ParamsStream stream, int requestId, int headerSize, int nameLength, int valueLength) {
        if (nameLength > limits.maxNameLength()) {
            throw new LimitExceededException(requestId, "maxNameLength", limits.maxNameLength(), nameLength,
                    "length of a PARAMS name");
        }
        if (valueLength > limits.maxValueLength()) {
            throw new LimitExceededException(requestId, "maxValueLength", limits.maxValueLength(), valueLength,
                    "length of a PARAMS value");
        }
        if (++stream.pairCount > limits.maxParamCount()) {
            throw new LimitExceededException(requestId, "maxParamCount", limits.maxParamCount(), stream.pairCount,
                    "number of PARAMS pairs");
        }
        long pairLength = (long) headerSize + nameLength + valueLength;
        if (pairLength > limits.maxParamsBytes()) {
            throw new LimitExceededException(requestId, "maxParamsBytes", limits.maxParamsBytes(), pairLength,
                    "bytes one PARAMS pair claims");
        }
    }

    // ---- GET_VALUES and GET_VALUES_RESULT ----------------------------------------------------

    /** A management record's pairs must lie wholly inside it; any error here is the connection's. */
    private Map<String, String> decodeManagementPairs(FcgiRecordType type, ByteBuf in, int index, int length) {
        Map<String, String> pairs = new LinkedHashMap<>();
        int end = index + length;
        while (index < end) {
            int available = end - index;
            int nameLengthSize = lengthSize(in.getUnsignedByte(index));
            int valueLengthSize = available > nameLengthSize ? lengthSize(in.getUnsignedByte(index + nameLengthSize)) : 1;
            if (available < nameLengthSize + valueLengthSize) {
                throw new MalformedNameValuePairException(0, type + " record ends inside the lengths of a name-value pair");
            }
            int nameLength = readLength(in, index, nameLengthSize);
            int valueLength = readLength(in, index + nameLengthSize, valueLengthSize);
            long pairLength = (long) nameLengthSize + valueLengthSize + nameLength + valueLength;
            if (pairLength > available) {
                throw new MalformedNameValuePairException(0, "a name-value pair in " + type + " claims " + pairLength
                        + " bytes but only " + available + " remain in the record");
            }
            if (pairs.size() >= limits.maxParamCount()) {
                throw new LimitExceededException(0, "maxParamCount", limits.maxParamCount(), pairs.size() + 1L,
                        "number of " + type + " pairs");
            }
            int nameIndex = index + nameLengthSize + valueLengthSize;
            pairs.put(in.toString(nameIndex, nameLength, StandardCharsets.ISO_8859_1),
                    in.toString(nameIndex + nameLength, valueLength, StandardCharsets.ISO_8859_1));
            index += (int) pairLength;
        }
        return pairs;
    }

    // ---- lengths -----------------------------------------------------------------------------

    private static int lengthSize(int firstByte) {
        return (firstByte & 0x80) == 0 ? 1 : 4;
    }

    private static int readLength(ByteBuf in, int index, int size) {
        return size == 1 ? in.getUnsignedByte(index) : in.getInt(index) & Fcgi.MAX_NAME_VALUE_LENGTH;
    }

    private static int readLength(byte[] bytes, int index, int size) {
        if (size == 1) {
            return bytes[index] & 0xFF;
        }
        return ((bytes[index] & 0x7F) << 24) | ((bytes[index + 1] & 0xFF) << 16)
                | ((bytes[index + 2] & 0xFF) << 8) | (bytes[index + 3] & 0xFF);
    }

    /** PARAMS state of one request, from its first PARAMS record to the empty one. */
    private static final class ParamsStream {
        private static final byte[] NONE = new byte[0];

        long totalBytes;
        int pairCount;
        boolean rejected;
        /** Bytes of a pair split between records: its lengths and as much of its body as arrived. */
        byte[] partial = NONE;
        int partialLength;
        /** Whole length of that pair once its lengths are known, else -1. */
        long partialNeeded = -1;

        void keep(ByteBuf in, int index, int length, long needed) {
            partialLength = 0;
            partialNeeded = needed;
            append(in, index, length);
        }

        void append(ByteBuf in, int index, int length) {
            int required = partialLength + length;
            if (required > partial.length) {
                // Grow with the bytes that arrived, never to the length the peer claims.
                int capacity = Math.max(required, Math.max(16, (int) Math.min(Integer.MAX_VALUE - 16L, partial.length * 2L)));
                byte[] grown = new byte[capacity];
                System.arraycopy(partial, 0, grown, 0, partialLength);
                partial = grown;
            }
            in.getBytes(index, partial, partialLength, length);
            partialLength = required;
        }

        void reject() {
            rejected = true;
            partial = NONE;
            partialLength = 0;
            partialNeeded = -1;
        }

        void reset() {
            totalBytes = 0;
            pairCount = 0;
            rejected = false;
            partialLength = 0;
            partialNeeded = -1;
            if (partial.length > 1024) {
                partial = NONE;
            }
        }
    }
}
