package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** ServletContext and ServletRequest dispatchers: forward, include, named, relative, and their filters. */
class RequestDispatcherTest {

    private final WhiteboardFakes fakes = new WhiteboardFakes();

    interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException;
    }

    /** A servlet that does what its test says. */
    static final class Scripted extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final Handler handler;

        Scripted(Handler handler) {
            this.handler = handler;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
            handler.handle(request, response);
        }
    }

    /** The target: prints what the dispatch shows it. */
    private void target() {
        fakes.servlet(new Scripted((request, response) -> {
            response.setStatus(201);
            response.setHeader("X-Target", "set");
            response.getWriter().print(request.getDispatcherType() + " " + request.getServletPath() + " " + request.getPathInfo()
                    + " " + request.getRequestURI() + "?" + request.getQueryString() + " q=" + Arrays.toString(request.getParameterValues("q"))
                    + " mapping=" + request.getHttpServletMapping().getPattern()
                    + " forward=" + request.getAttribute(RequestDispatcher.FORWARD_REQUEST_URI) + "|"
                    + request.getAttribute(RequestDispatcher.FORWARD_SERVLET_PATH) + "|" + request.getAttribute(RequestDispatcher.FORWARD_QUERY_STRING)
                    + " include=" + request.getAttribute(RequestDispatcher.INCLUDE_REQUEST_URI) + "|"
                    + request.getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH) + "|" + request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO));
        }), "osgi.http.whiteboard.servlet.pattern", "/b/*", "osgi.http.whiteboard.servlet.name", "b");
    }

    private void caller(Handler handler) {
        fakes.servlet(new Scripted(handler), "osgi.http.whiteboard.servlet.pattern", "/a/*", "osgi.http.whiteboard.servlet.name", "a");
    }

    @Test
    void aForwardDropsTheBufferShowsTheTargetsPathAndTheOriginalInAttributesAndClosesTheResponse() throws Exception {
        target();
        caller((request, response) -> {
            response.getWriter().print("dropped");
            request.getServletContext().getRequestDispatcher("/b/x?q=2").forward(request, response);
            response.getWriter().print(" written after the forward");
            assertThat(response.isCommitted()).isTrue();
        });

        FakeResponse response = fakes.handle(new FakeRequest("GET", "/a/page?q=1", "/"));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("X-Target")).isEqualTo("set");
        assertThat(response.text()).isEqualTo("FORWARD /b /x /b/x?q=2 q=[2, 1] mapping=/b/* forward=/a/page|/a|q=1 include=null|null|null");
    }

    @Test
    void anIncludeWritesIntoTheCallersBodyButCannotSetStatusOrHeaders() throws Exception {
        target();
        caller((request, response) -> {
            response.getWriter().print("before ");
            request.getRequestDispatcher("/b/y?q=3").include(request, response);
            response.getWriter().print(" after");
        });

        FakeResponse response = fakes.handle(new FakeRequest("GET", "/a/page", "/"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-Target")).isNull();
        assertThat(response.text()).isEqualTo("before INCLUDE /a /page /a/page?null q=[3] mapping=/a/* forward=null|null|null"
                + " include=/b/y|/b|/y after");
    }

    @Test
    void aNamedDispatcherKeepsThePathAndSetsNoAttributes() throws Exception {
        target();
        caller((request, response) -> request.getServletContext().getNamedDispatcher("b").forward(request, response));

        FakeResponse response = fakes.handle(new FakeRequest("GET", "/a/page", "/"));

        assertThat(response.text()).isEqualTo("FORWARD /a /page /a/page?null q=null mapping=/a/* forward=null|null|null include=null|null|null");
        assertThat(fakes.handle(new FakeRequest("GET", "/a/page", "/")).status()).isEqualTo(201);
    }

    @Test
    void aRelativePathResolvesAgainstTheRequestsPath() throws Exception {
        target();
        fakes.servlet(new Scripted((request, response) -> request.getRequestDispatcher("other").forward(request, response)),
                "osgi.http.whiteboard.servlet.pattern", "/b/dir/page");

        FakeResponse response = fakes.handle(new FakeRequest("GET", "/b/dir/page", "/"));

        assertThat(response.text()).startsWith("FORWARD /b /dir/other /b/dir/other?null");
    }

    @Test
    void aPathOutsideTheBundlesServletsOrAboveTheRootHasNoDispatcher() throws Exception {
        target();
        StringBuilder seen = new StringBuilder();
        caller((request, response) -> {
            seen.append(request.getServletContext().getRequestDispatcher("/elsewhere") == null).append(' ');
            seen.append(request.getServletContext().getRequestDispatcher("/../b/x") == null).append(' ');
            seen.append(request.getServletContext().getRequestDispatcher("/a/../b/x") != null).append(' ');
            seen.append(request.getServletContext().getRequestDispatcher("relative") == null).append(' ');
            seen.append(request.getServletContext().getNamedDispatcher("nobody") == null);
        });

        fakes.handle("GET", "/a/page");

        assertThat(seen).hasToString("true true true true true");
    }

    @Test
    void forwardFiltersRunOnTheForwardAndRequestFiltersOnlyOnTheRequest() throws Exception {
        target();
        caller((request, response) -> request.getRequestDispatcher("/b/x").forward(request, response));
        fakes.filter(new ErrorPageDispatchTest.Tagging("[request]"), "osgi.http.whiteboard.filter.pattern", "/*");
        fakes.filter(new ErrorPageDispatchTest.Tagging("[forward]"), "osgi.http.whiteboard.filter.pattern", "/b/*",
                "osgi.http.whiteboard.filter.dispatcher", "FORWARD");
        fakes.filter(new ErrorPageDispatchTest.Tagging("[include]"), "osgi.http.whiteboard.filter.pattern", "/*",
                "osgi.http.whiteboard.filter.dispatcher", "INCLUDE");

        FakeResponse response = fakes.handle("GET", "/a/page");

        assertThat(response.text()).as("the forward drops what the request filter wrote").startsWith("[forward]FORWARD /b /x");
    }

    @Test
    void aForwardAfterTheResponseCommittedIsRefused() throws Exception {
        target();
        StringBuilder seen = new StringBuilder();
        caller((request, response) -> {
            response.flushBuffer();
            try {
                request.getRequestDispatcher("/b/x").forward(request, response);
            } catch (IllegalStateException expected) {
                seen.append(expected.getMessage());
            }
        });

        fakes.handle("GET", "/a/page");

        assertThat(seen).hasToString("forward after the response was committed");
    }

    @Test
    void aForwardedTargetsSendErrorReachesTheErrorPage() throws Exception {
        fakes.servlet(new Scripted((request, response) -> response.sendError(404)), "osgi.http.whiteboard.servlet.pattern", "/b/*");
        caller((request, response) -> request.getRequestDispatcher("/b/x").forward(request, response));
        fakes.servlet(new Scripted((request, response) -> response.getWriter().print("page for " + request.getDispatcherType())),
                "osgi.http.whiteboard.servlet.errorPage", "404");

        FakeResponse response = fakes.handle("GET", "/a/page");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.text()).isEqualTo("page for ERROR");
    }
}
