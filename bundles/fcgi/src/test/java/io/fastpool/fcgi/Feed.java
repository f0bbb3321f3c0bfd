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
