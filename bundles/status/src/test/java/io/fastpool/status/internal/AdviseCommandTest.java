package io.fastpool.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdviseCommandTest {

    @Test
    void eachRecommendationIsFollowedByItsFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("queued", 7);
        figures.put("maxThreads", 4);
        String text = AdviseCommand.format(List.of(
                new Advice(Advice.Severity.WARNING, "raiseMaxThreads", "shop", "pool shop: raise maxThreads", figures),
                new Advice(Advice.Severity.INFO, "slowSendersCutOff", null, "2 connections were cut off", Map.of("slowSendersCutOff", 2L))));
        assertThat(text).isEqualTo("""
                WARNING pool shop: raise maxThreads
                        queued 7, maxThreads 4
                INFO    2 connections were cut off
                        slowSendersCutOff 2
                """);
    }

    @Test
    void noAdviceSaysSo() {
        assertThat(AdviseCommand.format(List.of())).isEqualTo("no advice: every figure is within its limits\n");
    }
}
