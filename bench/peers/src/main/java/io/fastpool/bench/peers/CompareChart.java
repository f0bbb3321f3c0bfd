package io.fastpool.bench.peers;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * Draws the results of {@code bench/compare} as a PNG: two panels of grouped bars, requests/s
 * (linear, higher is better) and p99 latency (logarithmic, lower is better), one group per
 * scenario and one bar per peer, each bar labelled with its value. XChart draws the panels;
 * this class only stacks them under a title and the machine lines, with the notes below, and
 * lists there which bars ran fewer connections than their group or had errors.
 *
 * <p>The input is the CSV that {@code bench/compare} writes, read with Commons CSV: {@code #}
 * comment lines ({@code # machine: ...}, {@code # note: ...} and others), then a header line naming
 * at least the columns {@code scenario_label, peer, peer_label, connections, requests_per_s, p99_ms,
 * errors}, then one line per peer and scenario.
 *
 * <pre>
 * java -Djava.awt.headless=true -cp bench/peers/target/peers.jar io.fastpool.bench.peers.CompareChart results.csv compare.png
 * </pre>
 */
public final class CompareChart {

    private static final int WIDTH = 1400;
    private static final int PANEL_HEIGHT = 420;
    private static final int MARGIN = 50;
    private static final List<String> REQUIRED = List.of("scenario_label", "peer", "peer_label", "connections",
            "requests_per_s", "p99_ms", "errors");

    /** Peer colours by peer id, in legend order; unknown peers take the fallback colours. */
    private static final Map<String, Color> PEER_COLOURS = new LinkedHashMap<>();

    static {
        PEER_COLOURS.put("fastpool-webapp", new Color(0x1f77b4));
        PEER_COLOURS.put("fastpool-servlet", new Color(0x6baed6));
        PEER_COLOURS.put("jetty", new Color(0xff7f0e));
        PEER_COLOURS.put("jetty-servlet", new Color(0xfdae6b));
        PEER_COLOURS.put("php", new Color(0x6a51a3));
        PEER_COLOURS.put("php-kc", new Color(0xb6a6d8));
        PEER_COLOURS.put("ceiling", new Color(0x9e9e9e));
    }

    private static final Color[] FALLBACK = {new Color(0x2ca02c), new Color(0xd62728), new Color(0x8c564b)};
    private static final Color GREY_TEXT = new Color(0x555555);

    private CompareChart() {
    }

    /** One line of the CSV. */
    record Row(String scenario, String peer, String peerLabel, int connections, double requestsPerSecond,
               double p99Millis, long errors) {
    }

    /** What the chart shows: the rows, and the comment lines worth printing under the title. */
    record Results(List<Row> rows, List<String> machine, List<String> notes) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || args[0].startsWith("-")) {
            System.err.println("usage: CompareChart RESULTS.csv OUTPUT.png");
            System.exit(2);
            return;
        }
        Path csv = Path.of(args[0]);
        Path png = Path.of(args[1]);
        Results results;
        try {
            results = read(csv);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("CompareChart: " + csv + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        BufferedImage image = draw(results);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer available");
        }
        System.out.println("CompareChart: wrote " + png);
    }

    static Results read(Path csv) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setCommentMarker('#')
                .setIgnoreEmptyLines(true).get();
        List<String> machine = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.parse(reader, format)) {
            for (String required : REQUIRED) {
                if (!parser.getHeaderMap().containsKey(required)) {
                    throw new IllegalArgumentException("the header line has no column '" + required + "'");
                }
            }
            sortComment(parser.getHeaderComment(), machine, notes);
            for (CSVRecord record : parser) {
                sortComment(record.getComment(), machine, notes);
                if (!record.isConsistent()) {
                    throw new IllegalArgumentException("line " + record.getParser().getCurrentLineNumber() + " has "
                            + record.size() + " fields, the header " + parser.getHeaderMap().size());
                }
                rows.add(new Row(record.get("scenario_label"), record.get("peer"), record.get("peer_label"),
                        (int) number(record.get("connections")), number(record.get("requests_per_s")),
                        number(record.get("p99_ms")), (long) number(record.get("errors"))));
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no results in it");
        }
        return new Results(rows, machine, notes);
    }

    /** Files the comment lines ({@code machine:}, {@code software:}, {@code note:}); others are not shown. */
    private static void sortComment(String comment, List<String> machine, List<String> notes) {
        if (comment == null) {
            return;
        }
        for (String line : comment.split("\n")) {
            String text = line.strip();
            if (text.startsWith("note:")) {
                notes.add(text.substring("note:".length()).strip());
            } else if (text.startsWith("machine:") || text.startsWith("software:")) {
                machine.add(text.substring(text.indexOf(':') + 1).strip());
            }
        }
    }

    private static double number(String field) {
        if (field.isEmpty() || field.equals("-")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(field);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + field + "' is not a number", e);
        }
    }

    static BufferedImage draw(Results results) {
        List<String> scenarios = results.rows().stream().map(Row::scenario).distinct().toList();
        Map<String, String> peerLabels = peerLabels(results.rows());
        CategoryChart throughput = panel("requests/s (higher is better)", results.rows(), scenarios, peerLabels,
                Row::requestsPerSecond, CompareChart::count, false);
        CategoryChart latency = panel("p99 latency, ms (lower is better; logarithmic)", results.rows(), scenarios, peerLabels,
                Row::p99Millis, CompareChart::millis, true);
        latency.getStyler().setLegendVisible(false);

        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 24);
        Font smallFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        Font noteFont = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        int textWidth = WIDTH - 2 * MARGIN;
        // Lay the text out first, on a scratch image, to know how tall the chart is.
        Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        List<String> header = wrapAll(results.machine(), scratch.getFontMetrics(smallFont), textWidth);
        List<String> notes = new ArrayList<>(marks(results.rows(), peerLabels));
        notes.addAll(results.notes());
        List<String> footer = wrapAll(notes, scratch.getFontMetrics(noteFont), textWidth);
        scratch.dispose();

        int headerHeight = 66 + 18 * header.size();
        int footerHeight = 20 + 17 * footer.size();
        int height = headerHeight + 2 * PANEL_HEIGHT + footerHeight;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            g.setColor(Color.BLACK);
            g.setFont(titleFont);
            g.drawString("Hello, world! over FastCGI: Fastpool, PHP-FPM and Jetty 12", MARGIN, 38);
            drawLines(g, header, smallFont, 62, 18);
            paintAt(g, throughput, headerHeight);
            paintAt(g, latency, headerHeight + PANEL_HEIGHT);
            drawLines(g, footer, noteFont, height - footerHeight + 12, 17);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Peer id to label, the known peers first in their order, then the others as they come. */
    private static Map<String, String> peerLabels(List<Row> rows) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String known : PEER_COLOURS.keySet()) {
            rows.stream().filter(r -> r.peer().equals(known)).findFirst().ifPresent(r -> labels.put(r.peer(), r.peerLabel()));
        }
        rows.forEach(row -> labels.putIfAbsent(row.peer(), row.peerLabel()));
        return labels;
    }

    private static CategoryChart panel(String title, List<Row> rows, List<String> scenarios, Map<String, String> peerLabels,
            ToDoubleFunction<Row> metric, Function<Double, String> label, boolean logarithmic) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(PANEL_HEIGHT).title(title).build();
        var styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(false);
        styler.setChartTitleBoxVisible(false);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setLegendPosition(LegendPosition.OutsideS);
        styler.setLegendLayout(LegendLayout.Horizontal);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        styler.setLabelsVisible(true);
        styler.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLabelsPosition(1.0);
        styler.setYAxisLogarithmic(logarithmic);
        if (!logarithmic) {
            styler.setyAxisTickLabelsFormattingFunction(label);
        } else {
            // XChart computes linear ticks when given a formatting function, so the log panel takes a pattern.
            styler.setYAxisDecimalPattern("#,##0.###");
            styler.setYAxisLogarithmicDecadeOnly(true);
            // Whole decades around the values, as before; XChart's own range starts at the smallest bar.
            double min = rows.stream().mapToDouble(metric).filter(v -> v > 0 && Double.isFinite(v)).min().orElse(1);
            double max = rows.stream().mapToDouble(metric).filter(v -> v > 0 && Double.isFinite(v)).max().orElse(1);
            styler.setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
            styler.setYAxisMax(Math.pow(10, Math.max(Math.floor(Math.log10(min)) + 1, Math.ceil(Math.log10(max) + 0.15))));
        }
        styler.setSeriesColors(colours(peerLabels));
        for (Map.Entry<String, String> peer : peerLabels.entrySet()) {
            List<Double> values = new ArrayList<>();
            for (String scenario : scenarios) {
                double value = rows.stream().filter(r -> r.scenario().equals(scenario) && r.peer().equals(peer.getKey()))
                        .mapToDouble(metric).findFirst().orElse(Double.NaN);
                values.add(value > 0 && Double.isFinite(value) ? value : null);
            }
            chart.addSeries(peer.getValue(), scenarios, values);
        }
        return chart;
    }

    private static Color[] colours(Map<String, String> peerLabels) {
        List<Color> colours = new ArrayList<>();
        int fallback = 0;
        for (String peer : peerLabels.keySet()) {
            Color known = PEER_COLOURS.get(peer);
            colours.add(known != null ? known : FALLBACK[fallback++ % FALLBACK.length]);
        }
        return colours.toArray(new Color[0]);
    }

    /**
     * What the bars alone do not say: a peer that ran fewer connections than the others of its
     * scenario (PHP-FPM, one per child), and errors.
     */
    static List<String> marks(List<Row> rows, Map<String, String> peerLabels) {
        List<String> marks = new ArrayList<>();
        for (Row row : rows) {
            int most = rows.stream().filter(r -> r.scenario().equals(row.scenario())).mapToInt(Row::connections).max().orElse(0);
            String peer = peerLabels.get(row.peer());
            if (row.connections() < most) {
                marks.add(peer + " ran " + row.connections() + " connections in " + row.scenario() + ".");
            }
            if (row.errors() > 0) {
                marks.add(peer + " had " + row.errors() + " errors in " + row.scenario() + ".");
            }
        }
        return marks;
    }

    private static void paintAt(Graphics2D g, CategoryChart chart, int top) {
        Graphics2D panel = (Graphics2D) g.create(0, top, WIDTH, PANEL_HEIGHT);
        try {
            chart.paint(panel, WIDTH, PANEL_HEIGHT);
        } finally {
            panel.dispose();
        }
    }

    private static void drawLines(Graphics2D g, List<String> lines, Font font, int firstBaseline, int lineHeight) {
        g.setFont(font);
        g.setColor(GREY_TEXT);
        int y = firstBaseline;
        for (String line : lines) {
            g.drawString(line, MARGIN, y);
            y += lineHeight;
        }
    }

    private static List<String> wrapAll(List<String> texts, FontMetrics metrics, int width) {
        List<String> lines = new ArrayList<>();
        texts.forEach(text -> lines.addAll(wrap(text, metrics, width)));
        return lines;
    }

    /** Breaks {@code text} at spaces into lines no wider than {@code width}. */
    static List<String> wrap(String text, FontMetrics metrics, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && metrics.stringWidth(line + " " + word) > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    static String count(double value) {
        if (value >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", value / 1_000_000);
        }
        if (value >= 10_000) {
            return String.format(Locale.ROOT, "%.1fk", value / 1_000);
        }
        if (value >= 1_000) {
            return String.format(Locale.ROOT, "%.2fk", value / 1_000);
        }
        return String.format(Locale.ROOT, "%.0f", value);
    }

    static String millis(double value) {
        if (value >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (value >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (value >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
