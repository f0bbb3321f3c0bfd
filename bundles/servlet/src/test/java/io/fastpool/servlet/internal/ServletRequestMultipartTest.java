package io.fastpool.servlet.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServletRequestMultipartTest {

    private static final String BOUNDARY = "----fastpool7MA4YWxk";

    @TempDir
    Path location;

    private static String body(String... parts) {
        StringBuilder body = new StringBuilder();
        for (String part : parts) {
            body.append("--").append(BOUNDARY).append("\r\n").append(part).append("\r\n");
        }
        return body.append("--").append(BOUNDARY).append("--\r\n").toString();
    }

    private static String field(String name, String value) {
        return "Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value;
    }

    private static String file(String name, String fileName, String content) {
        return "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: text/plain\r\n\r\n" + content;
    }

    private static FakeRequest upload(String body) {
        return new FakeRequest("POST", "/app/upload?from=query").header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .body(body.getBytes(UTF_8));
    }

    private ServletRequestAdapter adapt(FakeRequest request, MultipartConfigElement multipart) {
        return new ServletRequestAdapter(request, ServletRoute.everything(request.contextPath(), request.pathInfo()), null,
                ServletLimits.DEFAULTS, multipart, 1);
    }

    private MultipartConfigElement config(long maxFileSize) {
        return new MultipartConfigElement(location.toString(), maxFileSize, -1, 0);
    }

    private long filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        }
    }

    @Test
    void partsCarryTheirNamesHeadersAndContentAndFieldsAreParameters() throws Exception {
        ServletRequestAdapter request = adapt(upload(body(field("title", "caf\u00e9"), file("doc", "notes.txt", "line one\nline two"))),
                config(-1));

        assertThat(request.getParts()).extracting(Part::getName).containsExactly("title", "doc");
        Part doc = request.getPart("doc");
        assertThat(doc.getSubmittedFileName()).isEqualTo("notes.txt");
        assertThat(doc.getContentType()).isEqualTo("text/plain");
        assertThat(doc.getHeader("content-disposition")).contains("filename=\"notes.txt\"");
        assertThat(doc.getSize()).isEqualTo(17);
        assertThat(new String(doc.getInputStream().readAllBytes(), UTF_8)).isEqualTo("line one\nline two");
        assertThat(request.getPart("title").getSubmittedFileName()).isNull();
        assertThat(request.getPart("absent")).isNull();
        assertThat(request.getParameter("title")).isEqualTo("café");
        assertThat(request.getParameter("from")).isEqualTo("query");
        assertThat(request.getParameter("doc")).as("a file is a part, not a parameter").isNull();
    }

    @Test
    void aPartWritesUnderTheLocationAndTheRequestsFilesAreDeletedWhenItEnds() throws Exception {
        ServletRequestAdapter request = adapt(upload(body(file("doc", "a.txt", "kept"), file("other", "b.txt", "temporary"))), config(-1));
        request.getPart("doc").write("saved.txt");
        long stored = filesIn(location);

        request.cleanUp();

        assertThat(Files.readString(location.resolve("saved.txt"))).isEqualTo("kept");
        assertThat(stored).as("saved.txt and the other part's temporary file").isEqualTo(2);
        assertThat(filesIn(location)).as("only what the servlet saved stays").isEqualTo(1);
    }

    @Test
    void aServletWithoutMultipartConfigurationCannotReadParts() {
        ServletRequestAdapter request = adapt(upload(body(field("a", "1"))), null);

        assertThatThrownBy(request::getParts).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no multipart configuration");
        assertThat(request.getParameter("a")).as("nor are its fields parameters").isNull();
    }

    @Test
    void aRequestThatIsNotMultipartHasNoParts() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/app/x"), config(-1));

        assertThatThrownBy(request::getParts).isInstanceOf(ServletException.class).hasMessageContaining("not a multipart/form-data request");
    }

    @Test
    void aFileOverMaxFileSizeIsRefusedAsTheApiSays() {
        ServletRequestAdapter request = adapt(upload(body(file("doc", "big.txt", "x".repeat(100)))), config(10));

        assertThatThrownBy(request::getParts).isInstanceOf(IllegalStateException.class)
                .isInstanceOf(MultipartTooLargeException.class).hasMessageContaining("over its limit");
        assertThatThrownBy(request::getParts).as("every call").isInstanceOf(MultipartTooLargeException.class);
    }

    @Test
    void moreFilesThanMaxFormKeysIsRefused() {
        FakeRequest fake = upload(body(file("a", "a.txt", "1"), file("b", "b.txt", "2"), file("c", "c.txt", "3")));
        ServletRequestAdapter request = new ServletRequestAdapter(fake, ServletRoute.everything("/app", "/upload"), null,
                new ServletLimits(1000, 2, 8192), config(-1), 1);

        assertThatThrownBy(request::getParts).isInstanceOf(MultipartTooLargeException.class);
    }

    @Test
    void aBrokenMultipartBodyIsABadRequest() {
        FakeRequest fake = new FakeRequest("POST", "/app/upload").header("Content-Type", "multipart/form-data")
                .body("no boundary anywhere".getBytes(UTF_8));
        ServletRequestAdapter request = adapt(fake, config(-1));

        assertThatThrownBy(request::getParts).isInstanceOf(MalformedMultipartException.class)
                .hasMessageContaining("could not be read")
                .satisfies(e -> assertThat(((BadRequestException) e).status()).isEqualTo(400));
    }

    @Test
    void anUploadServletGetsItsFileAndAnOversizedUploadIsAnswered413() throws Exception {
        HttpServlet servlet = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
                Part doc = request.getPart("doc");
                response.getWriter().print(doc.getSubmittedFileName() + " " + doc.getSize());
            }
        };
        ServletInvoker invoker = new ServletInvoker(ServletLimits.DEFAULTS, ErrorPageHandler.PLAIN, Clock.systemUTC());

        FakeResponse small = new FakeResponse();
        FakeRequest fits = upload(body(file("doc", "a.txt", "12345")));
        invoker.service(servlet, fits, small, ServletRoute.everything("/app", "/upload"), null, config(10));
        FakeResponse big = new FakeResponse();
        FakeRequest tooBig = upload(body(file("doc", "a.txt", "x".repeat(11))));
        invoker.service(servlet, tooBig, big, ServletRoute.everything("/app", "/upload"), null, config(10));

        assertThat(small.text()).isEqualTo("a.txt 5");
        assertThat(big.status()).isEqualTo(413);
        assertThat(filesIn(location)).as("temporary files deleted when the servlet returned").isZero();
    }
}
