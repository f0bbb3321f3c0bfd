package io.fastpool.fcgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FcgiEncoderTest {

    @Test
    void paramsLargerThanOneRecordSpanSeveralWithAPairCutBetweenThem() {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            params.add(Map.entry("HTTP_X_HEADER_" + i, "v".repeat(3000)));
        }
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeParams(out, 5, params);
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 5);
        // 40 pairs of about 3021 bytes: more than 65535, so two PARAMS records before the empty one.
        assertThat(out.getUnsignedShort(4)).isEqualTo(Fcgi.MAX_CONTENT_LENGTH);
        List<Event> events = Feed.whole(FcgiLimits.DEFAULTS, Bytes.array(out));
        List<Event> expected = new ArrayList<>();
        params.forEach(p -> expected.add(new Event.Param(5, p.getKey(), p.getValue())));
        expected.add(new Event.ParamsEnd(5));
        assertThat(events).isEqualTo(expected);
    }

    @Test
    void noParamsWriteNoRecordSinceAnEmptyOneWouldEndTheStream() {
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeParams(out, 1, List.of());
        FcgiEncoder.writeStream(out, FcgiRecordType.STDOUT, 1, Unpooled.EMPTY_BUFFER);
        assertThat(out.readableBytes()).isZero();
    }

    @Test
    void writingContentDoesNotMoveItsReaderIndex() {
        ByteBuf content = Unpooled.copiedBuffer("hello", java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeStream(out, FcgiRecordType.STDOUT, 1, content);
        FcgiEncoder.writeRecord(out, FcgiRecordType.STDOUT.code(), 1, content, 3);
        assertThat(content.readerIndex()).isZero();
        assertThat(out.readableBytes()).isEqualTo(16 + 16);
    }

    @Test
    void aCharacterOutsideIso8859_1IsRefusedWithItsPosition() {
        assertThatThrownBy(() -> FcgiEncoder.writeParams(Unpooled.buffer(), 1, List.of(Map.entry("PATH", "/caf\u00e9/\u20ac"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+20AC at index 6");
    }

    @Test
    void requestIdsAndLengthsOutsideTheirFieldsAreRefused() {
        ByteBuf out = Unpooled.buffer();
        assertThatThrownBy(() -> FcgiEncoder.writeAbortRequest(out, 0)).hasMessageContaining("request id");
        assertThatThrownBy(() -> FcgiEncoder.writeAbortRequest(out, 65536)).hasMessageContaining("request id");
        assertThatThrownBy(() -> FcgiEncoder.writeHeader(out, 6, 1, 65536, 0)).hasMessageContaining("content length");
        assertThatThrownBy(() -> FcgiEncoder.writeHeader(out, 6, 1, 1, 256)).hasMessageContaining("padding length");
        assertThatThrownBy(() -> FcgiEncoder.writeLength(out, -1)).hasMessageContaining("length");
        assertThatThrownBy(() -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.BEGIN_REQUEST, 1))
                .hasMessageContaining("not a stream");
        assertThat(out.readableBytes()).isZero();
    }

    @Test
    void aManagementRecordTooLargeForOneRecordIsRefused() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            names.add("N".repeat(100) + i);
        }
        assertThatThrownBy(() -> FcgiEncoder.writeGetValues(Unpooled.buffer(), names))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one record holds at most 65535");
    }

    @Test
    void pairLengthCountsBothLengthFormsAndTheBytes() {
        assertThat(FcgiEncoder.pairLength("A", "")).isEqualTo(3);
        assertThat(FcgiEncoder.pairLength("A", "x".repeat(128))).isEqualTo(1 + 4 + 1 + 128);
    }
}
