package io.fastpool.fcgi;

import static io.fastpool.fcgi.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Records written out byte by byte from the FastCGI 1.0 specification, decoded and encoded:
 * both halves of the codec must agree with the wire format, not only with each other.
 */
class FcgiDecoderSpecVectorsTest {

    private static final FcgiLimits LIMITS = FcgiLimits.DEFAULTS;

    @Test
    void beginRequestCarriesRoleAndKeepConnFlag() {
        String keep = "01 01 0001 0008 00 00 | 0001 01 0000000000";
        String close = "01 01 0002 0008 00 00 | 0003 00 0000000000";
        assertThat(Feed.whole(LIMITS, hex(keep + close))).containsExactly(
                new Event.Begin(1, FcgiRole.RESPONDER, true),
                new Event.Begin(2, FcgiRole.FILTER, false));
        assertThat(encoded(out -> {
            FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true);
            FcgiEncoder.writeBeginRequest(out, 2, FcgiRole.FILTER, false);
        })).isEqualTo(hex(keep + close));
    }

    @Test
    void beginRequestIgnoresFlagBitsOtherThanKeepConn() {
        assertThat(Feed.whole(LIMITS, hex("01 01 0001 0008 00 00 | 0002 FE 0000000000")))
                .containsExactly(new Event.Begin(1, FcgiRole.AUTHORIZER, false));
    }

    @Test
    void abortRequestHasNoBody() {
        String abort = "01 02 0101 0000 00 00";
        assertThat(Feed.whole(LIMITS, hex(abort))).containsExactly(new Event.Abort(257));
        assertThat(encoded(out -> FcgiEncoder.writeAbortRequest(out, 257))).isEqualTo(hex(abort));
    }

    @Test
    void endRequestCarriesAppStatusAndProtocolStatus() {
        String end = "01 03 0001 0008 00 00 | 00000000 00 000000"
                + "01 03 0002 0008 00 00 | FFFFFFFF 02 000000"
                + "01 03 0003 0008 00 00 | 00000001 03 000000"
                + "01 03 0004 0008 00 00 | 7FFFFFFF 01 000000";
        assertThat(Feed.whole(LIMITS, hex(end))).containsExactly(
                new Event.End(1, 0, FcgiProtocolStatus.REQUEST_COMPLETE),
                new Event.End(2, -1, FcgiProtocolStatus.OVERLOADED),
                new Event.End(3, 1, FcgiProtocolStatus.UNKNOWN_ROLE),
                new Event.End(4, Integer.MAX_VALUE, FcgiProtocolStatus.CANT_MPX_CONN));
        assertThat(encoded(out -> {
            FcgiEncoder.writeEndRequest(out, 1, 0, FcgiProtocolStatus.REQUEST_COMPLETE);
            FcgiEncoder.writeEndRequest(out, 2, -1, FcgiProtocolStatus.OVERLOADED);
            FcgiEncoder.writeEndRequest(out, 3, 1, FcgiProtocolStatus.UNKNOWN_ROLE);
            FcgiEncoder.writeEndRequest(out, 4, Integer.MAX_VALUE, FcgiProtocolStatus.CANT_MPX_CONN);
        })).isEqualTo(hex(end));
    }

    @Test
    void paramsRecordCarriesPairsAndTheEmptyRecordEndsTheStream() {
        // "REQUEST_METHOD" = "GET" (14 + 3 + 2 = 19 bytes), "X" = "" (3 bytes): 22 bytes, padded by 2.
        String params = "01 04 0001 0016 02 00 | 0E 03 " + ascii("REQUEST_METHOD") + ascii("GET")
                + "01 00 " + ascii("X") + "0000 | 01 04 0001 0000 00 00";
        assertThat(Feed.whole(LIMITS, hex(params))).containsExactly(
                new Event.Param(1, "REQUEST_METHOD", "GET"),
                new Event.Param(1, "X", ""),
                new Event.ParamsEnd(1));
        assertThat(encoded(out -> {
            FcgiEncoder.writeParams(out, 1, List.of(Map.entry("REQUEST_METHOD", "GET"), Map.entry("X", "")));
            FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
        })).isEqualTo(hex(params));
    }

    @Test
    void anEmptyParamsStreamIsJustTheEndRecord() {
        assertThat(Feed.whole(LIMITS, hex("01 04 0009 0000 00 00"))).containsExactly(new Event.ParamsEnd(9));
    }

    @Test
    void streamRecordsCarryContentAndTheEmptyRecordEndsEachStream() {
        String records = "01 05 0001 0003 05 00 | 616263 0000000000"   // STDIN "abc", padding 5
                + "01 05 0001 0000 00 00"                              // STDIN end
                + "01 06 0001 0002 06 00 | 6869 000000000000"          // STDOUT "hi"
                + "01 07 0001 0001 07 00 | 21 00000000000000"          // STDERR "!"
                + "01 08 0001 0001 00 00 | 64"                         // DATA "d", no padding
                + "01 06 0001 0000 00 00 | 01 07 0001 0000 00 00 | 01 08 0001 0000 00 00";
        assertThat(Feed.whole(LIMITS, hex(records))).containsExactly(
                new Event.Data(FcgiRecordType.STDIN, 1, "abc"),
                new Event.StreamEnd(FcgiRecordType.STDIN, 1),
                new Event.Data(FcgiRecordType.STDOUT, 1, "hi"),
                new Event.Data(FcgiRecordType.STDERR, 1, "!"),
                new Event.Data(FcgiRecordType.DATA, 1, "d"),
                new Event.StreamEnd(FcgiRecordType.STDOUT, 1),
                new Event.StreamEnd(FcgiRecordType.STDERR, 1),
                new Event.StreamEnd(FcgiRecordType.DATA, 1));
    }

    @Test
    void getValuesAsksForNamesWithEmptyValues() {
        // FCGI_MAX_CONNS (14), FCGI_MAX_REQS (13), FCGI_MPXS_CONNS (15): 2 + 14 + 2 + 13 + 2 + 15 = 48 bytes.
        String query = "01 09 0000 0030 00 00 | 0E00 " + ascii("FCGI_MAX_CONNS") + "0D00 " + ascii("FCGI_MAX_REQS")
                + "0F00 " + ascii("FCGI_MPXS_CONNS");
        List<String> names = List.of(Fcgi.MAX_CONNS, Fcgi.MAX_REQS, Fcgi.MPXS_CONNS);
        assertThat(Feed.whole(LIMITS, hex(query))).containsExactly(new Event.GetValues(names));
        assertThat(encoded(out -> FcgiEncoder.writeGetValues(out, names))).isEqualTo(hex(query));
    }

    @Test
    void getValuesResultCarriesNamesAndValues() {
        // 2 + 14 + 3 = 19, 2 + 15 + 1 = 18: 37 bytes, padded by 3.
        String result = "01 0A 0000 0025 03 00 | 0E03 " + ascii("FCGI_MAX_CONNS") + ascii("100")
                + "0F01 " + ascii("FCGI_MPXS_CONNS") + ascii("1") + "000000";
        Map<String, String> values = new LinkedHashMap<>();
        values.put(Fcgi.MAX_CONNS, "100");
        values.put(Fcgi.MPXS_CONNS, "1");
        assertThat(Feed.whole(LIMITS, hex(result))).containsExactly(new Event.GetValuesResult(values));
        assertThat(encoded(out -> FcgiEncoder.writeGetValuesResult(out, values))).isEqualTo(hex(result));
    }

    @Test
    void unknownTypeNamesTheTypeThatWasNotUnderstood() {
        String unknown = "01 0B 0000 0008 00 00 | 2A 00000000000000";
        assertThat(Feed.whole(LIMITS, hex(unknown))).containsExactly(new Event.UnknownType(42));
        assertThat(encoded(out -> FcgiEncoder.writeUnknownType(out, 42))).isEqualTo(hex(unknown));
    }

    @Test
    void aRecordOfAnUndefinedTypeIsReportedWithItsIdAndSkipped() {
        String records = "01 0C 0000 0003 05 00 | 414243 0000000000"   // type 12, management
                + "01 FF 0005 0000 00 00"                              // type 255, application id 5
                + "01 00 0000 0000 00 00"                              // type 0
                + "01 02 0005 0000 00 00";                             // then a normal ABORT
        assertThat(Feed.whole(LIMITS, hex(records))).containsExactly(
                new Event.Unrecognized(12, 0),
                new Event.Unrecognized(255, 5),
                new Event.Unrecognized(0, 0),
                new Event.Abort(5));
    }

    @Test
    void lengthsUpTo127TakeOneByteAndLongerOnesFourWithTheTopBitSet() {
        assertThat(lengthBytes(0)).isEqualTo("00");
        assertThat(lengthBytes(127)).isEqualTo("7f");
        assertThat(lengthBytes(128)).isEqualTo("80000080");
        assertThat(lengthBytes(1000)).isEqualTo("800003e8");
        assertThat(lengthBytes(33554431)).isEqualTo("81ffffff");
        assertThat(lengthBytes(Fcgi.MAX_NAME_VALUE_LENGTH)).isEqualTo("ffffffff");
    }

    @Test
    void pairsAtEveryLengthBoundaryDecodeToTheirValue() {
        int[] boundaries = {0, 127, 128, 1000, 33554431};
        FcgiLimits roomy = FcgiLimits.DEFAULTS.withMaxValueLength(33554431).withMaxParamsBytes(40 * 1024 * 1024);
        for (int length : boundaries) {
            String value = Bytes.repeat('v', length);
            ByteBuf out = Unpooled.buffer();
            FcgiEncoder.writeParams(out, 1, List.of(Map.entry("N", value)));
            FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
            List<Event> events = Feed.whole(roomy, Bytes.array(out));
            assertThat(events).as("value of length %d", length)
                    .containsExactly(new Event.Param(1, "N", value), new Event.ParamsEnd(1));
        }
    }

    @Test
    void aStreamOf66000BytesIsWrittenAs65535Plus465WithPadding() {
        byte[] body = new byte[66000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeStream(out, FcgiRecordType.STDOUT, 1, Unpooled.wrappedBuffer(body));
        assertThat(out.readableBytes()).isEqualTo(8 + 65535 + 1 + 8 + 465 + 7);
        assertThat(hex(out.slice(0, 8))).isEqualTo("01060001ffff0100");
        assertThat(hex(out.slice(8 + 65535, 1))).isEqualTo("00");
        assertThat(hex(out.slice(8 + 65535 + 1, 8))).isEqualTo("0106000101d10700");

        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDOUT, 1);
        List<Event> events = Feed.whole(LIMITS, Bytes.array(out));
        assertThat(events).hasSize(3);
        String received = ((Event.Data) events.get(0)).content() + ((Event.Data) events.get(1)).content();
        assertThat(received).isEqualTo(new String(body, java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(events.get(2)).isEqualTo(new Event.StreamEnd(FcgiRecordType.STDOUT, 1));
    }

    @Test
    void fullContentWithFullPaddingDecodesAndTheNextRecordStillLinesUp() {
        // 8 + 65535 + 255 = 65798: a 16-bit record length counter wraps here (it did in HAProxy).
        byte[] content = new byte[65535];
        java.util.Arrays.fill(content, (byte) 'x');
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeRecord(out, FcgiRecordType.STDIN.code(), 3, Unpooled.wrappedBuffer(content), 255);
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDIN, 3);
        assertThat(out.readableBytes()).isEqualTo(65798 + 8);
        assertThat(Feed.whole(LIMITS, Bytes.array(out))).containsExactly(
                new Event.Data(FcgiRecordType.STDIN, 3, "x".repeat(65535)),
                new Event.StreamEnd(FcgiRecordType.STDIN, 3));
        assertThat(Feed.byteByByte(LIMITS, Bytes.array(out))).hasSize(2);
    }

    @Test
    void anyPaddingFrom0To255IsAccepted() {
        ByteBuf out = Unpooled.buffer();
        for (int padding = 0; padding <= 255; padding++) {
            FcgiEncoder.writeRecord(out, FcgiRecordType.STDIN.code(), 1, Unpooled.wrappedBuffer(new byte[] {'p'}), padding);
        }
        assertThat(Feed.whole(LIMITS, Bytes.array(out))).hasSize(256)
                .allMatch(e -> e.equals(new Event.Data(FcgiRecordType.STDIN, 1, "p")));
    }

    @Test
    void theEncoderPadsEveryRecordToAMultipleOf8() {
        for (int length = 0; length <= 17; length++) {
            ByteBuf out = Unpooled.buffer();
            FcgiEncoder.writeStream(out, FcgiRecordType.STDOUT, 1, Unpooled.wrappedBuffer(new byte[length]));
            assertThat(out.readableBytes() % 8).as("record of %d bytes", length).isZero();
        }
    }

    private static String lengthBytes(int length) {
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeLength(out, length);
        return hex(out);
    }

    private static String ascii(String text) {
        return java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static byte[] encoded(java.util.function.Consumer<ByteBuf> writer) {
        ByteBuf out = Unpooled.buffer();
        writer.accept(out);
        return Bytes.array(out);
    }
}
