package io.fastpool.fcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.collection.IntObjectHashMap;

/**
 * The PARAMS streams of one connection, for {@link FcgiDecoder}: name-value pairs are decoded
 * straight from each record and handed to the listener as indexes into it. The rare pair split
 * between two records is gathered in a per-request buffer that grows only as its bytes arrive and
 * is bounded by {@link FcgiLimits#maxParamsBytes()}. Each record's content, once its pairs
 * passed, is handed on whole too ({@link FcgiRecordListener#onParamsContent}). Requests on one
 * connection may interleave (multiplexing): each has its own stream state, at most
 * {@link FcgiLimits#maxOpenParamsStreams()}.
 *
 * <p>A limit or a malformed pair fails that request only ({@link FcgiRecordListener#onRequestError});
 * the rest of its stream is skipped. Too many open streams fails the connection.
 */
final class ParamsDecoder {

    private final FcgiLimits limits;
    private final FcgiRecordListener listener;
    private final IntObjectHashMap<ParamsStream> paramsStreams = new IntObjectHashMap<>(4);
    /** One stream state kept for reuse: most connections carry one request at a time. */
    private ParamsStream spare;

    ParamsDecoder(FcgiLimits limits, FcgiRecordListener listener) {
        this.limits = limits;
        this.listener = listener;
    }

    /** Number of requests whose PARAMS stream has begun and not yet ended. */
    int openStreams() {
        return paramsStreams.size();
    }

    /** Forgets every stream; the connection is failing or closing. */
    void clear() {
        paramsStreams.clear();
        spare = null;
    }

    /** One PARAMS record of {@code requestId}, its content at {@code [index, index + length)}; empty ends the stream. */
    void onRecord(int requestId, ByteBuf in, int index, int length) {
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
            return;
        }
        listener.onParamsContent(requestId, in, index, length);
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

    /** Forgets the stream of {@code requestId}: its request began again or was aborted. */
    void drop(int requestId) {
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

    static int lengthSize(int firstByte) {
        return (firstByte & 0x80) == 0 ? 1 : 4;
    }

    static int readLength(ByteBuf in, int index, int size) {
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
