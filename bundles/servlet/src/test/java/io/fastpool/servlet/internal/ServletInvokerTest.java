package io.fastpool.servlet.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.api.RequestBodyException;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class ServletInvokerTest {

    /** A plain servlet: greets on GET, echoes a form on POST, redirects when asked. */
    static final class GreetingServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getParameter("away") != null) {
                response.sendRedirect("elsewhere");
                return;
            }
            response.setContentType("text/plain;charset=UTF-8");
            PrintWriter out = response.getWriter();
            out.print("Hello, " + request.getParameter("name") + " at " + request.getServletPath() + request.getPathInfo());
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(HttpServletResponse.SC_CREATED);
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().print("ordered " + request.getParameter("qty") + " x " + request.getParameter("item"));
        }
    }

    private final ServletInvoker invoker = new ServletInvoker(new ServletLimits(64, 100, 8192), ErrorPageHandler.PLAIN, Clock.systemUTC());
    private final FakeResponse response = new FakeResponse();

    private void serve(FakeRequest request) throws Exception {
        invoker.service(new GreetingServlet(), request, response, ServletRoute.everything(request.contextPath(), request.pathInfo()), null, null);
    }

    @Test
    void anHttpServletAnswersAGet() throws Exception {
        serve(new FakeRequest("GET", "/greet/you?name=Ada"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/plain;charset=UTF-8");
        assertThat(response.text()).isEqualTo("Hello, Ada at /you");
    }

    @Test
    void anHttpServletAnswersAFormPost() throws Exception {
        serve(new FakeRequest("POST", "/shop/order").header("Content-Type", "application/x-www-form-urlencoded")
                .body("item=caf%C3%A9&qty=2".getBytes(UTF_8)));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.text()).isEqualTo("ordered 2 x café");
    }

    @Test
    void anHttpServletRedirects() throws Exception {
        serve(new FakeRequest("GET", "/greet/you?away=1").serverName("shop.example"));

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("Location")).isEqualTo("http://shop.example/greet/elsewhere");
    }

    @Test
    void aMethodTheServletDoesNotImplementIsAnsweredByHttpServlet() throws Exception {
        serve(new FakeRequest("DELETE", "/greet/you"));

        assertThat(response.status()).isEqualTo(405);
    }

    @Test
    void aMalformedQueryIsAnswered400WithWhatWasWrong() throws Exception {
        serve(new FakeRequest("GET", "/greet/you?name=%E", "/greet"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorMessage()).contains("malformed percent-encoding in the query string at 'name=%E'");
    }

    @Test
    void aFormOverTheLimitIsAnswered413() throws Exception {
        serve(new FakeRequest("POST", "/shop/order").header("Content-Type", "application/x-www-form-urlencoded")
                .body(("item=" + "x".repeat(100)).getBytes(UTF_8)));

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.errorMessage()).contains("105 bytes is larger than 64 bytes (maxFormContentSize)");
    }

    @Test
    void aBodyThatBreaksOffWhileParsingTheFormReachesThePoolAsTheIoErrorItWas() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new RequestBodyException("body ended after 3 of 20 bytes");
            }
        };
        FakeRequest request = new FakeRequest("POST", "/shop/order").header("Content-Type", "application/x-www-form-urlencoded")
                .body(broken);

        assertThatThrownBy(() -> serve(request)).isInstanceOf(RequestBodyException.class).hasMessageContaining("3 of 20");
    }
}
