package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;

/**
 * Resource services ({@code osgi.http.whiteboard.resource.pattern} and {@code .prefix}) of any type,
 * found by the whiteboard's service listener and served from the bundle's entries.
 */
class ResourceServletTest {

    private static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path folder;
    private final WhiteboardFakes fakes = new WhiteboardFakes();
    private ServiceReference<Object> resources;

    @BeforeEach
    void registerStaticFiles() throws Exception {
        Path css = Files.writeString(folder.resolve("site.css"), "body { color: teal }");
        Files.setLastModifiedTime(css, FileTime.from(MODIFIED));
        Files.createDirectory(folder.resolve("sub"));
        fakes.entries.put("/static/site.css", css.toUri().toURL());
        fakes.entries.put("/static/sub/", folder.resolve("sub").toUri().toURL());
        fakes.entries.put("/secret.txt", Files.writeString(folder.resolve("secret.txt"), "secret").toUri().toURL());
        resources = fakes.reference(new Object(), "osgi.http.whiteboard.resource.pattern", "/files/*",
                "osgi.http.whiteboard.resource.prefix", "/static");
        fakes.resourceListener.serviceChanged(new ServiceEvent(ServiceEvent.REGISTERED, resources));
    }

    @Test
    void aResourceIsServedWithItsTypeLengthAndDate() throws Exception {
        FakeResponse response = fakes.handle("GET", "/files/site.css");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("body { color: teal }");
        assertThat(response.header("Content-Type")).isEqualTo("text/css");
        assertThat(response.header("Content-Length")).isEqualTo("20");
        assertThat(response.header("Last-Modified")).isEqualTo("Fri, 02 Jan 2026 03:04:05 GMT");
    }

    @Test
    void aBundleUpdatedAfterTheFilesDateGivesItsOwnDateSoAHotSwapIsNeverNotModified() throws Exception {
        fakes.bundleModified = Instant.parse("2026-03-04T05:06:07.890Z").toEpochMilli();

        FakeResponse response = fakes.handle(new FakeRequest("GET", "/files/site.css", "/")
                .header("If-Modified-Since", "Fri, 02 Jan 2026 03:04:05 GMT"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Last-Modified")).isEqualTo("Wed, 04 Mar 2026 05:06:07 GMT");
    }

    @Test
    void anIfModifiedSinceNotOlderThanTheResourceIs304() throws Exception {
        FakeResponse same = fakes.handle(new FakeRequest("GET", "/files/site.css", "/")
                .header("If-Modified-Since", "Fri, 02 Jan 2026 03:04:05 GMT"));
        FakeResponse older = fakes.handle(new FakeRequest("GET", "/files/site.css", "/")
                .header("If-Modified-Since", "Thu, 01 Jan 2026 03:04:05 GMT"));

        assertThat(same.status()).isEqualTo(304);
        assertThat(same.text()).isEmpty();
        assertThat(older.status()).isEqualTo(200);
    }

    @Test
    void headHasTheHeadersWithoutTheBody() throws Exception {
        FakeResponse response = fakes.handle("HEAD", "/files/site.css");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Length")).isEqualTo("20");
        assertThat(response.text()).isEmpty();
    }

    @Test
    void aMissingResourceAFolderAndAClimbOutOfThePrefixAre404() throws Exception {
        assertThat(fakes.handle("GET", "/files/none.css").status()).isEqualTo(404);
        assertThat(fakes.handle("GET", "/files/sub/").status()).isEqualTo(404);
        assertThat(fakes.handle("GET", "/files/sub").status()).as("a folder's entry named without its slash").isEqualTo(404);
        assertThat(fakes.handle("GET", "/files/../secret.txt").status()).isEqualTo(404);
    }

    @Test
    void otherMethodsAre405() throws Exception {
        assertThat(fakes.handle("POST", "/files/site.css").status()).isEqualTo(405);
    }

    @Test
    void aServletServiceMayCarryAResourceRegistrationTooAndBothAreServed() throws Exception {
        HttpServlet console = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.getWriter().print("console " + request.getPathInfo());
            }
        };
        ServiceReference<jakarta.servlet.Servlet> both = fakes.servlet(console, "osgi.http.whiteboard.servlet.pattern", "/console/*",
                "osgi.http.whiteboard.resource.pattern", "/console/res/*", "osgi.http.whiteboard.resource.prefix", "/static");
        fakes.resourceListener.serviceChanged(new ServiceEvent(ServiceEvent.REGISTERED, both));

        assertThat(fakes.handle("GET", "/console/bundles").text()).isEqualTo("console /bundles");
        assertThat(fakes.handle("GET", "/console/res/site.css").text()).isEqualTo("body { color: teal }");
    }

    @Test
    void aResourceServiceThatGoesTakesItsRoutes() {
        fakes.resourceListener.serviceChanged(new ServiceEvent(ServiceEvent.UNREGISTERING, resources));

        assertThat(fakes.app).as("the bundle had nothing else").isNull();
    }
}
