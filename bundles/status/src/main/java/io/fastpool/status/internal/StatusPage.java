package io.fastpool.status.internal;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Answers one request for the status page: picks the format from the query ({@code ?json},
 * {@code ?openmetrics}, {@code ?prometheus}, {@code ?html}) or, without one, from an
 * {@code Accept} header asking for OpenMetrics (as Prometheus sends), else HTML; renders it and
 * writes it. GET and HEAD only; the figures are never cached. Made once when the component starts,
 * with the dashboard read from the bundle's resources.
 */
final class StatusPage {

    /** What the page is written as. */
    enum Format {
        HTML, JSON, OPENMETRICS, PROMETHEUS
    }

    private final HtmlFormat dashboard;
    private final Supplier<StatusReport> report;

    /** The page of the figures {@code report} gives, the HTML drawn by {@code dashboard}. */
    StatusPage(HtmlFormat dashboard, Supplier<StatusReport> report) {
        this.dashboard = dashboard;
        this.report = report;
    }

    static Format formatOf(Request request) {
        Map<String, List<String>> query = request.queryParameterMap();
        if (query.containsKey("openmetrics")) {
            return Format.OPENMETRICS;
        }
        if (query.containsKey("prometheus")) {
            return Format.PROMETHEUS;
        }
        if (query.containsKey("json")) {
            return Format.JSON;
        }
        if (query.containsKey("html")) {
            return Format.HTML;
        }
        String accept = request.header("Accept");
        if (accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")) {
            return Format.OPENMETRICS;
        }
        return Format.HTML;
    }

    /** Writes the page for {@code request} into {@code response}. */
    void serve(Request request, Response response) throws IOException {
        String pathInfo = request.pathInfo();
        if (!pathInfo.isEmpty() && !pathInfo.equals("/")) {
            response.sendError(404, "The status page has no sub-pages; formats are chosen with ?json, ?openmetrics, ?prometheus or ?html.");
            return;
        }
        String method = request.method();
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
            response.setHeader("Allow", "GET, HEAD");
            response.sendError(405, "The status page answers GET and HEAD.");
            return;
        }
        Format format = formatOf(request);
        StatusReport figures = report.get();
        String body;
        String contentType;
        switch (format) {
            case JSON -> {
                body = JsonFormat.render(figures);
                contentType = JsonFormat.CONTENT_TYPE;
            }
            case OPENMETRICS -> {
                body = MetricsFormat.render(figures, MetricsFormat.Flavour.OPENMETRICS);
                contentType = MetricsFormat.Flavour.OPENMETRICS.contentType;
            }
            case PROMETHEUS -> {
                body = MetricsFormat.render(figures, MetricsFormat.Flavour.PROMETHEUS);
                contentType = MetricsFormat.Flavour.PROMETHEUS.contentType;
            }
            default -> {
                body = dashboard.render(figures);
                contentType = HtmlFormat.CONTENT_TYPE;
                response.setHeader("Content-Security-Policy", dashboard.contentSecurityPolicy());
                response.setHeader("Referrer-Policy", "no-referrer");
            }
        }
        response.setStatus(200);
        response.setContentType(contentType);
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        if (!head) {
            response.body().write(body.getBytes(StandardCharsets.UTF_8));
        }
    }
}
