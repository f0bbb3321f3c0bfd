package io.fastpool.listener.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.listener.internal.Params.Variable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {

    /** The PARAMS content FastCGI encodes for {@code pairs}, appended to a new {@link Params} in records of {@code split} bytes. */
    private static Params params(int split, List<Map.Entry<String, String>> pairs) {
        return params(split, content(pairs));
    }

    private static ByteBuf content(List<Map.Entry<String, String>> pairs) {
        ByteBuf records = Unpooled.buffer();
        FcgiEncoder.writeParams(records, 1, pairs);
        ByteBuf content = Unpooled.buffer();
        while (records.isReadable()) {
            int length = records.getUnsignedShort(records.readerIndex() + 4);
            int padding = records.getUnsignedByte(records.readerIndex() + 6);
            content.writeBytes(records, records.readerIndex() + 8, length);
            records.skipBytes(8 + length + padding);
        }
        return content;
    }

    private static List<String> names(Params params) {
        List<String> names = new ArrayList<>();
        for (int at = params.first(); at >= 0; at = params.next(at)) {
            names.add(params.name(at));
        }
        return names;
    }

    private static Params params(int split, ByteBuf content) {
        return append(new Params(16), split, content);
    }

    private static Params append(Params params, int split, ByteBuf content) {
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
        assertThat(names(params)).containsExactly("REQUEST_URI", "X", "HTTP_HOST");
        int second = params.next(params.first());
        assertThat(params.name(second)).isEqualTo("X");
        assertThat(params.value(second)).hasSize(200);
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
        assertThat(names(params)).containsExactly("REQUEST_METHOD", "A");
        assertThat(params.get(Variable.REQUEST_METHOD)).isEqualTo("GET");
        int second = params.next(params.first());
        assertThat(params.name(second)).isEqualTo("A");
        assertThat(params.value(second)).isEqualTo("1");
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

    @Test
    void afterReleaseTheOldGenerationIsNoLongerLiveAndTheBytesTakeTheNextRequestsVariables() {
        Params params = params(1000, List.of(Map.entry("HTTP_HOST", "first.example"), Map.entry("X", "1")));
        int first = params.generation();
        assertThat(params.isLive(first)).isTrue();

        params.release();
        assertThat(params.isLive(first)).isFalse();
        assertThat(params.first()).isEqualTo(-1);
        assertThat(params.get(Variable.HTTP_HOST)).isNull();

        append(params, 1000, content(List.of(Map.entry("HTTP_HOST", "second.example"))));
        params.index();
        assertThat(params.isLive(params.generation())).isTrue();
        assertThat(params.get(Variable.HTTP_HOST)).isEqualTo("second.example");
        assertThat(params.get("X")).isNull();
        assertThat(names(params)).containsExactly("HTTP_HOST");
    }

    @Test
    void aKnownValueIsComparedWithoutMakingAString() {
        Params params = params(1000, List.of(Map.entry("REQUEST_METHOD", "POST")));
        assertThat(params.is(Variable.REQUEST_METHOD, "POST")).isTrue();
        assertThat(params.is(Variable.REQUEST_METHOD, "PUT")).isFalse();
        assertThat(params.is(Variable.HTTP_HOST, "POST")).isFalse();
    }
}
