package io.fastpool.listener.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryStringTest {

    @Test
    void pairsSplitOnAmpersandsAndTheFirstEquals() {
        assertThat(QueryString.parse("a=1&b=2=3&c&&d=")).containsExactly(
                Map.entry("a", List.of("1")), Map.entry("b", List.of("2=3")), Map.entry("c", List.of("")), Map.entry("d", List.of("")));
    }

    @Test
    void repeatedNamesKeepEveryValueInOrder() {
        assertThat(QueryString.parse("x=1&y=2&x=3").get("x")).containsExactly("1", "3");
    }

    @Test
    void plusIsASpaceAndEscapesAreUtf8() {
        assertThat(QueryString.parse("q=caf%C3%A9+au+lait&%41=%2B").get("q")).containsExactly("café au lait");
        assertThat(QueryString.parse("%41=%2B").get("A")).containsExactly("+");
    }

    @Test
    void malformedEscapesAreKeptAsWritten() {
        assertThat(QueryString.parse("a=%zz&b=%4&c=100%").get("a")).containsExactly("%zz");
        assertThat(QueryString.parse("b=%4").get("b")).containsExactly("%4");
        assertThat(QueryString.parse("c=100%").get("c")).containsExactly("100%");
    }

    @Test
    void anEmptyQueryHasNoParameters() {
        assertThat(QueryString.parse("")).isEmpty();
        assertThat(QueryString.parse(null)).isEmpty();
    }
}
