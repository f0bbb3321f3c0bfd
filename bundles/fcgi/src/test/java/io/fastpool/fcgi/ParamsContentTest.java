package io.fastpool.fcgi;

import static io.fastpool.fcgi.Bytes.hex;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FcgiRecordListener#onParamsContent}: each PARAMS record's content, whole, once its pairs passed. */
class ParamsContentTest {

    /** Hands on every call as text: "pair NAME=VALUE" or "content HEX". */
    private static final class Calls implements FcgiRecordListener {
        final List<String> calls = new ArrayList<>();

        @Override
        public void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex, int valueLength) {
            calls.add("pair " + source.toString(nameIndex, nameLength, ISO_8859_1) + "="
                    + source.toString(valueIndex, valueLength, ISO_8859_1));
        }

        @Override
        public void onParamsContent(int requestId, ByteBuf source, int index, int length) {
            calls.add("content " + ByteBufUtil.hexDump(source, index, length));
        }

        @Override
        public void onRequestError(int requestId, FcgiProtocolException error) {
            calls.add("error " + error.getClass().getSimpleName());
        }
    }

    @Test
    void eachRecordsContentFollowsItsPairsAndTogetherTheyAreTheEncodedPairs() {
        // A=1 whole in the first record; BB=22 split after its lengths; the second record completes it.
        Calls listener = new Calls();
        new FcgiDecoder(FcgiLimits.DEFAULTS, listener).decode(Unpooled.wrappedBuffer(hex(
                "01 04 0001 0005 00 00 | 01 01 41 31 | 02"
                + "01 04 0001 0005 00 00 | 02 4242 3232"
                + "01 04 0001 0000 00 00")));
        assertThat(listener.calls).containsExactly(
                "pair A=1", "content 0101413102",
                "pair BB=22", "content 0242423232");
    }

    @Test
    void aRecordThatFailsItsRequestIsNotHandedOn() {
        Calls listener = new Calls();
        new FcgiDecoder(FcgiLimits.DEFAULTS.withMaxParamCount(1), listener).decode(Unpooled.wrappedBuffer(hex(
                "01 04 0001 0004 00 00 | 01 01 41 31"
                + "01 04 0001 0004 00 00 | 01 01 42 32"
                + "01 04 0001 0000 00 00")));
        assertThat(listener.calls).containsExactly("pair A=1", "content 01014131", "error LimitExceededException");
    }
}
