package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.transport.Connection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class CallerWritesTest extends TransportTestSupport {

    private static final String TCP = "tcp:127.0.0.1:0";

    private static ByteBuf direct(byte[] bytes) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        return buffer.writeBytes(bytes);
    }

    /** The peer of the connection {@link #connect} opened. */
    private TestClient client;

    private Connection connect(Transport transport, EchoHandler handler) throws Exception {
        client = connectTcp(transport, TCP);
        return handler.opened.poll(5, TimeUnit.SECONDS).connection;
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void aHandlersThreadWritesToTheSocketItselfOnEpollOnlyAndRunsDecidedOnThatThread(Io io) throws Exception {
        EchoHandler handler = new EchoHandler();
        Connection connection = connect(start(io, config(TCP), handler), handler);
        ByteBuf answer = direct("answer".getBytes(StandardCharsets.US_ASCII));
        AtomicReference<String> decidedOn = new AtomicReference<>();

        boolean written = connection.writeFromCaller(answer, () -> decidedOn.set(Thread.currentThread().getName()));

        if (io == Io.EPOLL) {
            assertThat(written).isTrue();
            assertThat(decidedOn.get()).isEqualTo(Thread.currentThread().getName());
            assertThat(answer.refCnt()).as("released once written").isZero();
            assertThat(new String(client.readBytes(6, WAIT), StandardCharsets.US_ASCII)).isEqualTo("answer");
        } else {
            assertThat(written).isFalse();
            assertThat(decidedOn.get()).isNull();
            assertThat(answer.refCnt()).as("left to the caller").isEqualTo(1);
            answer.release();
        }
    }

    @Test
    void withWritesFromHandlersOffEveryWriteStaysOnTheEventLoop() throws Exception {
        EchoHandler handler = new EchoHandler();
        Connection connection = connect(start(Io.EPOLL, config(TCP).writesFromHandlers(false), handler), handler);
        ByteBuf answer = direct(new byte[] {1});
        assertThat(connection.writeFromCaller(answer, () -> { })).isFalse();
        assertThat(answer.refCnt()).isEqualTo(1);
        answer.release();
    }

    @Test
    void whatTheSocketCannotTakeAtOnceGoesOutBeforeTheEventLoopsNextWriteAndBlocksOtherCallersMeanwhile() throws Exception {
        EchoHandler handler = new EchoHandler();
        Connection connection = connect(start(Io.EPOLL, config(TCP), handler), handler);
        byte[] large = new byte[16 * 1024 * 1024]; // more than the two sockets' buffers hold: the peer does not read yet
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31 + (i >>> 16));
        }
        assertThat(connection.writeFromCaller(direct(large), () -> { })).isTrue();
        ByteBuf second = direct(new byte[] {1});
        assertThat(connection.writeFromCaller(second, () -> { })).as("the rest of the first is not out").isFalse();
        second.release();
        connection.writeAndFlush(Unpooled.copiedBuffer("after", StandardCharsets.US_ASCII)); // queued on the event loop

        ByteArrayOutputStream read = new ByteArrayOutputStream();
        read.write(client.readBytes(large.length, WAIT));
        read.write(client.readBytes(5, WAIT));
        byte[] all = read.toByteArray();
        assertThat(java.util.Arrays.equals(all, 0, large.length, large, 0, large.length)).as("the large write whole and first").isTrue();
        assertThat(new String(all, large.length, 5, StandardCharsets.US_ASCII)).isEqualTo("after");
    }

    @Test
    void noCallerWritesWhileTheEventLoopsBytesArePendingNorOnceTheConnectionCloses() {
        RecordingDescriptor descriptor = new RecordingDescriptor();
        EmbeddedChannel channel = new EmbeddedChannel();
        CallerWrites writes = new CallerWrites(channel, descriptor, () -> true);
        channel.pipeline().addFirst(writes);

        channel.write(Unpooled.copiedBuffer("pending", StandardCharsets.US_ASCII));
        ByteBuf answer = direct(new byte[] {1, 2});
        assertThat(writes.write(answer, () -> { })).as("bytes pending").isFalse();
        channel.flushOutbound();
        channel.releaseOutbound();
        assertThat(writes.write(answer, () -> { })).as("nothing pending").isTrue();
        assertThat(descriptor.written.toByteArray()).containsExactly(1, 2);

        channel.close();
        ByteBuf late = direct(new byte[] {3});
        assertThat(writes.write(late, () -> { })).as("closed").isFalse();
        late.release();
        assertThat(writes.state() & CallerWrites.CLOSED).isNotZero();
    }

    @Test
    void aCloseWaitsForACallersWriteInProgressBeforeTheDescriptorCanBeClosed() throws Exception {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch finishWrite = new CountDownLatch(1);
        AtomicBoolean openWhenWriteReturned = new AtomicBoolean();
        EmbeddedChannel channel = new EmbeddedChannel();
        CallerWrites writes = new CallerWrites(channel, (address, from, to) -> {
            inWrite.countDown();
            try {
                finishWrite.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            openWhenWriteReturned.set(channel.isOpen());
            return to - from;
        }, () -> true);
        channel.pipeline().addFirst(writes);
        Thread caller = new Thread(() -> writes.write(direct(new byte[] {1}), () -> { }));
        caller.start();
        assertThat(inWrite.await(5, TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(channel::close); // the embedded event loop runs the close on the calling thread
        closer.start();
        await("the close to have fenced off callers", () -> (writes.state() & CallerWrites.CLOSED) != 0);
        finishWrite.countDown();
        caller.join();
        closer.join();

        assertThat(openWhenWriteReturned).as("the channel stayed open until the write returned").isTrue();
        assertThat(channel.isOpen()).isFalse();
    }

    private static final class RecordingDescriptor implements CallerWrites.Descriptor {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public int write(long address, int from, int to) {
            for (int i = from; i < to; i++) {
                written.write(io.netty.util.internal.PlatformDependent.getByte(address + i));
            }
            return to - from;
        }
    }
}
