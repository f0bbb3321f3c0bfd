package io.fastpool.transport.internal;

import io.fastpool.fcgi.Fcgi;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Cuts the inbound byte stream into whole FastCGI records and passes each one on as a retained
 * slice (one slice for the records read together, pointed at each in turn); the next handler
 * releases it, and the session hands it to the codec's
 * {@code FcgiDecoder.decodeRecord}, which checks the header. Only the frame is read here
 * ({@link Fcgi#recordLength}), nothing else of FastCGI:
 *
 * <pre>
 *  0         1      2          4              6               7          8
 *  +---------+------+----------+--------------+---------------+----------+---------+---------+
 *  | version | type | requestId| contentLength| paddingLength | reserved | content | padding |
 *  |    1    |  1   |    2     |   2 (u16)    |     1 (u8)    |    1     |  0-65535|  0-255  |
 *  +---------+------+----------+--------------+---------------+----------+---------+---------+
 * </pre>
 *
 * A record is therefore at most {@link #MAX_RECORD_LENGTH} bytes. Nothing is allocated from a
 * claimed length: the framer waits until the bytes are there, so a peer can make it buffer at most
 * one record plus what a single socket read brought in.
 *
 * <p>While {@linkplain #holdRecords() holding}, bytes are buffered and no record is passed on: the
 * connection uses this while its session is away or has paused reading, so bytes read before the
 * pause reach the next session whole and in order. Every method runs on the channel's event loop.
 */
final class RecordFramer extends ChannelInboundHandlerAdapter {

    /** The largest record: header, 65535 bytes of content and 255 of padding. */
    static final int MAX_RECORD_LENGTH = Fcgi.HEADER_LENGTH + Fcgi.MAX_CONTENT_LENGTH + Fcgi.MAX_PADDING_LENGTH;

    private ChannelHandlerContext ctx;
    private ByteBuf buffered;
    private boolean holding;
    private boolean passingOn;
    /** When the record now partly buffered began to arrive, or 0 when none is. */
    private long partialSinceNanos;

    /** A framer that passes records on at once ({@code holding} false) or buffers until {@link #passRecords()}. */
    RecordFramer(boolean holding) {
        this.holding = holding;
    }

    /** Keeps records from now on, including those already buffered. */
    void holdRecords() {
        holding = true;
    }

    /** Passes on every whole record buffered, then each one as it arrives. */
    void passRecords() {
        holding = false;
        passOnWholeRecords();
    }

    /** Drops what is buffered, whole records and a partial one: the connection is closing and wants no more. */
    void discardHeld() {
        holding = true;
        releaseBuffered();
        partialSinceNanos = 0;
    }

    /** Whether records are being kept. */
    boolean isHolding() {
        return holding;
    }

    /** Bytes read but not yet passed on. */
    int bufferedBytes() {
        return buffered == null ? 0 : buffered.readableBytes();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        append(ctx, bytes);
        passOnWholeRecords();
    }

    private void append(ChannelHandlerContext ctx, ByteBuf bytes) {
        if (buffered == null) {
            buffered = bytes;
            return;
        }
        try {
            if (buffered.refCnt() == 1 && !buffered.isReadOnly() && buffered.maxWritableBytes() >= bytes.readableBytes()) {
                buffered.writeBytes(bytes);
            } else {
                // A record passed on and still retained may share this buffer (growing it in place could
                // move the memory under that record), or it cannot grow: copy what is left into a new one.
                ByteBuf merged = ctx.alloc().buffer(buffered.readableBytes() + bytes.readableBytes());
                merged.writeBytes(buffered).writeBytes(bytes);
                buffered.release();
                buffered = merged;
            }
        } finally {
            bytes.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // A partial record at the end of the stream, or records held for a session that never came, are dropped.
        releaseBuffered();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBuffered();
    }

    private void passOnWholeRecords() {
        if (passingOn) {
            // Called back from a record's consumer (a session resumed reading): the loop below goes on.
            return;
        }
        passingOn = true;
        try {
            int batchLength;
            while (!holding && buffered != null && (batchLength = wholeRecordsLength(buffered)) > 0) {
                passOnBatch(batchLength);
            }
            if (buffered != null && buffered.refCnt() == 1) {
                // Nobody shares it: reclaim the space of records already passed on.
                buffered.discardSomeReadBytes();
            }
            notePartialRecord();
        } finally {
            passingOn = false;
        }
    }

    /**
     * Passes on the {@code batchLength} bytes of whole records at the start of the buffer through one
     * retained slice of them all, pointed at each record in turn and retained once more for the next
     * handler, which releases it: one object per batch of records read together, not one per record
     * (a hello request's four records came in four slices). The next handler may keep slices of the
     * record, or the slice retained with absolute indexes, but not its reader and writer indexes
     * ({@code ConnectionSession.onRecord}). Stops early when a record's consumer pauses reading.
     */
    private void passOnBatch(int batchLength) {
        ByteBuf batch = buffered.retainedSlice(buffered.readerIndex(), batchLength);
        try {
            int offset = 0;
            while (offset < batchLength && !holding && buffered != null) {
                int length = Fcgi.recordLength(batch, offset);
                buffered.skipBytes(length);
                passedOnSinceLastNote = true;
                if (!buffered.isReadable()) {
                    releaseBuffered();
                }
                batch.setIndex(offset, offset + length);
                offset += length;
                ctx.fireChannelRead(batch.retain());
            }
        } finally {
            batch.release();
        }
    }

    /**
     * Keeps the time the record now partly buffered began to arrive: each whole record passed on
     * starts the clock again for the next one. Held records do not count: the peer sent them whole.
     */
    private void notePartialRecord() {
        if (holding || buffered == null || !buffered.isReadable()) {
            partialSinceNanos = 0;
        } else if (partialSinceNanos == 0 || passedOnSinceLastNote) {
            partialSinceNanos = System.nanoTime();
        }
        passedOnSinceLastNote = false;
    }

    private boolean passedOnSinceLastNote;

    /** When the record now partly buffered began to arrive ({@link System#nanoTime()}), or 0 when none is. */
    long partialSinceNanos() {
        return partialSinceNanos;
    }

    /** The length of the whole records from the reader index on, 0 if not even the first is all buffered yet. */
    private static int wholeRecordsLength(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int at = start;
        while (end - at >= Fcgi.HEADER_LENGTH) {
            int length = Fcgi.recordLength(in, at);
            if (end - at < length) {
                break;
            }
            at += length;
        }
        return at - start;
    }

    private void releaseBuffered() {
        if (buffered != null) {
            ByteBuf toRelease = buffered;
            buffered = null;
            toRelease.release();
        }
    }
}
