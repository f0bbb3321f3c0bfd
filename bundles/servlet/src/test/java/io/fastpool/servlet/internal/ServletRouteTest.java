package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.MappingMatch;
import org.junit.jupiter.api.Test;

class ServletRouteTest {

    @Test
    void theMatchValueIsWhatThePatternMatchedAsTheServletApiDefinesIt() {
        assertThat(new ServletRoute("", "", null, MappingMatch.CONTEXT_ROOT, "").matchValue()).isEmpty();
        assertThat(new ServletRoute("", "/", null, MappingMatch.DEFAULT, "/").matchValue()).isEmpty();
        assertThat(new ServletRoute("", "/index.html", null, MappingMatch.EXACT, "/index.html").matchValue()).isEqualTo("index.html");
        assertThat(new ServletRoute("", "/cart", "/item", MappingMatch.PATH, "/cart/*").matchValue()).isEqualTo("item");
        assertThat(new ServletRoute("", "/cart", null, MappingMatch.PATH, "/cart/*").matchValue()).isEmpty();
        assertThat(new ServletRoute("", "/a/b.jsp", null, MappingMatch.EXTENSION, "*.jsp").matchValue()).isEqualTo("a/b");
    }

    @Test
    void everythingIsAPathMappingWithTheWholePathAsPathInfo() {
        ServletRoute route = ServletRoute.everything("/shop", "/cart");

        assertThat(route.servletPath()).isEmpty();
        assertThat(route.pathInfo()).isEqualTo("/cart");
        assertThat(route.pattern()).isEqualTo("/*");
        assertThat(ServletRoute.everything("/shop", "").pathInfo()).as("nothing left: null").isNull();
    }
}
