package io.fastpool.jaxrs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceMountTest {

    @Test
    void resourcesAreMountedAtTheLiteralSegmentsTheyShare() {
        assertThat(ResourceMount.of(List.of("/greetings", "/greetings/{name}", "/greetings/{name}/later"))).isEqualTo("/greetings");
        assertThat(ResourceMount.of(List.of("/api/v1/items", "/api/v2/items/{id}"))).isEqualTo("/api");
    }

    @Test
    void aTemplateEndsTheLiteralPartWhateverItsPattern() {
        assertThat(ResourceMount.of(List.of("/items/{id: [0-9]+}/parts", "/items/{id: [0-9]+}"))).isEqualTo("/items");
        assertThat(ResourceMount.of(List.of("/shop/cart{format}"))).isEqualTo("/shop");
    }

    @Test
    void pathsAsTheDtosWriteThemJoinToTheSameMount() {
        String joined = ResourceMount.join("/", "greetings/{name}");
        String withSlashes = ResourceMount.join("/shop/", "/cart/");

        assertThat(ResourceMount.of(List.of(joined))).isEqualTo("/greetings");
        assertThat(ResourceMount.of(List.of(withSlashes))).isEqualTo("/shop/cart");
        assertThat(ResourceMount.of(List.of(ResourceMount.join(null, "a")))).isEqualTo("/a");
    }

    @Test
    void resourcesThatShareNothingOrStartWithATemplateHaveNoMountOfTheirOwn() {
        assertThat(ResourceMount.of(List.of("/greetings", "/farewells"))).isNull();
        assertThat(ResourceMount.of(List.of("/{anything}"))).isNull();
        assertThat(ResourceMount.of(List.of("/"))).isNull();
        assertThat(ResourceMount.of(List.of())).isNull();
    }
}
