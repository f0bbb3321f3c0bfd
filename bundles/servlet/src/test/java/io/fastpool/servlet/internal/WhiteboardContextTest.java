package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WhiteboardContextTest {

    private static WhiteboardContext context(String name, String path) {
        return WhiteboardContext.of(null, Map.of("osgi.http.whiteboard.context.name", name, "osgi.http.whiteboard.context.path", path,
                "service.id", 7L));
    }

    @Test
    void aRequestFallsInsideItsContextOnlyOnWholeSegments() {
        WhiteboardContext console = context("console", "/system/console");

        assertThat(console.contextPath()).isEqualTo("/system/console");
        assertThat(console.pathInside("/system/console")).isEmpty();
        assertThat(console.pathInside("/system/console/bundles")).isEqualTo("/bundles");
        assertThat(console.pathInside("/system/consoles")).isNull();
        assertThat(console.pathInside("/system")).isNull();
        assertThat(context("root", "/").contextPath()).isEmpty();
        assertThat(context("root", "/").pathInside("/a")).isEqualTo("/a");
    }

    @Test
    void aNameOrPathThatIsNotOneIsRefusedSayingWhich() {
        assertThatThrownBy(() -> context("with space", "/a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("osgi.http.whiteboard.context.name 'with space'");
        assertThatThrownBy(() -> context("shop", "shop")).hasMessageContaining("osgi.http.whiteboard.context.path 'shop'");
        assertThatThrownBy(() -> context("shop", "/shop/")).hasMessageContaining("no trailing '/'");
        assertThatThrownBy(() -> context("shop", "/sh op")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noSelectionMeansTheDefaultAndASelectionFiltersTheProperties() {
        assertThat(WhiteboardContext.BUILT_IN_DEFAULT.selectedBy(null)).isTrue();
        assertThat(context("shop", "/shop").selectedBy(null)).isFalse();
        assertThat(context("shop", "/shop").selectedBy("(osgi.http.whiteboard.context.path=/sh*)")).isTrue();
        assertThat(WhiteboardContext.BUILT_IN_DEFAULT.selectedBy(WhiteboardContext.DEFAULT_SELECT)).isTrue();
    }

    @Test
    void ofTwoContextsOfOneNameTheHigherRankedThenTheOlderIsUsed() {
        ServletContexts contexts = new ServletContexts();
        WhiteboardContext site = WhiteboardContext.of(null, Map.of("osgi.http.whiteboard.context.name", "default",
                "osgi.http.whiteboard.context.path", "/site", "service.id", 9L, "service.ranking", 1));
        assertThat(contexts.selectedBy(null)).containsExactly(WhiteboardContext.BUILT_IN_DEFAULT);
        assertThat(contexts.put(null, site)).as("in use changed").isTrue();
        assertThat(contexts.selectedBy(null)).containsExactly(site);
        assertThat(contexts.remove(null)).isTrue();
        assertThat(contexts.selectedBy(null)).containsExactly(WhiteboardContext.BUILT_IN_DEFAULT);
    }
}
