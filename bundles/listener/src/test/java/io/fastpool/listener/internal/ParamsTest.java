package io.fastpool.listener.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.listener.internal.Params.Variable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {

    /** The PARAMS content FastCGI encodes for {@code pairs}, appended to a new {@link Params} in records of {@code split} bytes. */
    private static Params params(int split, List<Map.Entry<String, String>> pairs) {
        ByteBuf records = Unpooled.buffer();
        FcgiEncoder.writeParams(records, 1, pairs);
        ByteBuf content = Unpooled.buffer();
        while (records.isReadable()) {
            int length = records.getUnsignedShort(records.readerIndex() + 4);
            int padding = records.getUnsignedByte(records.readerIndex() + 6);
            content.writeBytes(records, records.readerIndex() + 8, length);
            records.skipBytes(8 + length + padding);
        }
        return params(split, content);
    }

    private static Params params(int split, ByteBuf content) {
        Params params = new Params(16);
        for (int at = content.readerIndex(); at < content.writerIndex(); at += split) {
            params.append(content, at, Math.min(split, content.writerIndex() - at));
        }
        params.index();
        return params;
    }

    @Test
    void recordsAppendedInPiecesReadAsOneStreamOfPairs() {
        Params params = params(3, List.of(Map.entry("REQUEST_URI", "/a?b"), Map.entry("X", "y".repeat(200)),
                Map.entry("HTTP_HOST", "example.org")));
        assertThat(params.count()).isEqualTo(3);
        assertThat(params.name(1)).isEqualTo("X");
        assertThat(params.value(1)).hasSize(200);
        assertThat(params.get(Variable.REQUEST_URI)).isEqualTo("/a?b");
        assertThat(params.get("HTTP_HOST")).isEqualTo("example.org");
        assertThat(params.get(Variable.HTTP_HOST)).isEqualTo("example.org");
    }

    @Test
    void aRepeatedNameReadsAsItsLastValueByNameAndAsAVariable() {
        Params params = params(1000, List.of(Map.entry("SERVER_PORT", "80"), Map.entry("X", "1"),
                Map.entry("SERVER_PORT", "8080"), Map.entry("X", "2")));
        assertThat(params.number(Variable.SERVER_PORT, 5)).isEqualTo(8080);
        assertThat(params.get("SERVER_PORT")).isEqualTo("8080");
        assertThat(params.get("X")).isEqualTo("2");
    }

    @Test
    void aShortLengthSentInFourBytesIsReadAsTheDecoderReadsIt() {
        // REQUEST_METHOD=GET with both lengths in their four-byte form (high bit set), then A=1.
        ByteBuf content = Unpooled.wrappedBuffer(HexFormat.of().parseHex("8000000e80000003"
                + HexFormat.of().formatHex("REQUEST_METHODGET".getBytes()) + "01014131"));
        Params params = params(1000, content);
        assertThat(params.count()).isEqualTo(2);
        assertThat(params.get(Variable.REQUEST_METHOD)).isEqualTo("GET");
        assertThat(params.name(1)).isEqualTo("A");
        assertThat(params.value(1)).isEqualTo("1");
    }

    @Test
    void aValueTheCallerExpectsComesBackAsTheCallersStringAndAnotherAsANewOne() {
        Params params = params(1000, List.of(Map.entry("HTTP_HOST", "example.org")));
        String likely = new String("example.org");
        assertThat(params.get(Variable.HTTP_HOST, likely)).isSameAs(likely);
        assertThat(params.get(Variable.HTTP_HOST, "example.com")).isEqualTo("example.org");
        assertThat(params.get(Variable.SERVER_NAME, likely)).isNull();
    }

    @Test
    void aNumberIsReadOnlyWhenItIsAllDigitsWithinTheLimit() {
        Params params = params(1000, List.of(Map.entry("CONTENT_LENGTH", "12x"), Map.entry("SERVER_PORT", "123456")));
        assertThat(params.number(Variable.CONTENT_LENGTH, 18)).isEqualTo(-1);
        assertThat(params.number(Variable.SERVER_PORT, 5)).isEqualTo(-1);
        assertThat(params.number(Variable.REQUEST_URI, 5)).isEqualTo(-1);
    }
}
