package io.fastpool.status.internal;

import static io.fastpool.status.internal.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HtmlFormatTest {

    private static final HtmlFormat DASHBOARD = HtmlFormat.load();
    private static final String EVIL = "<script>alert('x')</script>&\"pool\"";

    @Test
    void poolAppAndAdviceTextIsEscaped() {
        Fixtures.Pool evil = pool().name(EVIL);
        evil.orphans = 1;
        evil.apps = List.of(new io.fastpool.pool.PoolSnapshot.AppView("<b>app</b>", true, 1, 1, 0));
        StatusReport report = Fixtures.report(List.of(evil.snapshot()));
        report = report.withAdvice(new Advisor().advise(report));
        String html = DASHBOARD.render(report);
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
        String html = DASHBOARD.render(Fixtures.report(List.of(pool().snapshot(), pool().name("blog").snapshot())));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<main id=\"app\" data-mode=\"static\">");
        assertThat(html).contains("<td>shop</td><td>RUNNING</td>", "<td>blog</td>", "<td>unix:run/fastpool.sock</td><td>120</td>",
                "<td>10300</td>", "<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>");
        assertThat(html).as("pool cards are drawn by the script only").doesNotContain("data-pool=");
    }

    @Test
    void nothingIsFetchedFromAnywhereElse() {
        String html = DASHBOARD.render(Fixtures.report(List.of(pool().snapshot())));
        assertThat(html).contains("<link rel=\"icon\" href=\"data:,\">");
        html = html.replace("<link rel=\"icon\" href=\"data:,\">", "");
        assertThat(html).doesNotContainIgnoringCase("http://").doesNotContainIgnoringCase("https://")
                .doesNotContain("src=", "href=", "@import", "url(", "//cdn", " style=", "onload=", "onclick=");
        assertThat(DASHBOARD.script()).contains("location.pathname + '?json'").doesNotContain("innerHTML", "eval(", "document.write");
    }

    @Test
    void theContentSecurityPolicyAllowsExactlyTheInlineStyleAndScript() throws Exception {
        String html = DASHBOARD.render(Fixtures.report(List.of(pool().snapshot())));
        String script = between(html, "<script>", "</script>");
        String style = between(html, "<style>", "</style>");
        assertThat(DASHBOARD.contentSecurityPolicy()).startsWith("default-src 'none'; ")
                .contains("script-src '" + sha256(script) + "'", "style-src '" + sha256(style) + "'", "connect-src 'self'",
                        "img-src data:")
                .doesNotContain("unsafe");
    }

    @Test
    void theScriptRefreshesOnTheSampleInterval() {
        assertThat(DASHBOARD.script()).contains("h.intervalSeconds * 1000", "setTimeout(load, interval)");
    }

    @Test
    void theStyleAndScriptAreTheBundlesResources() throws Exception {
        assertThat(DASHBOARD.style()).isEqualTo(resource("dashboard.css")).contains(".meter-fill");
        assertThat(DASHBOARD.script()).isEqualTo(resource("dashboard.js")).contains("function render(d)");
    }

    @Test
    void aChangedStyleOrScriptIsAllowedByItsNewHashAndNoOther() {
        HtmlFormat changed = new HtmlFormat(DASHBOARD.style() + "h3{margin:0}\n", DASHBOARD.script() + "// changed\n");
        String html = changed.render(Fixtures.report(List.of(pool().snapshot())));
        assertThat(allowed(changed.contentSecurityPolicy(), "script-src")).isEqualTo(inlineHashes(html, "script"))
                .doesNotContainAnyElementsOf(allowed(DASHBOARD.contentSecurityPolicy(), "script-src"));
        assertThat(allowed(changed.contentSecurityPolicy(), "style-src")).isEqualTo(inlineHashes(html, "style"))
                .doesNotContainAnyElementsOf(allowed(DASHBOARD.contentSecurityPolicy(), "style-src"));
    }

    @Test
    void aScriptOrStyleHoldingItsEndTagIsRefused() {
        assertThatThrownBy(() -> new HtmlFormat(DASHBOARD.style(), "var s = '</SCRIPT>';")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("</script");
        assertThatThrownBy(() -> new HtmlFormat("p{}</style>", DASHBOARD.script())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("</style");
    }

    @Test
    void eachColumnTheScriptRefreshesNamesTheJsonFigureTheServerWroteInIt() throws Exception {
        StatusReport report = Fixtures.report(List.of(pool().snapshot()));
        String html = DASHBOARD.render(report);
        Map<String, Object> json = JSON.std.mapFrom(JsonFormat.render(report));
        Matcher section = Pattern.compile("<section data-source=\"(\\w+)\">(.*?)</section>", Pattern.DOTALL).matcher(html);
        List<String> sources = new ArrayList<>();
        while (section.find()) {
            sources.add(section.group(1));
            List<String> fields = groups(section.group(2), "<th data-field=\"([^\"]+)\">");
            List<String> cells = groups(section.group(2), "<td>([^<]*)</td>");
            Object member = json.get(section.group(1));
            List<?> rows = member instanceof List<?> list ? list : List.of(member);
            assertThat(cells).as(section.group(1)).hasSize(fields.size() * rows.size());
            for (int i = 0; i < cells.size(); i++) {
                Object figure = rows.get(i / fields.size());
                for (String key : fields.get(i % fields.size()).split("\\.")) {
                    figure = ((Map<?, ?>) figure).get(key);
                }
                assertThat(String.valueOf(figure)).as(section.group(1) + " " + fields.get(i % fields.size())).isEqualTo(cells.get(i));
            }
        }
        assertThat(sources).containsExactly("listeners", "requests");
    }

    private static List<String> groups(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        List<String> found = new ArrayList<>();
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    /** The sources a Content-Security-Policy's {@code directive} allows, without their quotes. */
    static Set<String> allowed(String policy, String directive) {
        for (String part : policy.split(";")) {
            List<String> words = List.of(part.trim().split(" +"));
            if (words.get(0).equals(directive)) {
                return words.subList(1, words.size()).stream().map(word -> word.replace("'", "")).collect(Collectors.toSet());
            }
        }
        throw new AssertionError("no " + directive + " in " + policy);
    }

    /** The sha256 source of every inline {@code element} of {@code html}, as a browser hashes it. */
    static Set<String> inlineHashes(String html, String element) {
        Matcher matcher = Pattern.compile("<" + element + "[^>]*>(.*?)</" + element + ">", Pattern.DOTALL).matcher(html);
        Set<String> hashes = new HashSet<>();
        while (matcher.find()) {
            hashes.add(sha256(matcher.group(1)));
        }
        return hashes;
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = HtmlFormat.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String between(String text, String open, String close) {
        Matcher matcher = Pattern.compile(Pattern.quote(open) + "(.*?)" + Pattern.quote(close), Pattern.DOTALL).matcher(text);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    private static String sha256(String text) {
        try {
            return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
