package io.fastpool.fcgi;

import static io.fastpool.fcgi.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Inputs that broke other FastCGI implementations, and must not break this one. */
class FcgiRegressionTest {

    private static final FcgiLimits LIMITS = FcgiLimits.DEFAULTS;

    /** Every limit as high as the protocol and the JVM allow: only the bytes that arrive may cost memory. */
    private static final FcgiLimits CEILING = new FcgiLimits(FcgiLimits.MAX_PARAMS_BYTES_CEILING, Integer.MAX_VALUE,
            Fcgi.MAX_NAME_VALUE_LENGTH, Fcgi.MAX_NAME_VALUE_LENGTH, Fcgi.MAX_REQUEST_ID);

    /**
     * CVE-2025-23016, libfcgi: name and value lengths near 0x7FFFFFFF made {@code nameLen + valueLen
     * + 2} overflow before a malloc, and the copy wrote past the heap block. Here the claimed length
     * is checked against the limits before anything happens.
     */
    @Test
    void lengthsNear0x7fffffffAreRefusedByTheLimitsNotAddedUp() {
        byte[] input = hex("01 04 0001 0010 00 00 | FFFFFFFF FFFFFFFF 4141414141414141 | 01 04 0001 0000 00 00");
        assertThat(Feed.whole(LIMITS, input)).containsExactly(new Event.RequestError(1, LimitExceededException.class,
                "length of a PARAMS name (2147483647) exceeds maxNameLength = 8192 (request id 1)"));
    }

    /** The same attack with every limit at its ceiling: the sum is done in 64 bits and it does not fit the PARAMS budget. */
    @Test
    void lengthsNear0x7fffffffCannotOverflowEvenWithLimitsAtTheirCeiling() {
        byte[] input = hex("01 04 0001 0010 00 00 | FFFFFFFF FFFFFFFE 4141414141414141 | 01 04 0001 0000 00 00");
        assertThat(Feed.whole(CEILING, input)).containsExactly(new Event.RequestError(1, LimitExceededException.class,
                "bytes one PARAMS pair claims (4294967301) exceeds maxParamsBytes = 2147483631 (request id 1)"));
    }

    /**
     * A pair that claims 2 GiB and sends 100 bytes must cost about 100 bytes, not 2 GiB: the
     * decoder never allocates from a claimed length.
     */
    @Test
    void aClaimedLengthAllocatesNothingBeforeTheBytesArrive() {
        ByteBuf input = Unpooled.wrappedBuffer(hex("01 04 0001 0070 00 00 | 01 FFFFFF00 4E" + "56".repeat(106)));
        RecordingListener listener = new RecordingListener();
        FcgiDecoder decoder = new FcgiDecoder(CEILING, listener);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        decoder.decode(input);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(listener.events).isEmpty();
        assertThat(decoder.openParamsStreams()).isEqualTo(1);
        assertThat(allocated).as("bytes allocated while holding a 112-byte part of a 2 GiB pair").isLessThan(64 * 1024);
        decoder.close();
    }

    /**
     * Some parsers computed the value length from the wrong offset when the name length took 4
     * bytes (reading the name's high byte again). A 4-byte name length followed by a 1-byte value
     * length, and the reverse, must each give their own lengths.
     */
    @Test
    void eachLengthIsReadFromItsOwnBytesWhateverTheOtherLengthsSize() {
        String name200 = "n".repeat(200);
        String value200 = "v".repeat(200);
        byte[] input = hex("01 04 0001 00D2 06 00 | 800000C8 05" + ascii(name200) + ascii("short") + "000000000000"
                + "01 04 0001 00D2 06 00 | 05 800000C8" + ascii("short") + ascii(value200) + "000000000000"
                + "01 04 0001 0000 00 00");
        assertThat(Feed.whole(LIMITS, input)).containsExactly(
                new Event.Param(1, name200, "short"),
                new Event.Param(1, "short", value200),
                new Event.ParamsEnd(1));
    }

    /** Lengths up to 127 may be written in the 4-byte form; they mean the same. */
    @Test
    void a127WrittenInFourBytesIsAccepted() {
        String value127 = "x".repeat(127);
        byte[] input = hex("01 04 0001 0088 00 00 | 80000001 8000007F 4E" + ascii(value127)
                + "01 04 0001 0000 00 00");
        assertThat(Feed.whole(LIMITS, input)).containsExactly(new Event.Param(1, "N", value127), new Event.ParamsEnd(1));
    }

    /** A pair claiming more bytes than its record holds is fine when the stream goes on; an error when it ends. */
    @Test
    void aPairClaimingMoreThanItsRecordHoldsWaitsForTheNextRecordOrFailsAtStreamEnd() {
        // "NAME" = "VALUE" split after "NA"; the second record completes it.
        byte[] continued = hex("01 04 0001 0004 04 00 | 04 05 4E41 00000000"
                + "01 04 0001 0007 01 00 | 4D45 56414C5545 00"
                + "01 04 0001 0000 00 00");
        assertThat(Feed.whole(LIMITS, continued)).containsExactly(new Event.Param(1, "NAME", "VALUE"), new Event.ParamsEnd(1));

        byte[] cutShort = hex("01 04 0001 0004 04 00 | 04 05 4E41 00000000 | 01 04 0001 0000 00 00");
        assertThat(Feed.whole(LIMITS, cutShort)).singleElement().isInstanceOfSatisfying(Event.RequestError.class,
                e -> assertThat(e.type()).isEqualTo(MalformedNameValuePairException.class));
    }

    /** A repeated parameter is two events in order; which one wins is the listener's choice. */
    @Test
    void aRepeatedNameIsDeliveredEachTime() {
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeParams(out, 1, List.of(java.util.Map.entry("HTTP_HOST", "a"), java.util.Map.entry("HTTP_HOST", "b")));
        assertThat(Feed.whole(LIMITS, Bytes.array(out))).containsExactly(
                new Event.Param(1, "HTTP_HOST", "a"), new Event.Param(1, "HTTP_HOST", "b"));
    }

    /** Every byte value survives a round trip through names and values: no charset mangles them. */
    @Test
    void allByteValuesSurviveInNamesAndValues() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c <= 0xFF; c++) {
            all.append(c);
        }
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeParams(out, 1, List.of(java.util.Map.entry(all.toString(), all.toString())));
        assertThat(Feed.byteByByte(LIMITS, Bytes.array(out))).containsExactly(new Event.Param(1, all.toString(), all.toString()));
    }

    private static String ascii(String text) {
        return java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
