package io.fastpool.samples.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.servlet.internal.ErrorPageHandler;
import io.fastpool.servlet.internal.ServletInvoker;
import io.fastpool.servlet.internal.ServletLimits;
import io.fastpool.servlet.internal.ServletRoute;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.MappingMatch;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample's upload, error page and static style sheet, through Fastpool's servlet adapter. */
class UploadAndErrorPageTest {

    private static final String BOUNDARY = "----sample4f7a";

    @TempDir
    Path location;
    private final ServletInvoker invoker = new ServletInvoker(ServletLimits.DEFAULTS, ErrorPageHandler.PLAIN, Clock.systemUTC());

    private FakeResponse upload(String parts) throws Exception {
        String body = parts + "--" + BOUNDARY + "--\r\n";
        FakeRequest request = new FakeRequest("POST", "/servlet/upload").header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .body(body.getBytes(UTF_8));
        FakeResponse response = new FakeResponse();
        invoker.service(new UploadServlet(), request, response,
                new ServletRoute("", "/servlet/upload", null, MappingMatch.EXACT, "/servlet/upload"), null,
                new MultipartConfigElement(location.toString(), UploadServlet.MAX_FILE_SIZE, -1, 0));
        return response;
    }

    private static String filePart(String fileName, String content) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: text/plain\r\n\r\n" + content + "\r\n";
    }

    @Test
    void anUploadedFileIsAnsweredWithItsNameSizeAndSha256() throws Exception {
        FakeResponse response = upload(filePart("notes.txt", "abc"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("Received notes.txt: 3 bytes, SHA-256 "
                + "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void anUploadWithoutAFileIs400() throws Exception {
        FakeResponse response = upload("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n");

        assertThat(response.status()).isEqualTo(400);
    }

    @Test
    void theErrorPageShowsTheErrorEscapedAndLinksBack() throws Exception {
        FakeResponse response = new FakeResponse();
        invoker.service((request, servletResponse) -> {
            request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 404);
            request.setAttribute(RequestDispatcher.ERROR_MESSAGE, "no page <b> here");
            request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, "/servlet/<b>");
            new ErrorPageServlet().service(request, servletResponse);
        }, new FakeRequest("GET", "/servlet/x"), response, ServletRoute.everything("", "/servlet/x"), null, null);

        assertThat(response.text()).contains("<h1>Error 404</h1>").contains("/servlet/&lt;b&gt;: no page &lt;b&gt; here")
                .contains("<a href=\"/servlet/\">");
        assertThat(response.header("Content-Type")).isEqualTo("text/html;charset=UTF-8");
    }

    @Test
    void theErrorPageKeepsA5xxsMessageFromTheClient() throws Exception {
        FakeResponse response = new FakeResponse();
        invoker.service((request, servletResponse) -> {
            request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
            request.setAttribute(RequestDispatcher.ERROR_MESSAGE, "password=secret");
            new ErrorPageServlet().service(request, servletResponse);
        }, new FakeRequest("GET", "/servlet/x"), response, ServletRoute.everything("", "/servlet/x"), null, null);

        assertThat(response.text()).contains("<h1>Error 500</h1>").doesNotContain("secret").contains("the server's log says why");
    }

    /** The component description bnd wrote from the whiteboard annotations (before the tests run). */
    private static String component(Class<?> type) throws Exception {
        try (InputStream xml = type.getResourceAsStream("/OSGI-INF/" + type.getName() + ".xml")) {
            assertThat(xml).as("the component description of " + type.getSimpleName()).isNotNull();
            return new String(xml.readAllBytes(), UTF_8);
        }
    }

    @Test
    void theFormsStyleSheetIsAFileTheResourceRegistrationServes() throws Exception {
        // The form at /servlet/ links static/servlet.css: /servlet/static/* with the prefix /static gives /static/servlet.css.
        assertThat(component(StaticFiles.class)).contains("name=\"osgi.http.whiteboard.resource.pattern\" type=\"String\">/servlet/static/*<")
                .contains("name=\"osgi.http.whiteboard.resource.prefix\" type=\"String\" value=\"/static\"");
        assertThat(StaticFiles.class.getResource("/static/servlet.css")).as("the style sheet is in the bundle").isNotNull();
    }

    @Test
    void theUploadTakesMultipartAndTheErrorPageEveryErrorStatus() throws Exception {
        assertThat(component(UploadServlet.class)).contains("osgi.http.whiteboard.servlet.multipart.enabled\" type=\"Boolean\" value=\"true\"");
        assertThat(component(ErrorPageServlet.class)).contains("name=\"osgi.http.whiteboard.servlet.errorPage\" type=\"String\">4xx\n5xx<");
    }
}
