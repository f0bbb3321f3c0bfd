package io.fastpool.servlet.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import jakarta.servlet.http.Cookie;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ServletResponseAdapterTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

    private final FakeResponse fastpool = new FakeResponse();

    private ServletResponseAdapter adapt(String uri, int bufferSize, ErrorPageHandler errorPages) {
        FakeRequest fake = new FakeRequest("GET", uri).serverName("shop.example").header("Host", "shop.example:8080");
        ServletRequestAdapter request = new ServletRequestAdapter(fake, ServletRoute.everything(fake.contextPath(), fake.pathInfo()),
                null, ServletLimits.DEFAULTS, null, 1);
        return new ServletResponseAdapter(fastpool, request, bufferSize, new ServletInvoker(ServletLimits.DEFAULTS, errorPages, CLOCK));
    }

    private ServletResponseAdapter adapt(int bufferSize) {
        return adapt("/shop/cart/view", bufferSize, ErrorPageHandler.PLAIN);
    }

    @Test
    void theBodyStaysBufferedUntilTheBufferOverflowsThenCommitsStatusAndHeaders() throws IOException {
        ServletResponseAdapter response = adapt(8);
        response.setStatus(201);
        response.setHeader("X-A", "1");
        response.getOutputStream().write("1234567".getBytes(UTF_8));

        assertThat(response.isCommitted()).isFalse();
        assertThat(fastpool.text()).isEmpty();
        assertThat(fastpool.header("X-A")).isNull();

        response.getOutputStream().write("89".getBytes(UTF_8));

        assertThat(response.isCommitted()).isTrue();
        assertThat(fastpool.status()).isEqualTo(201);
        assertThat(fastpool.header("X-A")).isEqualTo("1");
        assertThat(fastpool.text()).as("the buffer went out; the new bytes wait in it").isEqualTo("1234567");
        response.finish();
        assertThat(fastpool.text()).isEqualTo("123456789");
    }

    @Test
    void aBodyThatFitsFastpoolsBufferIsHeldThereUncommittedWhileStatusAndHeadersMayStillChange() throws IOException {
        fastpool.buffered(1024);
        ServletResponseAdapter response = adapt(8192);
        response.setHeader("X-A", "1");
        response.getOutputStream().write("hello".getBytes(UTF_8));

        assertThat(response.isCommitted()).isFalse();
        assertThat(fastpool.text()).as("written straight into Fastpool's buffer, not sent").isEqualTo("hello");
        assertThat(fastpool.isCommitted()).isFalse();
        assertThat(fastpool.header("X-A")).as("headers go over at commit").isNull();

        response.setStatus(201);
        response.setHeader("X-A", "2");
        response.finish();

        assertThat(fastpool.status()).isEqualTo(201);
        assertThat(fastpool.header("X-A")).isEqualTo("2");
        assertThat(fastpool.text()).isEqualTo("hello");
        assertThat(fastpool.isCommitted()).as("the response ends as the servlet returns, in one write").isFalse();
    }

    @Test
    void resetResetBufferAndSendErrorDropTheBytesFastpoolHolds() throws IOException {
        fastpool.buffered(1024);
        ServletResponseAdapter response = adapt(8192);
        response.getOutputStream().write("dropped by reset".getBytes(UTF_8));
        response.reset();
        response.getOutputStream().write("dropped by resetBuffer".getBytes(UTF_8));
        response.resetBuffer();
        response.getOutputStream().write("kept".getBytes(UTF_8));
        response.finish();
        assertThat(fastpool.text()).isEqualTo("kept");

        FakeResponse errorFastpool = new FakeResponse().buffered(1024);
        FakeRequest fake = new FakeRequest("GET", "/shop/cart/view");
        ServletResponseAdapter failing = new ServletResponseAdapter(errorFastpool, new ServletRequestAdapter(fake,
                ServletRoute.everything(fake.contextPath(), fake.pathInfo()), null, ServletLimits.DEFAULTS, null, 1), 8192,
                new ServletInvoker(ServletLimits.DEFAULTS, ErrorPageHandler.PLAIN, CLOCK));
        failing.getOutputStream().write("half a page".getBytes(UTF_8));
        failing.sendError(404);
        failing.finish();
        assertThat(errorFastpool.status()).isEqualTo(404);
        assertThat(errorFastpool.text()).doesNotContain("half a page");
    }

    @Test
    void bytesThatWouldFillFastpoolsBufferWaitInTheServletsUntilItCommits() throws IOException {
        fastpool.buffered(8);
        ServletResponseAdapter response = adapt(64);
        response.setHeader("X-A", "1");
        response.getOutputStream().write("1234".getBytes(UTF_8));
        response.getOutputStream().write("56789".getBytes(UTF_8));

        assertThat(response.isCommitted()).isFalse();
        assertThat(fastpool.isCommitted()).as("Fastpool's buffer was not filled, so nothing was sent").isFalse();
        assertThat(fastpool.text()).isEqualTo("1234");

        response.finish();

        assertThat(fastpool.header("X-A")).isEqualTo("1");
        assertThat(fastpool.text()).isEqualTo("123456789");
    }

    @Test
    void finishSendsWhatIsBufferedAndCommits() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.setContentType("text/plain");
        response.getOutputStream().print("hello");

        response.finish();

        assertThat(response.isCommitted()).isTrue();
        assertThat(fastpool.text()).isEqualTo("hello");
        assertThat(fastpool.header("Content-Type")).isEqualTo("text/plain");
        assertThat(fastpool.isCommitted()).as("not flushed: the response ends as the servlet returns, in one write").isFalse();
    }

    @Test
    void closingTheStreamCommitsWithoutFlushingToTheClient() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.getOutputStream().print("done");

        response.getOutputStream().close();

        assertThat(response.isCommitted()).isTrue();
        assertThat(fastpool.text()).isEqualTo("done");
        assertThat(fastpool.isCommitted()).isFalse();
    }

    @Test
    void flushBufferCommitsAndAfterCommitResetAndResetBufferFail() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.getWriter().write("partial");

        response.flushBuffer();

        assertThat(response.isCommitted()).isTrue();
        assertThat(fastpool.text()).isEqualTo("partial");
        assertThatThrownBy(response::reset).isInstanceOf(IllegalStateException.class).hasMessageContaining("committed");
        assertThatThrownBy(response::resetBuffer).isInstanceOf(IllegalStateException.class).hasMessageContaining("committed");
        assertThatThrownBy(() -> response.setBufferSize(100)).isInstanceOf(IllegalStateException.class);
        response.setStatus(500);
        response.setHeader("X-Late", "1");
        assertThat(response.getStatus()).as("ignored once committed").isEqualTo(200);
        assertThat(response.getHeader("X-Late")).isNull();
    }

    @Test
    void resetBufferDropsTheBodyAndResetAlsoStatusHeadersAndTheWriterChoice() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.setStatus(404);
        response.setHeader("X-A", "1");
        response.setContentType("text/html; charset=UTF-8");
        response.getWriter().write("dropped");
        response.resetBuffer();
        response.getWriter().write("kept");

        assertThat(response.getStatus()).isEqualTo(404);
        response.reset();

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getHeader("X-A")).isNull();
        assertThat(response.getContentType()).isNull();
        response.getOutputStream().print("stream after reset");
        response.finish();
        assertThat(fastpool.text()).isEqualTo("stream after reset");
    }

    @Test
    void setBufferSizeWorksOnlyBeforeContent() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.setBufferSize(2);

        assertThat(response.getBufferSize()).isEqualTo(2);
        response.getOutputStream().write('x');
        assertThatThrownBy(() -> response.setBufferSize(10)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("content was written");
        response.getOutputStream().write("yz".getBytes(UTF_8));
        assertThat(response.isCommitted()).isTrue();
    }

    @Test
    void theBodyIsWrittenAsAStreamOrAsAWriterNotBoth() throws IOException {
        ServletResponseAdapter streamFirst = adapt(8192);
        streamFirst.getOutputStream();
        assertThatThrownBy(streamFirst::getWriter).isInstanceOf(IllegalStateException.class).hasMessageContaining("getOutputStream()");

        ServletResponseAdapter writerFirst = adapt(8192);
        assertThat(writerFirst.getWriter()).isSameAs(writerFirst.getWriter());
        assertThatThrownBy(writerFirst::getOutputStream).isInstanceOf(IllegalStateException.class).hasMessageContaining("getWriter()");
    }

    @Test
    void theWriterEncodesInIso88591UnlessACharsetIsSetAndThenShowsItInTheContentType() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.setContentType("text/plain");
        assertThat(response.getCharacterEncoding()).isEqualTo("ISO-8859-1");
        response.getWriter().write("caf\u00e9");
        response.finish();

        assertThat(fastpool.header("Content-Type")).isEqualTo("text/plain;charset=ISO-8859-1");
        assertThat(new String(fastpool.text().getBytes(UTF_8), UTF_8)).isNotEqualTo("café");
    }

    @Test
    void aCharsetSetByContentTypeOrSetCharacterEncodingEncodesTheWriter() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.setCharacterEncoding("UTF-8");
        response.setContentType("text/html");
        PrintWriter writer = response.getWriter();
        response.setCharacterEncoding("UTF-16");
        response.setContentType("text/xml; charset=UTF-16");
        writer.write("caf\u00e9 \ud83d\ude00");
        response.finish();

        assertThat(response.getCharacterEncoding()).as("fixed once the writer is taken").isEqualTo("UTF-8");
        assertThat(fastpool.header("Content-Type")).isEqualTo("text/xml;charset=UTF-8");
        assertThat(fastpool.text()).isEqualTo("café \ud83d\ude00");
    }

    @Test
    void aSurrogatePairSplitAcrossWritesIsEncodedWhole() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.setCharacterEncoding("UTF-8");
        PrintWriter writer = response.getWriter();
        writer.write('\ud83d');
        writer.write('\ude00');
        response.finish();

        assertThat(fastpool.text()).isEqualTo("\ud83d\ude00");
    }

    @Test
    void theContentTypesCharsetIsKeptApartFromItsType() {
        ServletResponseAdapter response = adapt(8192);
        response.setContentType("text/html; charset=utf-8; level=1");

        assertThat(response.getCharacterEncoding()).isEqualTo("utf-8");
        assertThat(response.getContentType()).isEqualTo("text/html;level=1;charset=utf-8");
        response.setCharacterEncoding(null);
        assertThat(response.getContentType()).isEqualTo("text/html;level=1");
        response.setHeader("Content-Type", "application/json");
        assertThat(response.getHeader("content-type")).isEqualTo("application/json");
    }

    @Test
    void setLocaleSetsContentLanguage() {
        ServletResponseAdapter response = adapt(8192);
        response.setLocale(Locale.CANADA_FRENCH);

        assertThat(response.getLocale()).isEqualTo(Locale.CANADA_FRENCH);
        assertThat(response.getHeader("Content-Language")).isEqualTo("fr-CA");
    }

    @Test
    void sendErrorDropsTheBodyKeepsCookiesAndWritesFastpoolsPlainPageOnFinish() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.addCookie(new Cookie("seen", "1"));
        response.setContentType("text/html");
        response.getWriter().write("half a page");

        response.sendError(403, "not yours");
        response.getWriter().write("ignored");

        assertThat(response.isCommitted()).isTrue();
        assertThat(response.getStatus()).isEqualTo(403);
        assertThatThrownBy(() -> response.sendError(500)).isInstanceOf(IllegalStateException.class);
        response.finish();
        assertThat(fastpool.status()).isEqualTo(403);
        assertThat(fastpool.errorMessage()).isEqualTo("not yours");
        assertThat(fastpool.text()).doesNotContain("half a page", "ignored");
        assertThat(fastpool.header("Set-Cookie")).isEqualTo("seen=1");
        assertThat(fastpool.header("Content-Type")).startsWith("text/plain");
    }

    @Test
    void sendErrorGoesThroughTheErrorPageHook() throws IOException {
        int[] seen = new int[1];
        ServletResponseAdapter response = adapt("/shop/x", 8192, (status, message, target) -> {
            seen[0] = status;
            target.setStatus(status);
            target.body().write(("custom " + message).getBytes(UTF_8));
        });

        response.sendError(404);
        response.finish();

        assertThat(seen[0]).isEqualTo(404);
        assertThat(fastpool.text()).isEqualTo("custom null");
    }

    @Test
    void sendErrorAfterCommitFails() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.flushBuffer();

        assertThatThrownBy(() -> response.sendError(500, "late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sendError(500)");
    }

    @Test
    void sendRedirectMakesTheLocationAbsoluteAndCommits() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.getWriter().write("dropped");

        response.sendRedirect("../done?x=1");

        assertThat(response.isCommitted()).isTrue();
        response.finish();
        assertThat(fastpool.status()).isEqualTo(302);
        assertThat(fastpool.header("Location")).isEqualTo("http://shop.example:8080/shop/done?x=1");
        assertThat(fastpool.text()).isEmpty();
        assertThatThrownBy(() -> response.sendRedirect("/again")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void redirectLocationsResolveAsServlet6Says() {
        String base = "https://shop.example:8443/shop/cart/view";

        assertThat(RedirectLocation.absolute("http://other.example/x", base)).isEqualTo("http://other.example/x");
        assertThat(RedirectLocation.absolute("//cdn.example/a.js", base)).isEqualTo("https://cdn.example/a.js");
        assertThat(RedirectLocation.absolute("/login", base)).isEqualTo("https://shop.example:8443/login");
        assertThat(RedirectLocation.absolute("next", base)).isEqualTo("https://shop.example:8443/shop/cart/next");
        assertThat(RedirectLocation.absolute("./", base)).isEqualTo("https://shop.example:8443/shop/cart/");
        assertThat(RedirectLocation.absolute("../../../up#top", base)).isEqualTo("https://shop.example:8443/up#top");
        assertThat(RedirectLocation.absolute("a/..?q=./x", base)).isEqualTo("https://shop.example:8443/shop/cart/?q=./x");
    }

    @Test
    void headersCanBeSetAddedRemovedAndDated() {
        ServletResponseAdapter response = adapt(8192);
        response.addHeader("Vary", "Accept");
        response.addHeader("vary", "Cookie");
        response.setDateHeader("Last-Modified", 784111777000L);
        response.setIntHeader("X-Count", 3);
        response.setHeader("X-Gone", "1");
        response.setHeader("X-Gone", null);

        assertThat(response.getHeaders("VARY")).containsExactly("Accept", "Cookie");
        assertThat(response.getHeader("Vary")).isEqualTo("Accept");
        assertThat(response.getHeader("Last-Modified")).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(response.getHeader("X-Count")).isEqualTo("3");
        assertThat(response.containsHeader("x-gone")).isFalse();
        assertThat(response.getHeaderNames()).contains("Vary", "Last-Modified", "X-Count");
        assertThat(HttpDates.format(Instant.parse("2026-01-02T03:04:05Z").toEpochMilli())).isEqualTo("Fri, 02 Jan 2026 03:04:05 GMT");
    }

    @Test
    void contentLengthIsSentAndReachingItCommits() throws IOException {
        ServletResponseAdapter response = adapt(8192);
        response.setContentLength(5);
        response.getOutputStream().write("hel".getBytes(UTF_8));
        assertThat(response.isCommitted()).isFalse();

        response.getOutputStream().write("lo".getBytes(UTF_8));

        assertThat(response.isCommitted()).isTrue();
        assertThat(fastpool.header("Content-Length")).isEqualTo("5");
        assertThat(fastpool.text()).isEqualTo("hello");
        assertThatThrownBy(() -> response.getOutputStream().write('!')).isInstanceOf(IOException.class)
                .hasMessageContaining("Content-Length of 5");
    }

    @Test
    void cookiesAreWrittenWithTheirAttributes() {
        ServletResponseAdapter response = adapt(8192);
        Cookie cookie = new Cookie("id", "abc");
        cookie.setPath("/shop");
        cookie.setDomain("shop.example");
        cookie.setMaxAge(60);
        cookie.setSecure(true);
        cookie.setHttpOnly(true);
        cookie.setAttribute("SameSite", "Strict");
        Cookie gone = new Cookie("old", "");
        gone.setMaxAge(0);
        gone.setSecure(false);
        response.addCookie(cookie);
        response.addCookie(gone);

        // In the order Cookie keeps its attributes (by name); a client reads them in any order.
        assertThat(response.getHeaders("Set-Cookie")).containsExactly(
                "id=abc; Domain=shop.example; HttpOnly; Max-Age=60; Expires=Fri, 02 Jan 2026 03:05:05 GMT; Path=/shop; SameSite=Strict; Secure",
                "old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:10 GMT");
    }

    @Test
    void aCookieValueThatWouldBreakTheHeaderIsRefused() {
        ServletResponseAdapter response = adapt(8192);

        assertThatThrownBy(() -> response.addCookie(new Cookie("note", "a; b"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cookie note").hasMessageContaining("character 59");
        assertThat(response.getHeader("Set-Cookie")).isNull();
    }

    @Test
    void nonBlockingWritesSayTheyNeedAsync() throws IOException {
        ServletResponseAdapter response = adapt(8192);

        assertThat(response.getOutputStream().isReady()).isTrue();
        assertThatThrownBy(() -> response.getOutputStream().setWriteListener(null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("async");
        assertThat(response.encodeURL("/a;x")).isEqualTo("/a;x");
        assertThat(ISO_8859_1.name()).isEqualTo(response.getCharacterEncoding());
    }
}
