package io.fastpool.samples.servlethello;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.samples.hello.Hello;
import io.fastpool.servlet.internal.ErrorPageHandler;
import io.fastpool.servlet.internal.ServletInvoker;
import io.fastpool.servlet.internal.ServletLimits;
import io.fastpool.servlet.internal.ServletRoute;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.http.MappingMatch;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** The servlet through Fastpool's servlet adapter answers what the WebApp hello answers. */
class HelloServletTest {

    private final ServletInvoker invoker = new ServletInvoker(ServletLimits.DEFAULTS, ErrorPageHandler.PLAIN, Clock.systemUTC());

    private FakeResponse servlet(String uri) throws Exception {
        FakeResponse response = new FakeResponse();
        FakeRequest request = new FakeRequest("GET", uri);
        request.sessions(create -> {
            throw new AssertionError("the hello must not ask for a session");
        });
        invoker.service(new HelloServlet(), request, response,
                new ServletRoute("", "/servlet-hello", null, MappingMatch.EXACT, "/servlet-hello"), null, null);
        return response;
    }

    private static FakeResponse webApp(String uri) throws Exception {
        FakeResponse response = new FakeResponse();
        new Hello().handle(new FakeRequest("GET", uri), response);
        return response;
    }

    @Test
    void helloWorldIsTheWebAppHellosStatusHeadersAndBody() throws Exception {
        FakeResponse servlet = servlet("/servlet-hello");
        FakeResponse webApp = webApp("/hello");
        assertThat(servlet.status()).isEqualTo(webApp.status()).isEqualTo(200);
        assertThat(servlet.headers("Content-Type")).isEqualTo(webApp.headers("Content-Type")).containsExactly("text/plain");
        assertThat(servlet.headers("Content-Length")).isEqualTo(webApp.headers("Content-Length"));
        assertThat(servlet.headers("Set-Cookie")).isEmpty();
        assertThat(servlet.text()).isEqualTo(webApp.text()).isEqualTo("Hello, world!");
    }

    @Test
    void aNameIsGreetedAsTheWebAppHelloGreetsIt() throws Exception {
        assertThat(servlet("/servlet-hello?name=Ada").text()).isEqualTo(webApp("/hello?name=Ada").text()).isEqualTo("Hello, Ada!");
    }
}
