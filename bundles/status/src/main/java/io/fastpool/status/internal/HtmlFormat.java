package io.fastpool.status.internal;

import io.fastpool.listener.ListenerStatus;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.transport.ListenerSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The status page as HTML: a dashboard that draws itself. The server writes the figures as plain
 * tables (readable without JavaScript, refreshed by a {@code <noscript>} meta refresh); the inline
 * script then fetches {@code ?json} every sample interval and replaces them with pool cards (state,
 * thread and queue meters, key figures) and canvas charts of the history, keeping the server's
 * tables of listen addresses and responses and refreshing their rows (see {@link #table}). Nothing
 * is fetched from anywhere but this page's own path: the style and script are inline and allowed by
 * their hashes in the Content-Security-Policy, which forbids everything else. Every name from an
 * app or a configuration is escaped on the server and set as text, never as markup, by the script.
 *
 * <p>The style and script are resources of the bundle ({@code dashboard.css}, {@code dashboard.js}),
 * read once when the component starts; their hashes are computed from what is read, so an edited
 * resource is never blocked by a stale hash.
 */
final class HtmlFormat {

    static final String CONTENT_TYPE = "text/html; charset=utf-8";

    private static final String STYLE_RESOURCE = "dashboard.css";
    private static final String SCRIPT_RESOURCE = "dashboard.js";

    private static final List<Column> POOL_COLUMNS = Column.headings("pool", "state", "busy threads", "threads", "max threads",
            "queued", "max queued", "queue length", "served", "rejected", "5xx", "time-outs", "latency p50", "latency p99",
            "queue wait p99", "latency p50, last 5 s", "latency p99, last 5 s", "CPU / request", "alloc / request");
    private static final List<Column> LISTENER_COLUMNS = Column.of("listen", "listen", "accepted", "accepted", "open", "open",
            "active", "active", "idle", "idle", "held", "held", "refused", "refused");
    private static final List<Column> RESPONSE_COLUMNS = Column.of("1xx", "responses.1xx", "2xx", "responses.2xx",
            "3xx", "responses.3xx", "4xx", "responses.4xx", "5xx", "responses.5xx", "not found", "notFound", "rejected", "rejected",
            "aborted", "aborted");

    private final String style;
    private final String script;
    private final String contentSecurityPolicy;

    /**
     * The page with this style and script.
     *
     * @throws IllegalArgumentException if either holds its element's end tag, which would end it early
     */
    HtmlFormat(String style, String script) {
        this.style = inline("style", style);
        this.script = inline("script", script);
        this.contentSecurityPolicy = "default-src 'none'; script-src '" + sha256(this.script) + "'; style-src '"
                + sha256(this.style) + "'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none';"
                + " frame-ancestors 'none'";
    }

    /** The page with the bundle's own style and script ({@code dashboard.css}, {@code dashboard.js} beside this class). */
    static HtmlFormat load() {
        return new HtmlFormat(resource(STYLE_RESOURCE), resource(SCRIPT_RESOURCE));
    }

    /** Only this page's own style and script, and fetches from its own origin. */
    String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    String style() {
        return style;
    }

    String script() {
        return script;
    }

    String render(StatusReport report) {
        StringBuilder out = new StringBuilder(style.length() + script.length() + 8192);
        int refresh = Math.max(2, report.history().intervalSeconds());
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Fastpool status</title>\n")
                // An empty icon, so the browser does not ask the server for /favicon.ico (a 404 in the figures).
                .append("<link rel=\"icon\" href=\"data:,\">\n")
                .append("<noscript><meta http-equiv=\"refresh\" content=\"").append(refresh).append("\"></noscript>\n")
                .append("<style>").append(style).append("</style>\n</head>\n<body>\n<header><h1>Fastpool status</h1>")
                .append("<span id=\"updated\">figures of ").append(escape(report.time().toString())).append("</span></header>\n")
                .append("<main id=\"app\" data-mode=\"static\">\n");
        summary(out, report);
        advice(out, report);
        pools(out, report);
        listeners(out, report);
        requests(out, report.requests());
        out.append("</main>\n<script>").append(script).append("</script>\n</body>\n</html>\n");
        return out.toString();
    }

    private static void summary(StringBuilder out, StatusReport report) {
        SystemFigures system = report.system();
        out.append("<section class=\"tiles\">");
        tile(out, "uptime", Advisor.duration(report.uptime().withNanos(0)));
        tile(out, "started", report.startTime().toString());
        tile(out, "transport", report.transportRunning() ? "running (" + report.ioKind() + ")" : "not running");
        tile(out, "CPU busy", system.cpuBusy() < 0 ? "unknown" : Math.round(system.cpuBusy() * 100) + "%");
        tile(out, "pools", Integer.toString(report.pools().size()));
        out.append("</section>\n");
    }

    private static void tile(StringBuilder out, String label, String value) {
        out.append("<div class=\"tile\"><div class=\"tile-value\">").append(escape(value)).append("</div><div class=\"tile-label\">")
                .append(escape(label)).append("</div></div>");
    }

    private static void advice(StringBuilder out, StatusReport report) {
        if (report.advice().isEmpty()) {
            return;
        }
        out.append("<section class=\"advice\"><h2>Advice</h2><ul>\n");
        for (Advice advice : report.advice()) {
            String severity = advice.severity().name().toLowerCase(Locale.ROOT);
            out.append("<li class=\"").append(severity).append("\"><span class=\"badge\">").append(severity).append("</span> ")
                    .append(escape(advice.message())).append("<div class=\"figures\">");
            advice.figures().forEach((name, value) -> out.append("<span class=\"chip\">").append(escape(name)).append(' ')
                    .append(escape(String.valueOf(value))).append("</span>"));
            out.append("</div></li>\n");
        }
        out.append("</ul></section>\n");
    }

    /** The pools as a table, for readers without the script; the script draws a card per pool instead. */
    private static void pools(StringBuilder out, StatusReport report) {
        if (report.pools().isEmpty()) {
            out.append("<h2>Pools</h2>\n<p class=\"empty\">No pools: no app is deployed.</p>\n");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (PoolSnapshot pool : report.pools()) {
            PoolSnapshot.Counters c = pool.counters();
            rows.add(List.of(pool.name(), pool.state().name(), pool.busyThreads() + " (most " + report.maxBusyThreads(pool) + ")",
                    Integer.toString(pool.threads()), Integer.toString(pool.settings().maxThreads()), Integer.toString(pool.queued()),
                    Integer.toString(pool.maxQueued()), Integer.toString(pool.settings().queueLength()), Long.toString(c.served()),
                    Long.toString(c.rejected()), Long.toString(c.serverErrors()), Long.toString(c.timeouts()),
                    Advisor.millis(pool.latency().p50()) + " ms", Advisor.millis(pool.latency().p99()) + " ms",
                    Advisor.millis(pool.queueWait().p99()) + " ms",
                    Advisor.millis(pool.lastInterval().latency().p50()) + " ms", Advisor.millis(pool.lastInterval().latency().p99()) + " ms",
                    c.served() == 0 ? "-" : Advisor.round(c.cpuNanos() / 1e6 / c.served()) + " ms",
                    c.served() == 0 ? "-" : c.allocatedBytes() / c.served() + " B"));
        }
        table(out, "Pools", null, POOL_COLUMNS, rows);
    }

    private static void listeners(StringBuilder out, StatusReport report) {
        List<List<String>> rows = new ArrayList<>();
        for (StatusReport.ListenAddress listener : report.listeners()) {
            ListenerSnapshot s = listener.snapshot();
            rows.add(List.of(s.listenAddress(), Long.toString(s.accepted()), Integer.toString(s.open()),
                    Integer.toString(listener.active()), Integer.toString(listener.idle()), Integer.toString(listener.held()),
                    Long.toString(s.refused())));
        }
        table(out, "Listen addresses", "listeners", LISTENER_COLUMNS, rows);
        if (!report.transportRunning()) {
            out.append("<p class=\"empty\">The transport is not running.</p>\n");
        }
    }

    private static void requests(StringBuilder out, ListenerStatus.Counters c) {
        List<List<String>> rows = new ArrayList<>();
        if (c != null) {
            rows.add(LongStream.of(c.responses1xx(), c.responses2xx(), c.responses3xx(), c.responses4xx(), c.responses5xx(),
                    c.notFound(), c.rejected(), c.aborted()).mapToObj(Long::toString).toList());
        }
        table(out, "Responses", "requests", RESPONSE_COLUMNS, rows);
        if (c == null) {
            out.append("<p class=\"empty\">The FastCGI listener is not running.</p>\n");
        }
    }

    /**
     * A table of figures in a section of its own. With a {@code source}, the member of the JSON it
     * shows, each heading names its row's field ({@code data-field}, a dotted path), and the script
     * keeps the table and refreshes its rows from every {@code ?json}: the table's headings, order
     * and figures are written here only. A table without one is left to readers without the script.
     */
    private static void table(StringBuilder out, String title, String source, List<Column> columns, List<List<String>> rows) {
        out.append(source == null ? "<section>" : "<section data-source=\"" + source + "\">").append("<h2>").append(title)
                .append("</h2>\n<div class=\"wide\"><table>\n<thead><tr>");
        for (Column column : columns) {
            out.append(source == null ? "<th>" : "<th data-field=\"" + column.field + "\">").append(column.heading).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            out.append("<tr>");
            row.forEach(text -> cell(out, text));
            out.append("</tr>\n");
        }
        out.append("</tbody></table></div></section>\n");
    }

    /** A table's column: its heading, and the JSON field it shows (a path like {@code responses.2xx}), if any. */
    private record Column(String heading, String field) {
        static List<Column> headings(String... headings) {
            return Stream.of(headings).map(heading -> new Column(heading, null)).toList();
        }

        static List<Column> of(String... headingsAndFields) {
            List<Column> columns = new ArrayList<>();
            for (int i = 0; i < headingsAndFields.length; i += 2) {
                columns.add(new Column(headingsAndFields[i], headingsAndFields[i + 1]));
            }
            return List.copyOf(columns);
        }
    }

    private static void cell(StringBuilder out, String text) {
        out.append("<td>").append(escape(text)).append("</td>");
    }

    /** Text made safe for HTML element content and quoted attribute values. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /**
     * A resource beside this class as UTF-8 text, its line ends made {@code \n}: the HTML parser makes
     * them so before the browser hashes an inline element, so the hash is of the text it will see.
     */
    private static String resource(String name) {
        try (InputStream in = HtmlFormat.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the status bundle has no resource " + name + " beside " + HtmlFormat.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n").replace('\r', '\n');
        } catch (IOException e) {
            throw new UncheckedIOException("the status bundle's resource " + name + " could not be read", e);
        }
    }

    private static String inline(String element, String text) {
        if (Pattern.compile("</" + element, Pattern.CASE_INSENSITIVE).matcher(text).find()) {
            throw new IllegalArgumentException("the dashboard's " + element + " holds </" + element + ", which would end it early");
        }
        return text;
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
