package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;

/**
 * A FastCGI peer for tests, over TCP or a unix socket: writes raw bytes and reads whole records,
 * every read bounded by a time-out, so a test fails instead of hanging.
 */
final class TestClient implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private byte[] pending = new byte[0];

    private TestClient(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    static TestClient connect(SocketAddress address) throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            channel.connect(address);
            return new TestClient(channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("peer did not read " + out.remaining() + " bytes within 5 s");
                }
                Thread.onSpinWait();
            }
        }
    }

    /** Reads {@code count} bytes, whatever they are. */
    byte[] readBytes(int count, Duration timeout) throws IOException {
        fill(count, System.nanoTime() + timeout.toNanos());
        return take(count);
    }

    /** Reads one whole record (header, content, padding). */
    byte[] readRecord(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        fill(8, deadline);
        int length = 8 + (((pending[4] & 0xFF) << 8) | (pending[5] & 0xFF)) + (pending[6] & 0xFF);
        fill(length, deadline);
        return take(length);
    }

    /** Shuts this side down for writing (a half-close). */
    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** Whether the peer closes in order (end of stream; a reset throws) within {@code timeout}; bytes read meanwhile are dropped. */
    boolean endOfStreamWithin(Duration timeout) throws IOException {
        return closedWithin(timeout, false);
    }

    /** Whether the peer closes the connection within {@code timeout}; bytes read meanwhile are dropped. */
    boolean closedWithin(Duration timeout) throws IOException {
        return closedWithin(timeout, true);
    }

    private boolean closedWithin(Duration timeout, boolean resetCounts) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                fill(pending.length + 1, deadline);
                pending = new byte[0];
            }
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("timed out")) {
                return false;
            }
            if (resetCounts) {
                return true; // connection reset: closed too
            }
            throw e;
        }
    }

    /** Asserts the peer neither sends anything nor closes within {@code duration}. */
    void assertQuietFor(Duration duration) throws IOException {
        long deadline = System.nanoTime() + duration.toNanos();
        try {
            fill(pending.length + 1, deadline);
        } catch (EOFException e) {
            throw new AssertionError("connection closed; expected it to stay open", e);
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("timed out")) {
                throw e;
            }
            return;
        }
        throw new AssertionError("received " + pending.length + " bytes; expected nothing");
    }

    /** Reads and drops {@code count} bytes. */
    void drain(long count, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left = count - pending.length;
        pending = new byte[0];
        while (left > 0) {
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                throw new IOException("timed out with " + left + " of " + count + " bytes left to read");
            }
            selector.select(remainingMillis);
            selector.selectedKeys().clear();
            readBuffer.clear();
            int read = channel.read(readBuffer);
            if (read < 0) {
                throw new EOFException("connection closed with " + left + " of " + count + " bytes left to read");
            }
            left -= read;
        }
    }

    private void fill(int wanted, long deadlineNanos) throws IOException {
        while (pending.length < wanted) {
            long remainingMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                throw new IOException("timed out with " + pending.length + " of " + wanted + " bytes");
            }
            selector.select(remainingMillis);
            selector.selectedKeys().clear();
            readBuffer.clear();
            int read = channel.read(readBuffer);
            if (read < 0) {
                throw new EOFException("connection closed with " + pending.length + " of " + wanted + " bytes");
            }
            if (read > 0) {
                byte[] grown = Arrays.copyOf(pending, pending.length + read);
                readBuffer.flip();
                readBuffer.get(grown, pending.length, read);
                pending = grown;
            }
        }
    }

    private byte[] take(int length) {
        byte[] taken = Arrays.copyOf(pending, length);
        pending = Arrays.copyOfRange(pending, length, pending.length);
        return taken;
    }

    /** Sends {@code record} and asserts it comes back identical. */
    void assertEchoes(byte[] record) throws IOException {
        send(record);
        assertThat(readRecord(Duration.ofSeconds(5))).isEqualTo(record);
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
