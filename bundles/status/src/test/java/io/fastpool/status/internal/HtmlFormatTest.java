package io.fastpool.status.internal;

import static io.fastpool.status.internal.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlFormatTest {

    private static final String EVIL = "<script>alert('x')</script>&\"pool\"";

    @Test
    void poolAppAndAdviceTextIsEscaped() {
        Fixtures.Pool evil = pool().name(EVIL);
        evil.orphans = 1;
        evil.apps = List.of(new io.fastpool.pool.PoolSnapshot.AppView("<b>app</b>", true, 1, 1, 0));
        StatusReport report = Fixtures.report(List.of(evil.snapshot()));
        report = report.withAdvice(new Advisor().advise(report));
        String html = HtmlFormat.render(report);
        assertThat(html).doesNotContain("<script>alert", "<b>app</b>");
        assertThat(html).contains("<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;pool&quot;</td>");
        assertThat(html).contains("pool &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;pool&quot;: 1 worker threads");
        assertThat(html.split("<script>", -1)).as("exactly the page's own script").hasSize(2);
    }

    @Test
    void theEscapeCoversEveryCharacterThatEndsTextOrAnAttribute() {
        assertThat(HtmlFormat.escape("<>&\"'")).isEqualTo("&lt;&gt;&amp;&quot;&#39;");
        assertThat(HtmlFormat.escape(null)).isEmpty();
        assertThat(HtmlFormat.escape("plain é")).isEqualTo("plain é");
    }

    @Test
    void thePageShowsEveryPoolListenerAndTheResponsesWithoutScript() {
        String html = HtmlFormat.render(Fixtures.report(List.of(pool().snapshot(), pool().name("blog").snapshot())));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<main id=\"app\" data-mode=\"static\">");
        assertThat(html).contains("<td>shop</td><td>RUNNING</td>", "<td>blog</td>", "<td>unix:run/fastpool.sock</td><td>120</td>",
                "<td>10300</td>", "<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>");
        assertThat(html).as("pool cards are drawn by the script only").doesNotContain("data-pool=");
    }

    @Test
    void nothingIsFetchedFromAnywhereElse() {
        String html = HtmlFormat.render(Fixtures.report(List.of(pool().snapshot())));
        assertThat(html).contains("<link rel=\"icon\" href=\"data:,\">");
        html = html.replace("<link rel=\"icon\" href=\"data:,\">", "");
        assertThat(html).doesNotContainIgnoringCase("http://").doesNotContainIgnoringCase("https://")
                .doesNotContain("src=", "href=", "@import", "url(", "//cdn", " style=", "onload=", "onclick=");
        assertThat(HtmlFormat.SCRIPT).contains("location.pathname + '?json'").doesNotContain("innerHTML", "eval(", "document.write");
    }

    @Test
    void theContentSecurityPolicyAllowsExactlyTheInlineStyleAndScript() throws Exception {
        String html = HtmlFormat.render(Fixtures.report(List.of(pool().snapshot())));
        String script = between(html, "<script>", "</script>");
        String style = between(html, "<style>", "</style>");
        assertThat(HtmlFormat.CONTENT_SECURITY_POLICY).startsWith("default-src 'none'; ")
                .contains("script-src '" + sha256(script) + "'", "style-src '" + sha256(style) + "'", "connect-src 'self'",
                        "img-src data:")
                .doesNotContain("unsafe");
    }

    @Test
    void theScriptRefreshesOnTheSampleInterval() {
        assertThat(HtmlFormat.SCRIPT).contains("h.intervalSeconds * 1000", "setTimeout(load, interval)");
    }

    private static String between(String text, String open, String close) {
        Matcher matcher = Pattern.compile(Pattern.quote(open) + "(.*?)" + Pattern.quote(close), Pattern.DOTALL).matcher(text);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    private static String sha256(String text) throws Exception {
        return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
