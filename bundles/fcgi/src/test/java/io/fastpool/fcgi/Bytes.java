package io.fastpool.fcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;

/** Byte helpers for tests: spec vectors are written as hex, with spaces and '|' for readability. */
final class Bytes {

    private Bytes() {
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
    }

    static ByteBuf buf(String hex) {
        return Unpooled.wrappedBuffer(hex(hex));
    }

    static String hex(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }

    static byte[] array(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    static String repeat(char c, int count) {
        return String.valueOf(c).repeat(count);
    }
}
