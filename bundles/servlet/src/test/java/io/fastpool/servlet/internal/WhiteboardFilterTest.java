package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.DispatcherType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WhiteboardFilterTest {

    @Test
    void readsPatternsRegexesServletNamesAndInitParameters() {
        WhiteboardFilter filter = WhiteboardFilter.of(Map.of("service.id", 7L, "osgi.http.whiteboard.filter.pattern", "/shop/*",
                "osgi.http.whiteboard.filter.regex", ".*\\.json", "osgi.http.whiteboard.filter.servlet", "admin",
                "osgi.http.whiteboard.filter.name", "audit", "filter.init.level", "high"));

        assertThat(filter.name()).isEqualTo("audit");
        assertThat(filter.initParams()).isEqualTo(Map.of("level", "high"));
        assertThat(filter.appliesTo("/shop/cart", "cart")).isTrue();
        assertThat(filter.appliesTo("/api/items.json", "api")).isTrue();
        assertThat(filter.appliesTo("/other", "admin")).isTrue();
        assertThat(filter.appliesTo("/other", "cart")).isFalse();
    }

    @Test
    void aFilterForOtherDispatcherTypesOnlyRunsOnTheirDispatchesNotOnRequests() {
        WhiteboardFilter filter = WhiteboardFilter.of(Map.of("osgi.http.whiteboard.filter.pattern", "/*",
                "osgi.http.whiteboard.filter.dispatcher", new String[] {"FORWARD", "error"}));

        assertThat(filter.appliesTo("/x", "s")).isFalse();
        assertThat(filter.appliesTo(DispatcherType.FORWARD, "/x", "s")).isTrue();
        assertThat(filter.appliesTo(DispatcherType.ERROR, "/x", "s")).isTrue();
        assertThat(filter.appliesTo(DispatcherType.INCLUDE, "/x", "s")).isFalse();
        assertThat(WhiteboardFilter.of(Map.of("osgi.http.whiteboard.filter.pattern", "/*",
                "osgi.http.whiteboard.filter.dispatcher", new String[] {"REQUEST", "ERROR"})).appliesTo("/x", "s")).isTrue();
    }

    @Test
    void aFilterForAsyncDispatchesAppliesToThemAndSaysWhetherItSupportsAsync() {
        WhiteboardFilter filter = WhiteboardFilter.of(Map.of("osgi.http.whiteboard.filter.pattern", "/*",
                "osgi.http.whiteboard.filter.dispatcher", new String[] {"REQUEST", "ASYNC"},
                "osgi.http.whiteboard.filter.asyncSupported", "true"));

        assertThat(filter.appliesTo(DispatcherType.ASYNC, "/x", "s")).isTrue();
        assertThat(filter.appliesTo("/x", "s")).isTrue();
        assertThat(filter.asyncSupported()).isTrue();
        WhiteboardFilter plain = WhiteboardFilter.of(Map.of("osgi.http.whiteboard.filter.pattern", "/*"));
        assertThat(plain.appliesTo(DispatcherType.ASYNC, "/x", "s")).as("REQUEST only by default").isFalse();
        assertThat(plain.asyncSupported()).isFalse();
    }

    @Test
    void aNamedDispatchHasNoPathSoOnlyServletNamesCount() {
        WhiteboardFilter filter = WhiteboardFilter.of(Map.of("osgi.http.whiteboard.filter.pattern", "/*",
                "osgi.http.whiteboard.filter.servlet", "admin", "osgi.http.whiteboard.filter.dispatcher", "FORWARD"));

        assertThat(filter.appliesTo(DispatcherType.FORWARD, null, "admin")).isTrue();
        assertThat(filter.appliesTo(DispatcherType.FORWARD, null, "other")).isFalse();
    }

    void anUnknownDispatcherTypeIsRefusedWithItsName() {
        assertThatThrownBy(() -> WhiteboardFilter.of(Map.of("osgi.http.whiteboard.filter.dispatcher", "LATER")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'LATER' is not a dispatcher type");
    }

    @Test
    void aRegexThatDoesNotCompileIsRefusedWithItsReason() {
        assertThatThrownBy(() -> WhiteboardFilter.of(Map.of("osgi.http.whiteboard.filter.regex", "(")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("osgi.http.whiteboard.filter.regex '('");
    }

    @Test
    void patternsMatchAsServletPatternsDoButEveryMatchingOneCounts() {
        assertThat(WhiteboardFilter.matches("/*", "/a/b")).isTrue();
        assertThat(WhiteboardFilter.matches("/", "/a/b")).isTrue();
        assertThat(WhiteboardFilter.matches("", "/")).isTrue();
        assertThat(WhiteboardFilter.matches("", "/a")).isFalse();
        assertThat(WhiteboardFilter.matches("/a/*", "/a")).isTrue();
        assertThat(WhiteboardFilter.matches("/a/*", "/a/b/c")).isTrue();
        assertThat(WhiteboardFilter.matches("/a/*", "/ab")).isFalse();
        assertThat(WhiteboardFilter.matches("*.jsp", "/x/y.jsp")).isTrue();
        assertThat(WhiteboardFilter.matches("*.jsp", "/x.jsp/y")).isFalse();
        assertThat(WhiteboardFilter.matches("/exact", "/exact")).isTrue();
        assertThat(WhiteboardFilter.matches("/exact", "/exact/more")).isFalse();
    }

    @Test
    void aHigherRankingRunsFirstThenTheOlderService() {
        WhiteboardFilter old = WhiteboardFilter.of(Map.of("service.id", 1L));
        WhiteboardFilter ranked = WhiteboardFilter.of(Map.of("service.id", 2L, "service.ranking", 3));

        assertThat(ranked.outranks(old)).isTrue();
        assertThat(old.outranks(WhiteboardFilter.of(Map.of("service.id", 5L)))).isTrue();
    }
}
