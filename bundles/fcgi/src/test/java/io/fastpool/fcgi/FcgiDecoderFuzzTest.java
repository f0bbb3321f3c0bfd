package io.fastpool.fcgi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Random;

/**
 * Fuzzes {@link FcgiDecoder} with Jazzer.
 *
 * <p>Every build runs it in regression mode over the committed seed corpus in
 * {@code src/test/resources/io/fastpool/fcgi/FcgiDecoderFuzzTestInputs/}. To fuzz:
 * <pre>JAZZER_FUZZ=1 mvn -pl bundles/fcgi test -Dtest=FcgiDecoderFuzzTest</pre>
 *
 * <p>The oracle: any exception other than a {@link FcgiProtocolException} is a bug (an index out
 * of bounds, an arithmetic overflow, an allocation from a claimed length running out of memory);
 * the same bytes decoded in one piece and in random chunks must give the same events, and so must
 * their whole records handed over one by one, as the transport's framer does; every
 * decoded pair respects the limits; no netty buffer leaks (checked after the class).
 */
class FcgiDecoderFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void decodeAnyBytes(FuzzedDataProvider data) {
        // Small limits some of the time, so the fuzzer reaches the limit checks with small inputs.
        FcgiLimits limits = data.consumeBoolean()
                ? new FcgiLimits(data.consumeInt(1, 4096), data.consumeInt(1, 64), data.consumeInt(1, 512),
                        data.consumeInt(0, 2048), data.consumeInt(1, 8))
                : FcgiLimits.DEFAULTS;
        long chunkSeed = data.consumeLong();
        byte[] input = data.consumeRemainingAsBytes();

        List<Event> whole = Feed.whole(limits, input);
        Random random = new Random(chunkSeed);
        List<Event> chunked = Feed.chunked(limits, input, remaining -> random.nextBoolean() ? 1 + random.nextInt(9) : 1 + random.nextInt(remaining));
        assertThat(chunked).isEqualTo(whole);
        // The framer never hands over a trailing partial record, whose header the streaming decoder may already refuse.
        byte[] wholeRecords = java.util.Arrays.copyOf(input, Feed.wholeRecordsLength(input));
        assertThat(Feed.recordByRecord(limits, input)).isEqualTo(Feed.whole(limits, wholeRecords));

        for (Event event : whole) {
            if (event instanceof Event.Param param) {
                assertThat(param.name().length()).isLessThanOrEqualTo(limits.maxNameLength());
                assertThat(param.value().length()).isLessThanOrEqualTo(limits.maxValueLength());
            }
        }
    }
}
