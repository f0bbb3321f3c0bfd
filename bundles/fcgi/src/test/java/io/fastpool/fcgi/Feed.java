package io.fastpool.fcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Feeds bytes to a decoder in chunks through a pooled direct cumulation buffer, the way a netty
 * {@code ByteToMessageDecoder} would, and returns what the listener saw.
 */
final class Feed {

    private Feed() {
    }

    /** Everything at once. */
    static List<Event> whole(FcgiLimits limits, byte[] input) {
        return chunked(limits, input, remaining -> remaining);
    }

    /** One byte per read. */
    static List<Event> byteByByte(FcgiLimits limits, byte[] input) {
        return chunked(limits, input, remaining -> 1);
    }

    /**
     * Record by record through {@link FcgiDecoder#decodeRecord}, each a retained slice, as the
     * transport's framer cuts them; a trailing partial record is never handed over.
     */
    static List<Event> recordByRecord(FcgiLimits limits, byte[] input) {
        RecordingListener listener = new RecordingListener();
        FcgiDecoder decoder = new FcgiDecoder(limits, listener);
        ByteBuf bytes = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, input.length));
        try {
            bytes.writeBytes(input);
            for (int length = wholeRecordLength(bytes); length > 0; length = wholeRecordLength(bytes)) {
                ByteBuf record = bytes.readRetainedSlice(length);
                try {
                    decoder.decodeRecord(record);
                } finally {
                    record.release();
                }
            }
        } catch (FcgiProtocolException e) {
            listener.events.add(new Event.Failed(e.getClass(), e.getMessage()));
        } finally {
            bytes.release();
            decoder.close();
        }
        return listener.events;
    }

    /** Bytes of {@code input} that make whole records, from its start: what a framer hands on. */
    static int wholeRecordsLength(byte[] input) {
        ByteBuf bytes = io.netty.buffer.Unpooled.wrappedBuffer(input);
        for (int length = wholeRecordLength(bytes); length > 0; length = wholeRecordLength(bytes)) {
            bytes.skipBytes(length);
        }
        return bytes.readerIndex();
    }

    private static int wholeRecordLength(ByteBuf in) {
        if (in.readableBytes() < Fcgi.HEADER_LENGTH) {
            return -1;
        }
        int length = Fcgi.recordLength(in, in.readerIndex());
        return in.readableBytes() >= length ? length : -1;
    }

    /**
     * In chunks whose sizes {@code nextChunk} picks given the bytes remaining (values outside
     * 1..remaining are clamped). A thrown protocol error ends the list as {@link Event.Failed}.
     */
    static List<Event> chunked(FcgiLimits limits, byte[] input, IntUnaryOperator nextChunk) {
        RecordingListener listener = new RecordingListener();
        FcgiDecoder decoder = new FcgiDecoder(limits, listener);
        ByteBuf cumulation = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        try {
            int offset = 0;
            while (offset < input.length) {
                int remaining = input.length - offset;
                int chunk = Math.max(1, Math.min(remaining, nextChunk.applyAsInt(remaining)));
                cumulation.writeBytes(input, offset, chunk);
                offset += chunk;
                decoder.decode(cumulation);
                cumulation.discardSomeReadBytes();
            }
        } catch (FcgiProtocolException e) {
            listener.events.add(new Event.Failed(e.getClass(), e.getMessage()));
        } finally {
            cumulation.release();
            decoder.close();
        }
        return listener.events;
    }
}
