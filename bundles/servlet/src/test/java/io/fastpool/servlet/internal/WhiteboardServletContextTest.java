package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

class WhiteboardServletContextTest {

    @TempDir
    Path directory;

    /** A bundle whose entries are the files of {@link #directory}. */
    private Bundle bundle() {
        return (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bundle.class}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "getSymbolicName":
                    return "shop";
                case "getEntry":
                    Path file = directory.resolve(((String) args[0]).substring(1));
                    return Files.exists(file) ? file.toUri().toURL() : null;
                case "getEntryPaths":
                    return args[0].equals("/static/") ? Collections.enumeration(List.of("static/a.css", "static/b.js")) : null;
                case "adapt":
                    return null;
                default:
                    throw new UnsupportedOperationException(method.getName());
            }
        });
    }

    /** The built-in default context as the bundle sees it. */
    private WhiteboardServletContext defaultContext() {
        Bundle bundle = bundle();
        return new WhiteboardServletContext(bundle, WhiteboardContext.BUILT_IN_DEFAULT, new DefaultContextHelper(bundle), null);
    }

    @Test
    void isTheDefaultContextAtTheRootOfServlet6() {
        WhiteboardServletContext context = defaultContext();

        assertThat(context.getContextPath()).isEmpty();
        assertThat(context.getServletContextName()).isEqualTo("default");
        assertThat(context.getMajorVersion()).isEqualTo(6);
        assertThat(context.getMimeType("logo.png")).isEqualTo("image/png");
    }

    @Test
    void resourcesComeFromTheBundlesEntries() throws Exception {
        Files.writeString(directory.resolve("index.html"), "<p>hi</p>");
        WhiteboardServletContext context = defaultContext();

        URL resource = context.getResource("/index.html");

        assertThat(resource).isNotNull();
        assertThat(context.getResourceAsStream("/index.html").readAllBytes()).isEqualTo("<p>hi</p>".getBytes());
        assertThat(context.getResource("/missing")).isNull();
        assertThat(context.getResourceAsStream("/missing")).isNull();
        assertThat(context.getResourcePaths("/static/")).containsExactlyInAnyOrder("/static/a.css", "/static/b.js");
        assertThat(context.getRealPath("/index.html")).isNull();
    }

    @Test
    void keepsAttributesAndANullValueRemovesOne() {
        WhiteboardServletContext context = defaultContext();

        context.setAttribute("count", 1);
        context.setAttribute("gone", "x");
        context.setAttribute("gone", null);

        assertThat(context.getAttribute("count")).isEqualTo(1);
        assertThat(Collections.list(context.getAttributeNames())).containsExactly("count");
        context.removeAttribute("count");
        assertThat(context.getAttribute("count")).isNull();
    }

    @Test
    void programmaticRegistrationIsRefusedWithTheReason() {
        WhiteboardServletContext context = defaultContext();

        assertThatThrownBy(() -> context.addServlet("s", "x.S")).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("from OSGi services");
        assertThatThrownBy(() -> context.setInitParameter("a", "b")).isInstanceOf(IllegalStateException.class);
    }
}
