package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.MappingMatch;
import org.junit.jupiter.api.Test;

class ServletMappingTest {

    private static ServletMapping<String> mapping(String... patterns) {
        ServletMapping.Builder<String> builder = ServletMapping.builder();
        for (String pattern : patterns) {
            builder.add(pattern, "servlet " + pattern);
        }
        return builder.build();
    }

    private static ServletRoute route(ServletMapping<String> mapping, String path) {
        return mapping.match("", path).route();
    }

    @Test
    void anExactPatternBeatsEveryOther() {
        ServletMapping<String> mapping = mapping("/", "/*", "/catalog/*", "*.jsp", "/catalog/index.jsp");

        ServletMapping.Match<String> match = mapping.match("", "/catalog/index.jsp");

        assertThat(match.target()).isEqualTo("servlet /catalog/index.jsp");
        assertThat(match.route()).isEqualTo(new ServletRoute("", "/catalog/index.jsp", null, MappingMatch.EXACT, "/catalog/index.jsp"));
    }

    @Test
    void theLongestPathPrefixWinsAndTheRestIsPathInfo() {
        ServletMapping<String> mapping = mapping("/*", "/a/*", "/a/b/*");

        assertThat(mapping.match("", "/a/b/c/d").target()).isEqualTo("servlet /a/b/*");
        assertThat(route(mapping, "/a/b/c/d")).isEqualTo(new ServletRoute("", "/a/b", "/c/d", MappingMatch.PATH, "/a/b/*"));
        assertThat(route(mapping, "/a/x")).isEqualTo(new ServletRoute("", "/a", "/x", MappingMatch.PATH, "/a/*"));
        assertThat(route(mapping, "/other")).isEqualTo(new ServletRoute("", "", "/other", MappingMatch.PATH, "/*"));
    }

    @Test
    void aPrefixMatchesItsOwnPathWithoutPathInfoAndWithATrailingSlash() {
        ServletMapping<String> mapping = mapping("/hello/*");

        assertThat(route(mapping, "/hello")).isEqualTo(new ServletRoute("", "/hello", null, MappingMatch.PATH, "/hello/*"));
        assertThat(route(mapping, "/hello/")).isEqualTo(new ServletRoute("", "/hello", "/", MappingMatch.PATH, "/hello/*"));
        assertThat(mapping.match("", "/helloworld")).isNull();
    }

    @Test
    void anExtensionMatchesOnlyTheLastSegmentAndComesAfterPrefixes() {
        ServletMapping<String> mapping = mapping("*.jsp", "/static/*");

        assertThat(route(mapping, "/shop/cart.jsp")).isEqualTo(new ServletRoute("", "/shop/cart.jsp", null, MappingMatch.EXTENSION, "*.jsp"));
        assertThat(mapping.match("", "/static/page.jsp").target()).isEqualTo("servlet /static/*");
        assertThat(mapping.match("", "/dir.jsp/page")).isNull();
    }

    @Test
    void theDefaultServletTakesWhatNothingElseMatches() {
        ServletMapping<String> mapping = mapping("/", "/api/*");

        assertThat(route(mapping, "/images/logo.png")).isEqualTo(new ServletRoute("", "/images/logo.png", null, MappingMatch.DEFAULT, "/"));
        assertThat(mapping.match("", "/api/x").target()).isEqualTo("servlet /api/*");
    }

    @Test
    void theEmptyPatternIsTheContextRootOnly() {
        ServletMapping<String> mapping = mapping("", "/");

        assertThat(route(mapping, "/")).isEqualTo(new ServletRoute("", "", "/", MappingMatch.CONTEXT_ROOT, ""));
        assertThat(mapping.match("", "/x").target()).isEqualTo("servlet /");
    }

    @Test
    void theContextPathIsReportedAsGiven() {
        assertThat(mapping("/a/*").match("/shop", "/a/b").route().contextPath()).isEqualTo("/shop");
    }

    @Test
    void theFirstTargetGivenAPatternKeepsIt() {
        ServletMapping.Builder<String> builder = ServletMapping.builder();

        assertThat(builder.add("/a/*", "first")).isTrue();
        assertThat(builder.add("/a/*", "second")).isFalse();
        assertThat(builder.build().match("", "/a/b").target()).isEqualTo("first");
    }

    @Test
    void patternsTheSpecificationDoesNotAllowAreRefused() {
        assertThat(ServletMapping.isValidPattern("hello")).isFalse();
        assertThat(ServletMapping.isValidPattern("/a/*/b")).isFalse();
        assertThat(ServletMapping.isValidPattern("/a*")).isFalse();
        assertThat(ServletMapping.isValidPattern("*.")).isFalse();
        assertThat(ServletMapping.isValidPattern("*.a/b")).isFalse();
        assertThat(ServletMapping.<String>builder().add("hello", "x")).isFalse();
        assertThat(ServletMapping.isValidPattern("/a/b")).isTrue();
        assertThat(ServletMapping.isValidPattern("/*")).isTrue();
        assertThat(ServletMapping.isValidPattern("*.do")).isTrue();
    }

    @Test
    void theCommonPrefixIsTheLongestSharedRunOfWholeSegments() {
        assertThat(mapping("/hello/*").commonPrefix()).isEqualTo("/hello");
        assertThat(mapping("/api/v1/*", "/api/v2/users", "/api/vx").commonPrefix()).isEqualTo("/api");
        assertThat(mapping("/apple/*", "/app/*").commonPrefix()).isEqualTo("");
        assertThat(mapping("/a/*", "*.jsp").commonPrefix()).isEqualTo("");
        assertThat(mapping("/a/*", "/").commonPrefix()).isEqualTo("");
        assertThat(mapping("/*").commonPrefix()).isEqualTo("");
    }

    @Test
    void aSlashStarBesideAnotherPrefixSharesNothingWithIt() {
        assertThat(mapping("/*", "/a/*").commonPrefix()).isEqualTo("");
        assertThat(ServletMapping.commonSegments("", "/a")).isEqualTo("");
        assertThat(ServletMapping.commonSegments("/system/console", "/system")).isEqualTo("/system");
    }

    @Test
    void targetsListsEachTargetOnce() {
        ServletMapping.Builder<String> builder = ServletMapping.builder();
        builder.add("/a/*", "one");
        builder.add("*.x", "one");
        builder.add("/", "two");

        assertThat(builder.build().targets()).containsExactlyInAnyOrder("one", "two");
        assertThat(ServletMapping.<String>builder().build().isEmpty()).isTrue();
    }
}
