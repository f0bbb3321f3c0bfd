package io.fastpool.fcgi;

import static io.fastpool.fcgi.Bytes.buf;
import static io.fastpool.fcgi.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each rule of the wire format broken on purpose: a typed error naming the rule (and the limit),
 * thrown for the connection or handed to the listener for one request.
 */
class FcgiDecoderErrorsTest {

    private static final FcgiLimits LIMITS = FcgiLimits.DEFAULTS;

    @Test
    void aVersionOtherThan1FailsTheConnectionAsSoonAsTheHeaderArrives() {
        RecordingListener listener = new RecordingListener();
        FcgiDecoder decoder = new FcgiDecoder(LIMITS, listener);
        // Only the header: the claimed 65535 bytes of content never come, the error does not wait for them.
        ByteBuf header = buf("02 05 0001 FFFF 00 00");
        assertThatThrownBy(() -> decoder.decode(header))
                .isInstanceOf(UnsupportedVersionException.class)
                .hasMessageContaining("version 2")
                .satisfies(e -> assertThat(((UnsupportedVersionException) e).version()).isEqualTo(2));
        assertThat(decoder.isFailed()).isTrue();
        assertThat(listener.events).isEmpty();
    }

    @Test
    void aWholeRecordHasItsHeaderCheckedAsTheStreamDoes() {
        FcgiDecoder decoder = new FcgiDecoder(LIMITS, new RecordingListener());
        assertThatThrownBy(() -> decoder.decodeRecord(buf("01 01 0000 0008 00 00 | 0001 00 0000000000")))
                .isInstanceOf(InvalidRequestIdException.class);
        assertThat(decoder.isFailed()).isTrue();
        assertThatThrownBy(() -> decoder.decodeRecord(buf("01 05 0001 0000 00 00")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("close the connection");
    }

    @Test
    void decodeRecordTakesExactlyOneWholeRecord() {
        RecordingListener listener = new RecordingListener();
        FcgiDecoder decoder = new FcgiDecoder(LIMITS, listener);
        assertThatThrownBy(() -> decoder.decodeRecord(buf("01 05 0001 0004 00 00 | 6869")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one whole FastCGI record");
        assertThatThrownBy(() -> decoder.decodeRecord(buf("01 05 0001 0000 00 00 | 01 05 0001 0000 00 00")))
                .isInstanceOf(IllegalArgumentException.class);
        ByteBuf record = buf("01 05 0001 0002 06 00 | 6869 000000000000");
        decoder.decodeRecord(record);
        assertThat(record.isReadable()).isFalse();
        assertThat(listener.events).hasSize(1);
        assertThat(decoder.isFailed()).isFalse();
    }

    @Test
    void aFailedDecoderRefusesMoreInput() {
        FcgiDecoder decoder = new FcgiDecoder(LIMITS, new RecordingListener());
        assertThatThrownBy(() -> decoder.decode(buf("00 01 0001 0008 00 00"))).isInstanceOf(UnsupportedVersionException.class);
        assertThatThrownBy(() -> decoder.decode(buf("01 02 0001 0000 00 00")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("close the connection");
    }

    @Test
    void anApplicationRecordWithRequestId0IsRejected() {
        for (FcgiRecordType type : FcgiRecordType.values()) {
            if (type.isManagement()) {
                continue;
            }
            int length = type == FcgiRecordType.BEGIN_REQUEST || type == FcgiRecordType.END_REQUEST ? 8 : 0;
            byte[] record = hex(String.format("01 %02X 0000 %04X 00 00", type.code(), length) + "00".repeat(length));
            assertThat(Feed.whole(LIMITS, record)).as(type.name()).containsExactly(new Event.Failed(
                    InvalidRequestIdException.class,
                    "application record " + type + " must have a non-zero request id, had 0"));
        }
    }

    @Test
    void aManagementRecordWithANonZeroRequestIdIsRejected() {
        assertThat(Feed.whole(LIMITS, hex("01 09 0001 0000 00 00"))).containsExactly(new Event.Failed(
                InvalidRequestIdException.class, "management record GET_VALUES must have request id 0, had 1"));
        assertThat(Feed.whole(LIMITS, hex("01 0A 0100 0000 00 00"))).first()
                .isInstanceOf(Event.Failed.class);
        assertThat(Feed.whole(LIMITS, hex("01 0B FFFF 0008 00 00 | 0000000000000000"))).first()
                .isInstanceOf(Event.Failed.class);
    }

    @Test
    void fixedSizeBodiesOfTheWrongSizeAreRejected() {
        assertThat(Feed.whole(LIMITS, hex("01 01 0001 0007 01 00 | 00010100000000 00"))).containsExactly(
                new Event.Failed(InvalidRecordBodyException.class,
                        "BEGIN_REQUEST body must be 8 bytes, was 7 (request id 1)"));
        assertThat(Feed.whole(LIMITS, hex("01 03 0001 0009 07 00 | 000000000000000000 00000000000000")))
                .containsExactly(new Event.Failed(InvalidRecordBodyException.class,
                        "END_REQUEST body must be 8 bytes, was 9 (request id 1)"));
        assertThat(Feed.whole(LIMITS, hex("01 0B 0000 0000 00 00"))).containsExactly(new Event.Failed(
                InvalidRecordBodyException.class, "UNKNOWN_TYPE body must be 8 bytes, was 0 (request id 0)"));
    }

    @Test
    void anEndRequestWithAnUndefinedProtocolStatusIsRejected() {
        assertThat(Feed.whole(LIMITS, hex("01 03 0001 0008 00 00 | 00000000 04 000000"))).containsExactly(
                new Event.Failed(InvalidRecordBodyException.class,
                        "END_REQUEST for request id 1 has protocol status 4, which is not 0..3"));
    }

    @Test
    void anUnknownRoleRejectsOnlyThatRequestAndDecodingGoesOn() {
        byte[] input = hex("01 01 0001 0008 00 00 | 0004 01 0000000000"   // role 4
                + "01 01 0002 0008 00 00 | 0000 01 0000000000"             // role 0
                + "01 01 0003 0008 00 00 | 0001 01 0000000000");           // then a good one
        List<Event> events = Feed.whole(LIMITS, input);
        assertThat(events).containsExactly(
                new Event.RequestError(1, UnknownRoleException.class,
                        "BEGIN_REQUEST for request id 1 asks for role 4, which is not RESPONDER (1), AUTHORIZER (2) or FILTER (3)"),
                new Event.RequestError(2, UnknownRoleException.class,
                        "BEGIN_REQUEST for request id 2 asks for role 0, which is not RESPONDER (1), AUTHORIZER (2) or FILTER (3)"),
                new Event.Begin(3, FcgiRole.RESPONDER, true));
    }

    @Test
    void aPairRunningPastTheEndOfItsStreamRejectsTheRequest() {
        // Value length 10 but only 3 value bytes before the stream ends.
        byte[] input = hex("01 04 0001 0006 02 00 | 01 0A 4E 616263 0000 | 01 04 0001 0000 00 00"
                + "01 02 0001 0000 00 00");
        assertThat(Feed.whole(LIMITS, input)).containsExactly(
                new Event.RequestError(1, MalformedNameValuePairException.class,
                        "a name-value pair runs past the end of the PARAMS stream of request id 1: it needs 13 bytes, "
                                + "the stream ended after 6 of them"),
                new Event.Abort(1));
    }

    @Test
    void aStreamEndingInsideThePairLengthsRejectsTheRequest() {
        byte[] input = hex("01 04 0001 0003 05 00 | 80 00 00 0000000000 | 01 04 0001 0000 00 00");
        assertThat(Feed.whole(LIMITS, input)).singleElement().isInstanceOfSatisfying(Event.RequestError.class,
                e -> assertThat(e.message()).contains("its lengths are incomplete"));
    }

    @Test
    void aNameLongerThanTheLimitRejectsTheRequestBeforeItsBytesArrive() {
        FcgiLimits limits = LIMITS.withMaxNameLength(100);
        // The name claims 101 bytes; only the lengths are sent before the stream ends.
        byte[] input = hex("01 04 0001 0005 03 00 | 80000065 00 000000 | 01 04 0001 0000 00 00");
        assertThat(Feed.whole(limits, input)).containsExactly(new Event.RequestError(1, LimitExceededException.class,
                "length of a PARAMS name (101) exceeds maxNameLength = 100 (request id 1)"));
    }

    @Test
    void aValueLongerThanTheLimitRejectsTheRequest() {
        FcgiLimits limits = LIMITS.withMaxValueLength(4);
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeParams(out, 1, List.of(Map.entry("A", "1234"), Map.entry("B", "12345")));
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
        assertThat(Feed.whole(limits, Bytes.array(out))).containsExactly(
                new Event.Param(1, "A", "1234"),
                new Event.RequestError(1, LimitExceededException.class,
                        "length of a PARAMS value (5) exceeds maxValueLength = 4 (request id 1)"));
    }

    @Test
    void morePairsThanTheLimitRejectTheRequestAndTheRestOfItsParamsAreIgnored() {
        FcgiLimits limits = LIMITS.withMaxParamCount(2);
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeParams(out, 1, List.of(Map.entry("A", "1"), Map.entry("B", "2"), Map.entry("C", "3")));
        FcgiEncoder.writeParams(out, 1, List.of(Map.entry("D", "4")));
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDIN, 1);
        assertThat(Feed.whole(limits, Bytes.array(out))).containsExactly(
                new Event.Param(1, "A", "1"),
                new Event.Param(1, "B", "2"),
                new Event.RequestError(1, LimitExceededException.class,
                        "number of PARAMS pairs (3) exceeds maxParamCount = 2 (request id 1)"),
                new Event.StreamEnd(FcgiRecordType.STDIN, 1));
    }

    @Test
    void moreParamsBytesThanTheLimitRejectTheRequestWithoutDisturbingAnother() {
        FcgiLimits limits = LIMITS.withMaxParamsBytes(64);
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeParams(out, 1, List.of(Map.entry("A", "x".repeat(40))));
        FcgiEncoder.writeParams(out, 2, List.of(Map.entry("OTHER", "fine")));
        FcgiEncoder.writeParams(out, 1, List.of(Map.entry("B", "y".repeat(40))));
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 2);
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
        LimitExceededException expected = new LimitExceededException(1, "maxParamsBytes", 64, 86, "PARAMS bytes of one request");
        assertThat(Feed.whole(limits, Bytes.array(out))).containsExactly(
                new Event.Param(1, "A", "x".repeat(40)),
                new Event.Param(2, "OTHER", "fine"),
                new Event.RequestError(1, LimitExceededException.class, expected.getMessage()),
                new Event.ParamsEnd(2));
        assertThat(expected.limitName()).isEqualTo("maxParamsBytes");
        assertThat(expected.limit()).isEqualTo(64);
        assertThat(expected.actual()).isEqualTo(86);
    }

    @Test
    void tooManyUnfinishedParamsStreamsFailTheConnection() {
        FcgiLimits limits = LIMITS.withMaxOpenParamsStreams(3);
        ByteBuf out = Unpooled.buffer();
        for (int id = 1; id <= 4; id++) {
            FcgiEncoder.writeParams(out, id, List.of(Map.entry("N", "v")));
        }
        List<Event> events = Feed.whole(limits, Bytes.array(out));
        assertThat(events).hasSize(4);
        assertThat(events.get(3)).isEqualTo(new Event.Failed(LimitExceededException.class,
                "requests with an unfinished PARAMS stream on one connection (4) exceeds maxOpenParamsStreams = 3"));
    }

    @Test
    void endedAndAbortedStreamsFreeTheirPlaceUnderTheOpenStreamsLimit() {
        FcgiLimits limits = LIMITS.withMaxOpenParamsStreams(1);
        ByteBuf out = Unpooled.buffer();
        for (int id = 1; id <= 100; id++) {
            FcgiEncoder.writeParams(out, id, List.of(Map.entry("N", "v")));
            if (id % 2 == 0) {
                FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, id);
            } else {
                FcgiEncoder.writeAbortRequest(out, id);
            }
        }
        List<Event> events = Feed.whole(limits, Bytes.array(out));
        assertThat(events).hasSize(200).noneMatch(e -> e instanceof Event.Failed || e instanceof Event.RequestError);
    }

    @Test
    void aGetValuesPairRunningPastItsRecordFailsTheConnection() {
        assertThat(Feed.whole(LIMITS, hex("01 09 0000 0004 04 00 | 05 00 4142 00000000"))).containsExactly(
                new Event.Failed(MalformedNameValuePairException.class,
                        "a name-value pair in GET_VALUES claims 7 bytes but only 4 remain in the record"));
        assertThat(Feed.whole(LIMITS, hex("01 09 0000 0003 05 00 | 80 00 00 0000000000"))).containsExactly(
                new Event.Failed(MalformedNameValuePairException.class,
                        "GET_VALUES record ends inside the lengths of a name-value pair"));
    }

    @Test
    void aBeginRequestForAnIdWithAPendingParamsStreamStartsItAfresh() {
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true);
        out.writeBytes(hex("01 04 0001 0003 05 00 | 05 05 41 0000000000")); // half a pair
        FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true);
        FcgiEncoder.writeParams(out, 1, List.of(Map.entry("N", "v")));
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
        assertThat(Feed.whole(LIMITS, Bytes.array(out))).containsExactly(
                new Event.Begin(1, FcgiRole.RESPONDER, true),
                new Event.Begin(1, FcgiRole.RESPONDER, true),
                new Event.Param(1, "N", "v"),
                new Event.ParamsEnd(1));
    }

    @Test
    void limitsOutsideTheirRangeAreRefusedWithTheirName() {
        assertThatThrownBy(() -> LIMITS.withMaxParamsBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxParamsBytes");
        assertThatThrownBy(() -> LIMITS.withMaxOpenParamsStreams(70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxOpenParamsStreams");
        assertThatThrownBy(() -> LIMITS.withMaxNameLength(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxNameLength");
    }

    @Test
    void everyErrorTypeIsAProtocolExceptionWithoutAStackTraceCost() {
        List<FcgiProtocolException> errors = new ArrayList<>(List.of(
                new UnsupportedVersionException(9),
                new InvalidRequestIdException(FcgiRecordType.STDIN, 0),
                new InvalidRecordBodyException(1, "x"),
                new UnknownRoleException(1, 7),
                new MalformedNameValuePairException(1, "x"),
                new LimitExceededException(1, "maxParamCount", 1, 2, "x")));
        assertThat(errors).allSatisfy(e -> assertThat(e.getStackTrace()).isEmpty());
    }
}
