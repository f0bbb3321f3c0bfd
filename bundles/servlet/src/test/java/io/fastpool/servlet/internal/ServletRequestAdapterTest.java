package io.fastpool.servlet.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.testkit.FakeRequest;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.MappingMatch;
import java.io.ByteArrayInputStream;
import java.io.UnsupportedEncodingException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ServletRequestAdapterTest {

    private static ServletRequestAdapter adapt(FakeRequest request) {
        return adapt(request, ServletLimits.DEFAULTS);
    }

    private static ServletRequestAdapter adapt(FakeRequest request, ServletLimits limits) {
        return new ServletRequestAdapter(request, ServletRoute.everything(request.contextPath(), request.pathInfo()),
                null, limits, null, 7);
    }

    private static FakeRequest formPost(String body, String contentType) {
        return new FakeRequest("POST", "/shop/order", "/shop").header("Content-Type", contentType)
                .body(body.getBytes(ISO_8859_1));
    }

    @Test
    void reportsTheRequestLineAndTheRoutesPaths() {
        FakeRequest fake = new FakeRequest("GET", "/shop/cart/item%20x?id=1&q=a+b", "/shop");
        ServletRequestAdapter request = new ServletRequestAdapter(fake,
                new ServletRoute("/shop", "/cart", "/item x", MappingMatch.PATH, "/cart/*"), null, ServletLimits.DEFAULTS, null, 7);

        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getProtocol()).isEqualTo("HTTP/1.1");
        assertThat(request.getRequestURI()).isEqualTo("/shop/cart/item%20x");
        assertThat(request.getRequestURL()).hasToString("http://localhost/shop/cart/item%20x");
        assertThat(request.getContextPath()).isEqualTo("/shop");
        assertThat(request.getServletPath()).isEqualTo("/cart");
        assertThat(request.getPathInfo()).isEqualTo("/item x");
        assertThat(request.getQueryString()).isEqualTo("id=1&q=a+b");
        assertThat(request.getHttpServletMapping().getMappingMatch()).isEqualTo(MappingMatch.PATH);
        assertThat(request.getHttpServletMapping().getPattern()).isEqualTo("/cart/*");
        assertThat(request.getHttpServletMapping().getMatchValue()).isEqualTo("item x");
        assertThat(request.getDispatcherType()).isEqualTo(DispatcherType.REQUEST);
        assertThat(request.getRequestId()).isEqualTo("7");
    }

    @Test
    void aRequestWithoutQueryHasNoQueryStringAndARouteWithNothingLeftHasNoPathInfo() {
        FakeRequest fake = new FakeRequest("GET", "/shop", "/shop");
        ServletRequestAdapter request = adapt(fake);

        assertThat(request.getQueryString()).isNull();
        assertThat(request.getPathInfo()).isNull();
        assertThat(request.getParameterMap()).isEmpty();
    }

    @Test
    void readsHeadersWithoutRegardToCaseWithEveryValue() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b")
                .header("X-Trace", "1").header("x-trace", "2").header("Max-Forwards", " 5 ")
                .header("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"));

        assertThat(request.getHeader("X-TRACE")).isEqualTo("2");
        assertThat(Collections.list(request.getHeaders("x-trace"))).containsExactly("1", "2");
        assertThat(Collections.list(request.getHeaderNames())).contains("X-Trace", "Max-Forwards");
        assertThat(request.getIntHeader("max-forwards")).isEqualTo(5);
        assertThat(request.getIntHeader("Absent")).isEqualTo(-1);
        assertThat(request.getDateHeader("If-Modified-Since")).isEqualTo(784111777000L);
        assertThat(request.getDateHeader("Absent")).isEqualTo(-1);
    }

    @Test
    void aHeaderThatIsNotADateOrANumberFailsAsTheApiSays() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b")
                .header("If-Modified-Since", "yesterday").header("Max-Forwards", "five"));

        assertThatThrownBy(() -> request.getDateHeader("If-Modified-Since"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yesterday");
        assertThatThrownBy(() -> request.getIntHeader("Max-Forwards")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void contentLengthIsTheHeadersNumberOrMinusOne() {
        assertThat(adapt(new FakeRequest("GET", "/a/b")).getContentLength()).isEqualTo(-1);
        ServletRequestAdapter request = adapt(new FakeRequest("PUT", "/a/b").body(new byte[12]));
        assertThat(request.getContentLength()).isEqualTo(12);
        assertThat(request.getContentLengthLong()).isEqualTo(12L);
    }

    @Test
    void anInvalidContentLengthIsABadRequestNamingTheValue() {
        for (String invalid : new String[] {"12a", "-1", "", "99999999999999999999"}) {
            ServletRequestAdapter request = adapt(new FakeRequest("PUT", "/a/b").header("Content-Length", invalid));

            assertThatThrownBy(request::getContentLengthLong).isInstanceOf(InvalidContentLengthException.class)
                    .hasMessageContaining("'" + invalid + "'")
                    .satisfies(e -> assertThat(((BadRequestException) e).status()).isEqualTo(400));
        }
    }

    @Test
    void schemeSecurityAndServerComeFromTheCgiVariables() {
        ServletRequestAdapter plain = adapt(new FakeRequest("GET", "/a/b").serverName("shop.example").serverPort(8080)
                .header("Host", "shop.example:8081"));
        assertThat(plain.isSecure()).isFalse();
        assertThat(plain.getScheme()).isEqualTo("http");
        assertThat(plain.getServerName()).isEqualTo("shop.example");
        assertThat(plain.getServerPort()).as("the Host header's port, where the client went").isEqualTo(8081);
        assertThat(plain.getLocalPort()).as("SERVER_PORT").isEqualTo(8080);
        assertThat(plain.getRequestURL()).hasToString("http://shop.example:8081/a/b");

        ServletRequestAdapter tls = adapt(new FakeRequest("GET", "/a/b").secure(true).serverName("shop.example")
                .header("Host", "shop.example"));
        assertThat(tls.isSecure()).isTrue();
        assertThat(tls.getScheme()).isEqualTo("https");
        assertThat(tls.getServerPort()).as("a Host without port: the scheme's").isEqualTo(443);
        assertThat(tls.getRequestURL()).hasToString("https://shop.example/a/b");

        ServletRequestAdapter noHost = adapt(new FakeRequest("GET", "/a/b").serverPort(8443).variable("REQUEST_SCHEME", "https"));
        assertThat(noHost.getScheme()).isEqualTo("https");
        assertThat(noHost.getServerPort()).as("no Host header: SERVER_PORT").isEqualTo(8443);

        ServletRequestAdapter ipv6 = adapt(new FakeRequest("GET", "/a/b").header("Host", "[::1]"));
        assertThat(ipv6.getServerPort()).isEqualTo(80);
    }

    @Test
    void addressesComeFromTheConnectionAndTheCgiVariables() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b").remoteAddress("192.0.2.7")
                .variable("SERVER_NAME", "front.example").variable("REMOTE_USER", "ada"));

        assertThat(request.getRemoteAddr()).isEqualTo("192.0.2.7");
        assertThat(request.getRemoteHost()).as("no REMOTE_HOST: the address").isEqualTo("192.0.2.7");
        assertThat(request.getRemotePort()).isEqualTo(50000);
        assertThat(request.getLocalAddr()).isEqualTo("127.0.0.1");
        assertThat(request.getLocalName()).isEqualTo("front.example");
        assertThat(request.getRemoteUser()).isEqualTo("ada");
        assertThat(request.getUserPrincipal().getName()).isEqualTo("ada");
        assertThat(request.getServletConnection().isSecure()).isFalse();
    }

    @Test
    void queryParametersArePercentDecodedInOrder() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b?x=1&y=caf%C3%A9&x=2&flag&empty=&sp=a+b%20c"));

        assertThat(request.getParameter("x")).isEqualTo("1");
        assertThat(request.getParameterValues("x")).containsExactly("1", "2");
        assertThat(request.getParameter("y")).isEqualTo("café");
        assertThat(request.getParameter("flag")).isEmpty();
        assertThat(request.getParameter("empty")).isEmpty();
        assertThat(request.getParameter("sp")).isEqualTo("a b c");
        assertThat(request.getParameter("absent")).isNull();
        assertThat(Collections.list(request.getParameterNames())).containsExactly("x", "y", "flag", "empty", "sp");
        assertThatThrownBy(() -> request.getParameterMap().put("z", new String[0]))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void malformedPercentEncodingInTheQueryIsABadRequestAndTheQueryStaysAsSent() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b?ok=1&bad=%zz", "/a"));

        assertThatThrownBy(() -> request.getParameter("ok")).isInstanceOf(MalformedParameterException.class)
                .hasMessageContaining("query string").hasMessageContaining("bad=%zz")
                .satisfies(e -> assertThat(((BadRequestException) e).status()).isEqualTo(400));
        assertThatThrownBy(() -> request.getParameter("ok")).as("every call, not only the first")
                .isInstanceOf(MalformedParameterException.class);
        assertThat(request.getQueryString()).isEqualTo("ok=1&bad=%zz");
        assertThatThrownBy(() -> adapt(new FakeRequest("GET", "/a/b?cut=%4", "/a")).getParameter("cut"))
                .isInstanceOf(MalformedParameterException.class);
    }

    @Test
    void aFormPostAddsItsParametersAfterTheQuerysInTheRequestCharset() {
        ServletRequestAdapter request = adapt(new FakeRequest("POST", "/shop/order?item=1", "/shop")
                .header("Content-Type", "application/x-www-form-urlencoded; charset=ISO-8859-1")
                .body("item=2&name=Jos%E9+M&note=caf\u00e9".getBytes(ISO_8859_1)));

        assertThat(request.getParameterValues("item")).containsExactly("1", "2");
        assertThat(request.getParameter("name")).isEqualTo("José M");
        assertThat(request.getParameter("note")).as("raw bytes in the body, in its charset").isEqualTo("café");
        assertThat(request.getCharacterEncoding()).isEqualTo("ISO-8859-1");
    }

    @Test
    void aFormWithoutCharsetIsUtf8AndSetCharacterEncodingCountsOnlyBeforeParsing() throws Exception {
        assertThat(adapt(formPost("n=caf%C3%A9", "application/x-www-form-urlencoded")).getParameter("n")).isEqualTo("café");

        ServletRequestAdapter latin = adapt(formPost("n=caf%E9", "application/x-www-form-urlencoded"));
        latin.setCharacterEncoding("ISO-8859-1");
        assertThat(latin.getParameter("n")).isEqualTo("café");
        latin.setCharacterEncoding("UTF-16");
        assertThat(latin.getCharacterEncoding()).isEqualTo("ISO-8859-1");
    }

    @Test
    void onlyAPostOfTheFormTypeIsParsedAndOnlyWhileTheBodyIsUnread() throws Exception {
        assertThat(adapt(formPost("a=1", "text/plain")).getParameter("a")).isNull();
        FakeRequest put = new FakeRequest("PUT", "/a/b").header("Content-Type", "application/x-www-form-urlencoded")
                .body("a=1".getBytes(UTF_8));
        assertThat(adapt(put).getParameter("a")).isNull();

        ServletRequestAdapter streamed = adapt(formPost("a=1", "application/x-www-form-urlencoded"));
        assertThat(streamed.getInputStream().readAllBytes()).asString(UTF_8).isEqualTo("a=1");
        assertThat(streamed.getParameter("a")).as("the servlet read the body itself").isNull();

        ServletRequestAdapter parsed = adapt(formPost("a=1", "application/x-www-form-urlencoded"));
        assertThat(parsed.getParameter("a")).isEqualTo("1");
        assertThat(parsed.getInputStream().read()).as("the parameters took the body").isEqualTo(-1);
    }

    @Test
    void aFormOverTheLimitIsRefusedUnreadWhenItsLengthIsDeclared() throws Exception {
        ServletRequestAdapter request = adapt(formPost("a=12345", "application/x-www-form-urlencoded"),
                new ServletLimits(5, 100, 8192));

        assertThatThrownBy(() -> request.getParameter("a")).isInstanceOf(FormTooLargeException.class)
                .hasMessageContaining("7 bytes").hasMessageContaining("5 bytes (maxFormContentSize)")
                .satisfies(e -> assertThat(((BadRequestException) e).status()).isEqualTo(413));
        assertThat(request.getInputStream().readAllBytes()).asString(UTF_8).isEqualTo("a=12345");
    }

    @Test
    void aFormOverTheLimitWithoutLengthIsRefusedAndWhatWasReadIsLeftInTheStream() throws Exception {
        FakeRequest fake = new FakeRequest("POST", "/a/b").header("Content-Type", "application/x-www-form-urlencoded")
                .body(new ByteArrayInputStream("a=12345&b=67890".getBytes(UTF_8)));
        ServletRequestAdapter request = adapt(fake, new ServletLimits(5, 100, 8192));

        assertThatThrownBy(() -> request.getParameter("a")).isInstanceOf(FormTooLargeException.class)
                .hasMessageContaining("without a Content-Length");
        assertThat(request.getInputStream().readAllBytes()).asString(UTF_8).isEqualTo("a=12345&b=67890");
    }

    @Test
    void aMalformedFormIsABadRequestAndItsBodyStaysReadable() throws Exception {
        ServletRequestAdapter request = adapt(formPost("a=%G1", "application/x-www-form-urlencoded"));

        assertThatThrownBy(() -> request.getParameter("a")).isInstanceOf(MalformedParameterException.class)
                .hasMessageContaining("form body");
        assertThat(request.getInputStream().readAllBytes()).asString(UTF_8).isEqualTo("a=%G1");
    }

    @Test
    void moreParametersThanMaxFormKeysIsABadRequest() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b?a=1&b=2&a=3&c=4"), new ServletLimits(100, 2, 8192));

        assertThatThrownBy(() -> request.getParameter("a")).isInstanceOf(MalformedParameterException.class)
                .hasMessageContaining("more than 2 (maxFormKeys)");
    }

    @Test
    void theBodyReadsAsAStreamOrAsAReaderNotBoth() throws Exception {
        ServletRequestAdapter streamFirst = adapt(new FakeRequest("PUT", "/a/b").body("x".getBytes(UTF_8)));
        streamFirst.getInputStream();
        assertThatThrownBy(streamFirst::getReader).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("getInputStream()");

        ServletRequestAdapter readerFirst = adapt(new FakeRequest("PUT", "/a/b").body("x".getBytes(UTF_8)));
        assertThat(readerFirst.getReader()).isSameAs(readerFirst.getReader());
        assertThatThrownBy(readerFirst::getInputStream).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("getReader()");
    }

    @Test
    void theStreamReportsWhenTheBodyIsFinished() throws Exception {
        ServletRequestAdapter request = adapt(new FakeRequest("PUT", "/a/b").body("xy".getBytes(UTF_8)));
        var in = request.getInputStream();

        assertThat(in.isReady()).isTrue();
        assertThat(in.readAllBytes()).hasSize(2);
        assertThat(in.isFinished()).isTrue();
        assertThatThrownBy(() -> in.setReadListener(null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("async");
    }

    @Test
    void theReaderDecodesInTheRequestCharsetElseIso88591() throws Exception {
        byte[] utf8 = "caf\u00e9".getBytes(UTF_8);
        FakeRequest declared = new FakeRequest("PUT", "/a/b").header("Content-Type", "text/plain; charset=\"UTF-8\"").body(utf8);
        assertThat(adapt(declared).getReader().readLine()).isEqualTo("café");

        FakeRequest undeclared = new FakeRequest("PUT", "/a/b").header("Content-Type", "text/plain").body(utf8);
        assertThat(adapt(undeclared).getReader().readLine()).isEqualTo(new String(utf8, ISO_8859_1));

        ServletRequestAdapter set = adapt(new FakeRequest("PUT", "/a/b").body(utf8));
        set.setCharacterEncoding("UTF-8");
        assertThat(set.getReader().readLine()).isEqualTo("café");
        set.setCharacterEncoding("UTF-16");
        assertThat(set.getCharacterEncoding()).as("ignored once the reader is taken").isEqualTo("UTF-8");
    }

    @Test
    void anUnknownCharsetIsAnUnsupportedEncoding() {
        ServletRequestAdapter request = adapt(new FakeRequest("PUT", "/a/b").header("Content-Type", "text/plain; charset=klingon")
                .body(new byte[1]));

        assertThatThrownBy(request::getReader).isInstanceOf(UnsupportedEncodingException.class).hasMessageContaining("klingon");
        assertThatThrownBy(() -> request.setCharacterEncoding("no such")).isInstanceOf(UnsupportedEncodingException.class);
    }

    @Test
    void cookiesAreParsedFromEveryCookieHeaderAndABadNameLeavesTheOthers() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b")
                .header("Cookie", "a=1; b=\"two\"; bad name=3; =4; c=")
                .header("Cookie", "d=x=y"));

        Cookie[] cookies = request.getCookies();

        assertThat(cookies).extracting(Cookie::getName).containsExactly("a", "b", "c", "d");
        assertThat(cookies).extracting(Cookie::getValue).containsExactly("1", "two", "", "x=y");
        assertThat(adapt(new FakeRequest("GET", "/a/b")).getCookies()).as("none: null, as the API says").isNull();
    }

    @Test
    void attributesAreKeptForTheRequest() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b"));

        request.setAttribute("a", 1);
        request.setAttribute("b", "two");
        request.setAttribute("b", null);

        assertThat(request.getAttribute("a")).isEqualTo(1);
        assertThat(request.getAttribute("b")).isNull();
        assertThat(Collections.list(request.getAttributeNames())).containsExactly("a");
        request.removeAttribute("a");
        assertThat(request.getAttributeNames().hasMoreElements()).isFalse();
    }

    @Test
    void localesFollowAcceptLanguageByWeight() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b")
                .header("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0, *;q=0.5"));

        assertThat(request.getLocale()).isEqualTo(Locale.forLanguageTag("fr-CH"));
        assertThat(Collections.list(request.getLocales()))
                .containsExactly(Locale.forLanguageTag("fr-CH"), Locale.FRENCH, Locale.ENGLISH);
    }

    @Test
    void withoutAUsableAcceptLanguageTheLocaleIsTheServers() {
        assertThat(adapt(new FakeRequest("GET", "/a/b")).getLocale()).isEqualTo(Locale.getDefault());
        ServletRequestAdapter garbled = adapt(new FakeRequest("GET", "/a/b").header("Accept-Language", "en;q=x;;"));
        assertThat(Collections.list(garbled.getLocales())).containsExactly(Locale.getDefault());
    }

    @Test
    void aRelativeDispatcherPathResolvesAgainstTheServletPathAndPathInfo() {
        List<String> asked = new ArrayList<>();
        ServletContext context = (ServletContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServletContext.class}, (proxy, method, arguments) -> {
                    if (method.getName().equals("getRequestDispatcher")) {
                        asked.add((String) arguments[0]);
                    }
                    return null;
                });
        FakeRequest fake = new FakeRequest("GET", "/shop/cart/items/view", "/shop");
        ServletRequestAdapter request = new ServletRequestAdapter(fake,
                new ServletRoute("/shop", "/cart", "/items/view", MappingMatch.PATH, "/cart/*"), context, ServletLimits.DEFAULTS, null, 7);

        request.getRequestDispatcher("edit");
        request.getRequestDispatcher("/top");

        assertThat(asked).containsExactly("/cart/items/edit", "/top");
        assertThat(request.getServletContext()).isSameAs(context);
        assertThat(adapt(new FakeRequest("GET", "/a/b")).getRequestDispatcher("x")).as("no context yet").isNull();
    }

    @Test
    void asyncAndUpgradeSayTheyAreNotThere() {
        ServletRequestAdapter request = adapt(new FakeRequest("GET", "/a/b"));

        assertThat(request.isAsyncSupported()).isFalse();
        assertThatThrownBy(request::startAsync).isInstanceOf(IllegalStateException.class).hasMessageContaining("not supported");
        assertThatThrownBy(() -> request.upgrade(null)).hasMessageContaining("FastCGI");
    }
}
