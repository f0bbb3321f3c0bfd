package io.fastpool.fcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.NettyLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Encode, then decode at random split points: whatever the records' sizes, their padding and the
 * chunks the bytes arrive in, the decoder reports exactly what was encoded.
 */
class FcgiRoundTripProperties {

    private static final FcgiLimits LIMITS = FcgiLimits.DEFAULTS;

    @AfterContainer
    static void noBufferLeaked() {
        NettyLeaks.assertNoLeaks();
    }

    @Property(tries = 300)
    void pairSetsSurviveAnySplitIntoRecordsAndChunks(@ForAll("pairLists") List<Map.Entry<String, String>> pairs,
            @ForAll Random random) {
        ByteBuf content = Unpooled.buffer();
        for (Map.Entry<String, String> pair : pairs) {
            FcgiEncoder.writePair(content, pair.getKey(), pair.getValue());
        }
        Plan plan = new Plan(random);
        plan.cutIntoRecords(FcgiRecordType.PARAMS, 7, content);
        plan.raw(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 7));
        List<Event> expected = new ArrayList<>();
        pairs.forEach(p -> expected.add(new Event.Param(7, p.getKey(), p.getValue())));
        expected.add(new Event.ParamsEnd(7));

        assertThat(Feed.chunked(LIMITS, plan.bytes(), plan.chunker())).isEqualTo(expected);
    }

    @Property(tries = 300)
    void pairSetsWrittenByTheEncoderComeBackInOrder(@ForAll("pairLists") List<Map.Entry<String, String>> pairs,
            @ForAll Random random) {
        ByteBuf out = Unpooled.buffer();
        FcgiEncoder.writeParams(out, 3, pairs);
        FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 3);
        List<Event> expected = new ArrayList<>();
        pairs.forEach(p -> expected.add(new Event.Param(3, p.getKey(), p.getValue())));
        expected.add(new Event.ParamsEnd(3));
        assertThat(Feed.chunked(LIMITS, Bytes.array(out), new Plan(random).chunker())).isEqualTo(expected);
    }

    @Property(tries = 200)
    void streamsDecodeToTheSameBytesWhateverTheirSplit(@ForAll("streamTypes") FcgiRecordType type,
            @ForAll("contents") byte[] body, @ForAll Random random) {
        Plan plan = new Plan(random);
        plan.cutIntoRecords(type, 1, Unpooled.wrappedBuffer(body));
        plan.raw(out -> FcgiEncoder.writeStreamEnd(out, type, 1));
        List<Event> events = Feed.chunked(LIMITS, plan.bytes(), plan.chunker());

        StringBuilder received = new StringBuilder();
        for (Event event : events.subList(0, events.size() - 1)) {
            received.append(((Event.Data) event).content());
        }
        assertThat(received.toString()).isEqualTo(new String(body, StandardCharsets.ISO_8859_1));
        assertThat(events.get(events.size() - 1)).isEqualTo(new Event.StreamEnd(type, 1));
    }

    @Property(tries = 200)
    void anySequenceOfRecordsRoundTripsAndChunkingChangesNothing(@ForAll Random random) {
        Plan plan = new Plan(random);
        int records = 1 + random.nextInt(30);
        for (int i = 0; i < records; i++) {
            plan.randomRecord();
        }
        byte[] bytes = plan.bytes();
        assertThat(Feed.chunked(LIMITS, bytes, plan.chunker())).isEqualTo(plan.expected);
        assertThat(Feed.byteByByte(LIMITS, bytes)).isEqualTo(plan.expected);
        assertThat(Feed.whole(LIMITS, bytes)).isEqualTo(plan.expected);
    }

    @Provide
    Arbitrary<List<Map.Entry<String, String>>> pairLists() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(300);
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(200),
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(120).ofMaxLength(5000));
        return Combinators.combine(names, values).as(Map::entry).list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<FcgiRecordType> streamTypes() {
        return Arbitraries.of(FcgiRecordType.STDIN, FcgiRecordType.STDOUT, FcgiRecordType.STDERR, FcgiRecordType.DATA);
    }

    @Provide
    Arbitrary<byte[]> contents() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300),
                Arbitraries.bytes().array(byte[].class).ofMinSize(60000).ofMaxSize(140000));
    }

    /** Builds an input record by record, with the events the decoder must report for it. */
    private static final class Plan {
        private final Random random;
        private final ByteBuf out = Unpooled.buffer();
        final List<Event> expected = new ArrayList<>();

        Plan(Random random) {
            this.random = random;
        }

        byte[] bytes() {
            return Bytes.array(out);
        }

        java.util.function.IntUnaryOperator chunker() {
            long seed = random.nextLong();
            Random chunks = new Random(seed);
            return remaining -> switch (chunks.nextInt(4)) {
                case 0 -> 1;
                case 1 -> 1 + chunks.nextInt(16);
                case 2 -> 1 + chunks.nextInt(4096);
                default -> remaining;
            };
        }

        void raw(java.util.function.Consumer<ByteBuf> writer) {
            writer.accept(out);
        }

        /** Cuts {@code content} into records of random non-zero sizes, each with random padding. */
        void cutIntoRecords(FcgiRecordType type, int requestId, ByteBuf content) {
            while (content.isReadable()) {
                int length = 1 + random.nextInt(Math.min(content.readableBytes(), random.nextBoolean() ? 64 : Fcgi.MAX_CONTENT_LENGTH));
                ByteBuf piece = content.readSlice(length);
                FcgiEncoder.writeRecord(out, type.code(), requestId, piece, random.nextInt(256));
                if (type != FcgiRecordType.PARAMS) {
                    expected.add(new Event.Data(type, requestId, piece.toString(StandardCharsets.ISO_8859_1)));
                }
            }
        }

        void randomRecord() {
            int id = 1 + random.nextInt(Fcgi.MAX_REQUEST_ID);
            switch (random.nextInt(9)) {
                case 0 -> {
                    FcgiRole role = FcgiRole.values()[random.nextInt(3)];
                    boolean keep = random.nextBoolean();
                    FcgiEncoder.writeBeginRequest(out, id, role, keep);
                    expected.add(new Event.Begin(id, role, keep));
                }
                case 1 -> {
                    FcgiEncoder.writeAbortRequest(out, id);
                    expected.add(new Event.Abort(id));
                }
                case 2 -> {
                    int appStatus = random.nextInt();
                    FcgiProtocolStatus status = FcgiProtocolStatus.values()[random.nextInt(4)];
                    FcgiEncoder.writeEndRequest(out, id, appStatus, status);
                    expected.add(new Event.End(id, appStatus, status));
                }
                case 3 -> {
                    List<Map.Entry<String, String>> pairs = new ArrayList<>();
                    int count = random.nextInt(6);
                    for (int i = 0; i < count; i++) {
                        pairs.add(Map.entry(text(1 + random.nextInt(200)), text(random.nextInt(400))));
                    }
                    ByteBuf content = Unpooled.buffer();
                    pairs.forEach(p -> FcgiEncoder.writePair(content, p.getKey(), p.getValue()));
                    cutIntoRecords(FcgiRecordType.PARAMS, id, content);
                    FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, id);
                    pairs.forEach(p -> expected.add(new Event.Param(id, p.getKey(), p.getValue())));
                    expected.add(new Event.ParamsEnd(id));
                }
                case 4 -> {
                    FcgiRecordType type = FcgiRecordType.values()[4 + random.nextInt(4)];
                    byte[] body = new byte[1 + random.nextInt(3000)];
                    random.nextBytes(body);
                    cutIntoRecords(type, id, Unpooled.wrappedBuffer(body));
                    if (random.nextBoolean()) {
                        FcgiEncoder.writeStreamEnd(out, type, id);
                        expected.add(new Event.StreamEnd(type, id));
                    }
                }
                case 5 -> {
                    List<String> names = List.of(Fcgi.MAX_CONNS, Fcgi.MAX_REQS, Fcgi.MPXS_CONNS).subList(0, random.nextInt(4));
                    FcgiEncoder.writeGetValues(out, names);
                    expected.add(new Event.GetValues(names));
                }
                case 6 -> {
                    Map<String, String> values = new LinkedHashMap<>();
                    values.put(Fcgi.MAX_CONNS, Integer.toString(random.nextInt(100000)));
                    if (random.nextBoolean()) {
                        values.put(Fcgi.MPXS_CONNS, random.nextBoolean() ? "1" : "0");
                    }
                    FcgiEncoder.writeGetValuesResult(out, values);
                    expected.add(new Event.GetValuesResult(values));
                }
                case 7 -> {
                    int type = random.nextInt(256);
                    FcgiEncoder.writeUnknownType(out, type);
                    expected.add(new Event.UnknownType(type));
                }
                default -> {
                    int type = 12 + random.nextInt(244);
                    int requestId = random.nextBoolean() ? 0 : id;
                    byte[] body = new byte[random.nextInt(100)];
                    FcgiEncoder.writeRecord(out, type, requestId, Unpooled.wrappedBuffer(body), random.nextInt(256));
                    expected.add(new Event.Unrecognized(type, requestId));
                }
            }
        }

        private String text(int length) {
            char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = (char) random.nextInt(256);
            }
            return new String(chars);
        }
    }
}
