package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WhiteboardServletTest {

    @Test
    void readsNamePatternsAndInitParametersFromTheServiceProperties() {
        WhiteboardServlet servlet = WhiteboardServlet.of(Map.of("service.id", 42L, "service.ranking", 5,
                "osgi.http.whiteboard.servlet.pattern", new String[] {"/hello/*", "*.hi"},
                "osgi.http.whiteboard.servlet.name", "greeter", "servlet.init.greeting", "Hello", "servlet.init.times", 3));

        assertThat(servlet.serviceId()).isEqualTo(42L);
        assertThat(servlet.ranking()).isEqualTo(5);
        assertThat(servlet.name()).isEqualTo("greeter");
        assertThat(servlet.patterns()).containsExactly("/hello/*", "*.hi");
        assertThat(servlet.initParams()).isEqualTo(Map.of("greeting", "Hello", "times", "3"));
        assertThat(servlet.multipart()).isNull();
        assertThat(servlet.servesDefaultContext()).isTrue();
    }

    @Test
    void asyncSupportIsABooleanOrAStringAndOffByDefault() {
        assertThat(WhiteboardServlet.of(Map.of("osgi.http.whiteboard.servlet.asyncSupported", true)).asyncSupported()).isTrue();
        assertThat(WhiteboardServlet.of(Map.of("osgi.http.whiteboard.servlet.asyncSupported", "true")).asyncSupported()).isTrue();
        assertThat(WhiteboardServlet.of(Map.of("osgi.http.whiteboard.servlet.pattern", "/a")).asyncSupported()).isFalse();
    }

    @Test
    void aSinglePatternOrACollectionWorkToo() {
        assertThat(WhiteboardServlet.of(Map.of("osgi.http.whiteboard.servlet.pattern", "/a")).patterns()).containsExactly("/a");
        assertThat(WhiteboardServlet.of(Map.of("osgi.http.whiteboard.servlet.pattern", List.of("/a", "/b"))).patterns())
                .containsExactly("/a", "/b");
        assertThat(WhiteboardServlet.of(Map.of("osgi.http.whiteboard.servlet.pattern", "/a")).name()).isNull();
    }

    @Test
    void multipartSettingsMakeAMultipartConfig() {
        WhiteboardServlet servlet = WhiteboardServlet.of(Map.of("osgi.http.whiteboard.servlet.multipart.enabled", true,
                "osgi.http.whiteboard.servlet.multipart.maxFileSize", 1000L,
                "osgi.http.whiteboard.servlet.multipart.maxRequestSize", "5000",
                "osgi.http.whiteboard.servlet.multipart.fileSizeThreshold", 10));

        assertThat(servlet.multipart().getMaxFileSize()).isEqualTo(1000L);
        assertThat(servlet.multipart().getMaxRequestSize()).isEqualTo(5000L);
        assertThat(servlet.multipart().getFileSizeThreshold()).isEqualTo(10);
        assertThat(servlet.multipart().getLocation()).isEmpty();
    }

    @Test
    void aMultipartSizeThatIsNotANumberIsRefusedWithTheValue() {
        assertThatThrownBy(() -> WhiteboardServlet.of(Map.of("osgi.http.whiteboard.servlet.multipart.enabled", "true",
                "osgi.http.whiteboard.servlet.multipart.maxFileSize", "1 MB")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'1 MB'");
    }

    @Test
    void onlyTheDefaultContextIsServed() {
        assertThat(WhiteboardServlet.of(Map.of("osgi.http.whiteboard.context.select", "(osgi.http.whiteboard.context.name=default)"))
                .servesDefaultContext()).isTrue();
        assertThat(WhiteboardServlet.of(Map.of("osgi.http.whiteboard.context.select", "(osgi.http.whiteboard.context.name=shop)"))
                .servesDefaultContext()).isFalse();
    }

    @Test
    void aHigherRankingOutranksThenTheOlderService() {
        WhiteboardServlet old = WhiteboardServlet.of(Map.of("service.id", 1L));
        WhiteboardServlet young = WhiteboardServlet.of(Map.of("service.id", 2L));
        WhiteboardServlet ranked = WhiteboardServlet.of(Map.of("service.id", 3L, "service.ranking", 1));

        assertThat(old.outranks(young)).isTrue();
        assertThat(young.outranks(old)).isFalse();
        assertThat(ranked.outranks(old)).isTrue();
    }
}
