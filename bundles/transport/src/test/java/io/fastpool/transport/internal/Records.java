package io.fastpool.transport.internal;

import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/** FastCGI records as byte arrays, written with the codec's {@link FcgiEncoder} as a web server would. */
final class Records {

    private Records() {
    }

    static byte[] beginRequest(int requestId) {
        return encode(out -> FcgiEncoder.writeBeginRequest(out, requestId, FcgiRole.RESPONDER, true));
    }

    static byte[] params(int requestId, Map<String, String> params) {
        return encode(out -> FcgiEncoder.writeParams(out, requestId, params.entrySet()));
    }

    static byte[] stdin(int requestId, String content) {
        return record(FcgiRecordType.STDIN.code(), requestId, content.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    static byte[] streamEnd(FcgiRecordType stream, int requestId) {
        return encode(out -> FcgiEncoder.writeStreamEnd(out, stream, requestId));
    }

    static byte[] record(int type, int requestId, byte[] content, int padding) {
        ByteBuf wrapped = Unpooled.wrappedBuffer(content);
        try {
            return encode(out -> FcgiEncoder.writeRecord(out, type, requestId, wrapped, padding));
        } finally {
            wrapped.release();
        }
    }

    /** A record of {@code contentLength} bytes of a repeating pattern. */
    static byte[] patterned(int requestId, int contentLength, int padding) {
        byte[] content = new byte[contentLength];
        for (int i = 0; i < contentLength; i++) {
            content[i] = (byte) (i * 31 + requestId);
        }
        return record(FcgiRecordType.STDIN.code(), requestId, content, padding);
    }

    static int requestId(ByteBuf record) {
        return record.getUnsignedShort(record.readerIndex() + 2);
    }

    private static byte[] encode(Consumer<ByteBuf> writer) {
        ByteBuf out = Unpooled.buffer();
        try {
            writer.accept(out);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }
}
