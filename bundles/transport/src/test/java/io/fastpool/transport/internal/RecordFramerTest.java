package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RecordFramerTest {

    /** Records of every shape: empty, padded, unpadded, odd lengths. */
    private static final List<byte[]> RECORDS = List.of(
            Records.beginRequest(1),
            Records.patterned(1, 0, 0),
            Records.patterned(1, 1, 7),
            Records.patterned(2, 13, 3),
            Records.patterned(3, 300, 255),
            Records.patterned(4, 8, 0));

    private static final byte[] STREAM = TestClient.concat(RECORDS.toArray(new byte[0][]));

    @Test
    void recordsSplitAtEveryByteBoundaryArriveWholeAndIdentical() {
        for (int split = 0; split <= STREAM.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new RecordFramer(false), new Consumer());
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(STREAM, 0, split)));
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(STREAM, split, STREAM.length)));

            assertThat(readAll(channel)).as("split at byte %d", split).containsExactlyElementsOf(RECORDS);
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void recordsFedOneByteAtATimeArriveWholeAndIdentical() {
        EmbeddedChannel channel = new EmbeddedChannel(new RecordFramer(false), new Consumer());
        List<byte[]> arrived = new ArrayList<>();
        for (byte b : STREAM) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            arrived.addAll(readAll(channel));
        }

        assertThat(arrived).containsExactlyElementsOf(RECORDS);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void largestRecordArrivesWhole() {
        byte[] largest = Records.patterned(9, 65535, 255);
        assertThat(largest).hasSize(RecordFramer.MAX_RECORD_LENGTH).hasSize(65798);
        EmbeddedChannel channel = new EmbeddedChannel(new RecordFramer(false), new Consumer());
        for (int start = 0; start < largest.length; start += 4096) {
            assertThat(readAll(channel)).isEmpty();
            channel.writeInbound(Unpooled.wrappedBuffer(
                    Arrays.copyOfRange(largest, start, Math.min(largest.length, start + 4096))));
        }

        assertThat(readAll(channel)).containsExactly(largest);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headerClaimingALargeRecordBuffersOnlyTheBytesThatCame() {
        EmbeddedChannel channel = new EmbeddedChannel(new RecordFramer(false), new Consumer());
        RecordFramer framer = channel.pipeline().get(RecordFramer.class);
        byte[] header = Arrays.copyOf(Records.patterned(1, 65535, 255), 8);

        channel.writeInbound(Unpooled.wrappedBuffer(header));

        assertThat(readAll(channel)).isEmpty();
        assertThat(framer.bufferedBytes()).isEqualTo(8);
        // Closing with a partial record releases it: the leak detector would fail the class otherwise.
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void holdingKeepsRecordsUntilPassedOnInOrder() {
        RecordFramer framer = new RecordFramer(true);
        EmbeddedChannel channel = new EmbeddedChannel(framer, new Consumer());

        channel.writeInbound(Unpooled.wrappedBuffer(STREAM));
        assertThat(readAll(channel)).isEmpty();
        assertThat(framer.bufferedBytes()).isEqualTo(STREAM.length);

        framer.passRecords();
        assertThat(readAll(channel)).containsExactlyElementsOf(RECORDS);

        framer.holdRecords();
        channel.writeInbound(Unpooled.wrappedBuffer(STREAM));
        assertThat(readAll(channel)).isEmpty();
        framer.passRecords();
        assertThat(readAll(channel)).containsExactlyElementsOf(RECORDS);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void recordKeptByItsConsumerStaysIntactWhileMoreBytesArrive() {
        Consumer consumer = new Consumer();
        consumer.keepFirst = true;
        EmbeddedChannel channel = new EmbeddedChannel(new RecordFramer(false), consumer);
        byte[] first = Records.patterned(1, 100, 4);
        byte[] second = Records.patterned(2, 5000, 0);
        // The first record and half of the second arrive together; the consumer keeps the first.
        channel.writeInbound(Unpooled.wrappedBuffer(TestClient.concat(first, Arrays.copyOf(second, 2000))));
        ByteBuf kept = consumer.kept;

        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(second, 2000, second.length)));

        try {
            assertThat(ByteBufUtil.getBytes(kept)).isEqualTo(first);
            assertThat(readAll(channel)).containsExactly(second);
        } finally {
            kept.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void recordsReadTogetherArriveThroughOneSlice() {
        Consumer consumer = new Consumer();
        EmbeddedChannel channel = new EmbeddedChannel(new RecordFramer(false), consumer);

        channel.writeInbound(Unpooled.wrappedBuffer(STREAM));

        assertThat(consumer.buffersSeen).hasSize(1);
        assertThat(readAll(channel)).containsExactlyElementsOf(RECORDS);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConsumerHoldingRecordsInTheMiddleOfABatchGetsTheRestWhenItPassesThemOn() {
        RecordFramer framer = new RecordFramer(false);
        Consumer consumer = new Consumer();
        consumer.afterRecord = 2;
        consumer.then = framer::holdRecords;
        EmbeddedChannel channel = new EmbeddedChannel(framer, consumer);

        channel.writeInbound(Unpooled.wrappedBuffer(STREAM));

        assertThat(readAll(channel)).containsExactlyElementsOf(RECORDS.subList(0, 2));
        assertThat(framer.bufferedBytes()).isEqualTo(STREAM.length - RECORDS.get(0).length - RECORDS.get(1).length);
        framer.passRecords();
        assertThat(readAll(channel)).containsExactlyElementsOf(RECORDS.subList(2, RECORDS.size()));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private static List<byte[]> readAll(EmbeddedChannel channel) {
        return channel.pipeline().get(Consumer.class).take();
    }

    /**
     * The next handler, as the connection is: it reads each record during the call (here it copies
     * its bytes) and releases it; it may keep a retained slice of one, not the buffer it was given.
     */
    private static final class Consumer extends ChannelInboundHandlerAdapter {
        private final List<byte[]> records = new ArrayList<>();
        final Set<ByteBuf> buffersSeen = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean keepFirst;
        ByteBuf kept;
        int afterRecord = -1;
        Runnable then;
        private int count;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf record = (ByteBuf) msg;
            try {
                buffersSeen.add(record);
                if (keepFirst && kept == null) {
                    kept = record.retainedSlice();
                } else {
                    records.add(ByteBufUtil.getBytes(record));
                }
                if (++count == afterRecord) {
                    then.run();
                }
            } finally {
                record.release();
            }
        }

        List<byte[]> take() {
            List<byte[]> taken = new ArrayList<>(records);
            records.clear();
            return taken;
        }
    }
}
