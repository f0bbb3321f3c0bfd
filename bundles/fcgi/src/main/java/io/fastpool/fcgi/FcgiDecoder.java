package io.fastpool.fcgi;

import io.netty.buffer.ByteBuf;
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
 * <p>PARAMS streams, whose pairs may span records and whose requests may interleave, are decoded
 * by a {@link ParamsDecoder}.
 *
 * <p>Errors that break the framing or a management record are thrown as a
 * {@link FcgiProtocolException}; the decoder is then failed and the connection must be closed.
 * Errors confined to one request go to {@link FcgiRecordListener#onRequestError} and decoding goes
 * on.
 */
public final class FcgiDecoder {

    private final FcgiLimits limits;
    private final FcgiRecordListener listener;
    private final ParamsDecoder params;
    private FcgiProtocolException failure;

    public FcgiDecoder(FcgiLimits limits, FcgiRecordListener listener) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.params = new ParamsDecoder(limits, listener);
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
        params.clear();
        return e;
    }

    /** Whether a thrown protocol error has failed this decoder. */
    public boolean isFailed() {
        return failure != null;
    }

    /** Number of requests whose PARAMS stream has begun and not yet ended. */
    public int openParamsStreams() {
        return params.openStreams();
    }

    /** Forgets all per-request state; the connection is closing. */
    public void close() {
        params.clear();
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
                params.onRecord(requestId, in, index, length);
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
                params.drop(requestId);
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
        params.drop(requestId);
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

    // ---- GET_VALUES and GET_VALUES_RESULT ----------------------------------------------------

    /** A management record's pairs must lie wholly inside it; any error here is the connection's. */
    private Map<String, String> decodeManagementPairs(FcgiRecordType type, ByteBuf in, int index, int length) {
        Map<String, String> pairs = new LinkedHashMap<>();
        int end = index + length;
        while (index < end) {
            int available = end - index;
            int nameLengthSize = ParamsDecoder.lengthSize(in.getUnsignedByte(index));
            int valueLengthSize = available > nameLengthSize
                    ? ParamsDecoder.lengthSize(in.getUnsignedByte(index + nameLengthSize)) : 1;
            if (available < nameLengthSize + valueLengthSize) {
                throw new MalformedNameValuePairException(0, type + " record ends inside the lengths of a name-value pair");
            }
            int nameLength = ParamsDecoder.readLength(in, index, nameLengthSize);
            int valueLength = ParamsDecoder.readLength(in, index + nameLengthSize, valueLengthSize);
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
}
