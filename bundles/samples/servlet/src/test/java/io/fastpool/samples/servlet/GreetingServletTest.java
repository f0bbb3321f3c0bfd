package io.fastpool.samples.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.api.Session;
import io.fastpool.servlet.internal.ErrorPageHandler;
import io.fastpool.servlet.internal.ServletInvoker;
import io.fastpool.servlet.internal.ServletLimits;
import io.fastpool.servlet.internal.ServletRoute;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import io.fastpool.testkit.FakeSession;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.MappingMatch;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** The sample through Fastpool's servlet adapter and its filter, as the whiteboard serves /servlet/*. */
class GreetingServletTest {

    private final ServletInvoker invoker = new ServletInvoker(ServletLimits.DEFAULTS, ErrorPageHandler.PLAIN, Clock.systemUTC());
    private final GreetingServlet servlet = new GreetingServlet();
    private final PoweredByFilter filter = new PoweredByFilter();
    /** The one session the fake pool keeps. */
    private Session session;

    private FakeResponse serve(FakeRequest request, String pathInfo) throws Exception {
        FakeResponse response = new FakeResponse();
        request.sessions(create -> {
            if (session == null && create) {
                session = new FakeSession("s1");
            }
            return session;
        });
        FilterChain chain = (req, res) -> filter.doFilter(req, res, (innerRequest, innerResponse) -> servlet.service(innerRequest, innerResponse));
        invoker.service(chain, request, response, new ServletRoute("", "/servlet", pathInfo, MappingMatch.PATH, "/servlet/*"), null, null);
        return response;
    }

    @Test
    void theFormPostsToGreet() throws Exception {
        FakeResponse response = serve(new FakeRequest("GET", "/servlet/"), "/");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/html;charset=UTF-8");
        assertThat(response.text()).contains("<form method=\"post\" action=\"greet\">");
        assertThat(response.header(PoweredByFilter.HEADER)).isEqualTo("io.fastpool.samples.servlet");
        assertThat(session).as("the form makes no session").isNull();
    }

    @Test
    void aPostedNameIsAnsweredWithARedirectToTheGreeting() throws Exception {
        FakeRequest post = new FakeRequest("POST", "/servlet/greet").header("Content-Type", "application/x-www-form-urlencoded")
                .body("name=Ada+L%C3%B6v".getBytes(UTF_8));
        FakeResponse response = serve(post, "/greet");
        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("Location")).endsWith("/servlet/hello?name=Ada+L%C3%B6v");
    }

    @Test
    void aPostWithoutANameIs400() throws Exception {
        FakeRequest post = new FakeRequest("POST", "/servlet/greet").header("Content-Type", "application/x-www-form-urlencoded")
                .body("name=".getBytes(UTF_8));
        assertThat(serve(post, "/greet").status()).isEqualTo(400);
    }

    @Test
    void theGreetingCountsVisitsInTheSession() throws Exception {
        assertThat(serve(new FakeRequest("GET", "/servlet/hello?name=Ada"), "/hello").text())
                .isEqualTo("Hello, Ada! Visit 1 in this session.");
        assertThat(serve(new FakeRequest("GET", "/servlet/hello?name=Ada"), "/hello").text())
                .isEqualTo("Hello, Ada! Visit 2 in this session.");
        assertThat(session.attribute(GreetingServlet.VISITS)).isEqualTo(2);
    }

    @Test
    void anotherPageIs404() throws Exception {
        assertThat(serve(new FakeRequest("GET", "/servlet/nope"), "/nope").status()).isEqualTo(404);
    }
}
