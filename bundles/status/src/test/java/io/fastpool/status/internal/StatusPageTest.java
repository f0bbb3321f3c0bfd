package io.fastpool.status.internal;

import static io.fastpool.status.internal.Fixtures.pool;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.FakeExchange;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPageTest {

    private static final HtmlFormat DASHBOARD = HtmlFormat.load();

    private static FakeExchange serve(FakeExchange exchange) throws Exception {
        new StatusPage(DASHBOARD, () -> Fixtures.report(List.of(pool().snapshot()))).serve(exchange.request(), exchange.response());
        return exchange;
    }

    @Test
    void theQueryChoosesTheFormat() throws Exception {
        FakeExchange json = serve(FakeExchange.get("/fastpool-status", "json"));
        assertThat(json.response.status).isEqualTo(200);
        assertThat(json.response.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(json.response.text()).startsWith("{\"server\":");

        FakeExchange openMetrics = serve(FakeExchange.get("/fastpool-status", "openmetrics"));
        assertThat(openMetrics.response.header("Content-Type")).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(openMetrics.response.text()).endsWith("# EOF\n");

        FakeExchange prometheus = serve(FakeExchange.get("/fastpool-status", "prometheus"));
        assertThat(prometheus.response.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");

        FakeExchange html = serve(FakeExchange.get("/fastpool-status", ""));
        assertThat(html.response.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(html.response.header("Content-Security-Policy")).isEqualTo(DASHBOARD.contentSecurityPolicy());
        assertThat(html.response.text()).startsWith("<!DOCTYPE html>");
        assertThat(html.response.header("Cache-Control")).isEqualTo("no-store");
        assertThat(html.response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(serve(FakeExchange.get("/fastpool-status/", "html&json")).response.header("Content-Type"))
                .as("the most specific format asked for wins").startsWith("application/json");
    }

    @Test
    void aScraperAskingForOpenMetricsGetsItWithoutAQuery() throws Exception {
        FakeExchange scrape = serve(FakeExchange.get("/fastpool-status", "").header("Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
        assertThat(scrape.response.header("Content-Type")).startsWith("application/openmetrics-text");
    }

    @Test
    void subPathsAre404AndOtherMethods405AndHeadHasNoBody() throws Exception {
        assertThat(serve(FakeExchange.get("/fastpool-status/x", "json")).response.status).isEqualTo(404);
        FakeExchange post = serve(new FakeExchange("POST", "/fastpool-status", "json", "127.0.0.1"));
        assertThat(post.response.status).isEqualTo(405);
        assertThat(post.response.header("Allow")).isEqualTo("GET, HEAD");
        FakeExchange head = serve(new FakeExchange("HEAD", "/fastpool-status", "json", "127.0.0.1"));
        assertThat(head.response.status).isEqualTo(200);
        assertThat(head.response.header("Content-Type")).startsWith("application/json");
        assertThat(head.response.text()).isEmpty();
    }
}
