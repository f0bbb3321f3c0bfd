package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** sendError and uncaught exceptions through a bundle's error pages (osgi.http.whiteboard.servlet.errorPage). */
class ErrorPageDispatchTest {

    private final WhiteboardFakes fakes = new WhiteboardFakes();

    /** Answers as its path says: /missing sends 404, /teapot 418, /boom throws, /wrapped throws a ServletException. */
    static final class FailingServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
            response.getWriter().print("half an answer");
            response.addCookie(new Cookie("kept", "yes"));
            switch (request.getPathInfo()) {
                case "/missing" -> response.sendError(404, "no such thing");
                case "/teapot" -> response.sendError(418);
                case "/boom" -> throw new IllegalStateException("boom");
                case "/wrapped" -> throw new ServletException("wrapped", new IllegalArgumentException("root"));
                default -> response.getWriter().print(" and the rest");
            }
        }
    }

    /** Prints what the error dispatch showed it; with {@code failing} set, fails itself the same way. */
    static final class ErrorPage extends HttpServlet {
        private static final long serialVersionUID = 1L;
        final String failing;

        ErrorPage(String failing) {
            this.failing = failing;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
            if ("sendError".equals(failing)) {
                response.sendError(500, "the error page failed too");
                return;
            }
            if ("throw".equals(failing)) {
                throw new IllegalStateException("the error page threw");
            }
            response.setContentType("text/plain");
            Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
            response.getWriter().print(getServletName() + " " + request.getDispatcherType()
                    + " status=" + request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE)
                    + " message=" + request.getAttribute(RequestDispatcher.ERROR_MESSAGE)
                    + " uri=" + request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI)
                    + " servlet=" + request.getAttribute(RequestDispatcher.ERROR_SERVLET_NAME)
                    + " type=" + request.getAttribute(RequestDispatcher.ERROR_EXCEPTION_TYPE)
                    + " exception=" + (exception == null ? null : ((Throwable) exception).getMessage()));
        }
    }

    private void app() {
        fakes.servlet(new FailingServlet(), "osgi.http.whiteboard.servlet.pattern", "/app/*", "osgi.http.whiteboard.servlet.name", "failing");
    }

    private void errorPage(String name, String failing, Object errors) {
        fakes.servlet(new ErrorPage(failing), "osgi.http.whiteboard.servlet.errorPage", errors, "osgi.http.whiteboard.servlet.name", name);
    }

    @Test
    void sendErrorGoesToThePageForItsStatusAsAnErrorDispatchWithTheErrorAttributes() throws Exception {
        app();
        errorPage("missing", null, "404");

        FakeResponse response = fakes.handle("GET", "/app/missing");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.text()).isEqualTo("missing ERROR status=404 message=no such thing uri=/app/missing servlet=failing"
                + " type=null exception=null");
        assertThat(response.header("Content-Type")).as("the page's, not the plain one's").isEqualTo("text/plain;charset=ISO-8859-1");
        assertThat(response.header("Set-Cookie")).as("headers set before sendError stay").startsWith("kept=yes");
    }

    @Test
    void aStatusWithoutItsOwnPageGoesToItsClassPage() throws Exception {
        app();
        errorPage("client", null, new String[] {"4xx", "5xx"});

        FakeResponse response = fakes.handle("GET", "/app/teapot");

        assertThat(response.status()).isEqualTo(418);
        assertThat(response.text()).startsWith("client ERROR status=418 message= ");
    }

    @Test
    void anUncaughtExceptionGoesToThePageOfItsClassWith500() throws Exception {
        app();
        errorPage("runtime", null, RuntimeException.class.getName());

        FakeResponse response = fakes.handle("GET", "/app/boom");

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.text()).isEqualTo("runtime ERROR status=500 message=boom uri=/app/boom servlet=failing"
                + " type=class java.lang.IllegalStateException exception=boom");
    }

    @Test
    void aServletExceptionGoesToThePageOfItsRootCause() throws Exception {
        app();
        errorPage("argument", null, IllegalArgumentException.class.getName());

        FakeResponse response = fakes.handle("GET", "/app/wrapped");

        assertThat(response.text()).contains("type=class java.lang.IllegalArgumentException exception=root");
    }

    @Test
    void anExceptionWithoutAPageOfItsClassGoesToThePageFor500() throws Exception {
        app();
        errorPage("server", null, "500");

        FakeResponse response = fakes.handle("GET", "/app/boom");

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.text()).startsWith("server ERROR status=500");
    }

    @Test
    void withoutAPageForTheErrorTheAnswersStayAsBefore() throws Exception {
        app();
        errorPage("teapots", null, "418");

        FakeResponse missing = fakes.handle("GET", "/app/missing");

        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorMessage()).as("Fastpool's plain page").isEqualTo("no such thing");
        assertThatThrownBy(() -> fakes.handle("GET", "/app/boom")).as("left to the pool, which answers 500 and logs")
                .isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }

    @Test
    void aPathNoServletMatchesGoesToThe404Page() throws Exception {
        app();
        errorPage("missing", null, "404");

        FakeResponse response = fakes.handle("GET", "/elsewhere");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.text()).startsWith("missing ERROR status=404").contains("uri=/elsewhere servlet=null");
    }

    @Test
    void anErrorPageThatSendsAnErrorGetsThePlainPageNotItselfAgain() throws Exception {
        app();
        errorPage("looping", "sendError", "5xx");

        FakeResponse response = fakes.handle("GET", "/app/boom");

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.errorMessage()).isEqualTo("the error page failed too");
    }

    @Test
    void anErrorPageThatThrowsLeavesItsExceptionToThePool() throws Exception {
        app();
        errorPage("throwing", "throw", "404");

        assertThatThrownBy(() -> fakes.handle("GET", "/app/missing")).hasMessage("the error page threw");
    }

    @Test
    void filtersForErrorRunOnTheErrorDispatchAndRequestFiltersDoNot() throws Exception {
        app();
        errorPage("missing", null, "404");
        fakes.filter(new Tagging("[request]"), "osgi.http.whiteboard.filter.pattern", "/*");
        fakes.filter(new Tagging("[error]"), "osgi.http.whiteboard.filter.pattern", "/*", "osgi.http.whiteboard.filter.dispatcher", "ERROR");

        FakeResponse response = fakes.handle("GET", "/app/missing");

        assertThat(response.text()).startsWith("[error]missing ERROR");
    }

    @Test
    void aBundleWithErrorPagesOnlyHasNoApp() {
        errorPage("missing", null, "404");

        assertThat(fakes.app).isNull();
    }

    @Test
    void errorPagesStartWithTheApp() {
        app();
        ErrorPage page = new ErrorPage(null);
        fakes.servlet(page, "osgi.http.whiteboard.servlet.errorPage", "404");

        fakes.active();

        assertThat(page.getServletConfig()).isNotNull();
    }

    /** Writes its tag, then lets the chain go on. */
    record Tagging(String tag) implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
            response.getWriter().print(tag);
            chain.doFilter(request, response);
        }
    }
}
