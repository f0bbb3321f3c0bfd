package io.fastpool.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    private static String write(java.util.function.Consumer<JsonWriter> body) {
        StringBuilder out = new StringBuilder();
        body.accept(new JsonWriter(out));
        return out.toString();
    }

    @Test
    void membersAndElementsAreSeparatedByCommasAtEveryLevel() {
        String json = write(w -> w.beginObject().member("a", 1).name("b").beginArray().value(1).value("x").nullValue()
                .beginObject().endObject().endArray().member("c", true).endObject());
        assertThat(json).isEqualTo("{\"a\":1,\"b\":[1,\"x\",null,{}],\"c\":true}");
    }

    @Test
    void stringsAreEscapedForJsonAndSafeInsideHtml() throws Exception {
        String nasty = "quote\" back\\ nl\n tab\t nul\u0000 bell\u0007 </script><!-- & \u2028\u2029 del\u007f é 😀";
        String json = write(w -> w.beginObject().member(nasty, nasty).endObject());
        assertThat(json).doesNotContain("<", ">", "&", "\u2028", "\u2029", "\u0000", "\n");
        assertThat(json).contains("\\u003c/script\\u003e", "\\\"", "\\\\", "\\n", "\\u0000", "é", "😀");
        Map<String, Object> parsed = JSON.std.mapFrom(json);
        assertThat(parsed).containsEntry(nasty, nasty);
    }

    @Test
    void numbersJsonCannotHoldAreNullAndWholeDoublesHaveNoFraction() {
        String json = write(w -> w.beginArray().value(Double.NaN).value(Double.POSITIVE_INFINITY).value(2.0).value(0.25)
                .value(1e-7).value(Long.MAX_VALUE).endArray());
        assertThat(json).isEqualTo("[null,null,2,0.25,1.0E-7,9223372036854775807]");
    }

    @Test
    void objectValuesAreWrittenByTheirType() {
        String json = write(w -> w.beginArray().value((Object) 3).value((Object) 2.5).value((Object) "s").value((Object) false)
                .value((Object) null).value((Object) java.time.Duration.ofSeconds(1)).endArray());
        assertThat(json).isEqualTo("[3,2.5,\"s\",false,null,\"PT1S\"]");
    }
}
