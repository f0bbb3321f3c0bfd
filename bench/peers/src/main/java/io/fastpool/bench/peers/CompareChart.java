package io.fastpool.bench.peers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws the results of {@code bench/compare} as a PNG: two panels of grouped bars, requests/s
 * (linear, higher is better) and p99 latency (logarithmic, lower is better), one group per
 * scenario and one bar per peer, each bar labelled with its value.
 *
 * <p>The input is the CSV that {@code bench/compare} writes: {@code #} comment lines
 * ({@code # machine: ...}, {@code # note: ...} and others), then a header line naming at least the
 * columns {@code scenario_label, peer, peer_label, connections, requests_per_s, p99_ms, errors}, then one line
 * per peer and scenario. Fields may be quoted, with {@code ""} for a quote inside.
 *
 * <pre>
 * java -Djava.awt.headless=true -cp bench/peers/target/peers.jar io.fastpool.bench.peers.CompareChart results.csv compare.png
 * </pre>
 */
public final class CompareChart {

    private static final int WIDTH = 1400;
    private static final int PANEL_HEIGHT = 330;
    private static final int LEFT = 110;
    private static final int RIGHT = 40;

    /** Peer colours by peer id, in legend order; unknown peers take the fallback colours. */
    private static final Map<String, Color> PEER_COLOURS = new LinkedHashMap<>();

    static {
        PEER_COLOURS.put("fastpool", new Color(0x1f77b4));
        PEER_COLOURS.put("jetty", new Color(0xff7f0e));
        PEER_COLOURS.put("php", new Color(0x6a51a3));
        PEER_COLOURS.put("php-kc", new Color(0xb6a6d8));
        PEER_COLOURS.put("ceiling", new Color(0x9e9e9e));
    }

    private static final Color[] FALLBACK = {new Color(0x2ca02c), new Color(0xd62728), new Color(0x8c564b)};

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
        } catch (IllegalArgumentException e) {
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
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<String> machine = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        Map<String, Integer> columns = null;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String comment = line.substring(1).strip();
                if (comment.startsWith("note:")) {
                    notes.add(comment.substring("note:".length()).strip());
                } else if (comment.startsWith("machine:") || comment.startsWith("software:")) {
                    machine.add(comment.substring(comment.indexOf(':') + 1).strip());
                }
                continue;
            }
            List<String> fields = splitCsv(line);
            if (columns == null) {
                columns = new LinkedHashMap<>();
                for (int i = 0; i < fields.size(); i++) {
                    columns.put(fields.get(i), i);
                }
                for (String required : List.of("scenario_label", "peer", "peer_label", "connections", "requests_per_s",
                        "p99_ms", "errors")) {
                    if (!columns.containsKey(required)) {
                        throw new IllegalArgumentException("the header line has no column '" + required + "'");
                    }
                }
                continue;
            }
            if (fields.size() < columns.size()) {
                throw new IllegalArgumentException("line has " + fields.size() + " fields, the header " + columns.size() + ": " + line);
            }
            rows.add(new Row(fields.get(columns.get("scenario_label")), fields.get(columns.get("peer")),
                    fields.get(columns.get("peer_label")), (int) number(fields.get(columns.get("connections"))),
                    number(fields.get(columns.get("requests_per_s"))), number(fields.get(columns.get("p99_ms"))),
                    (long) number(fields.get(columns.get("errors")))));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no results in it");
        }
        return new Results(rows, machine, notes);
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

    /** Splits one CSV line; a quoted field may hold commas and doubled quotes. */
    static List<String> splitCsv(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    static BufferedImage draw(Results results) {
        List<String> scenarios = new ArrayList<>();
        Map<String, String> peerLabels = new LinkedHashMap<>();
        for (String known : PEER_COLOURS.keySet()) {
            results.rows().stream().filter(r -> r.peer().equals(known)).findFirst()
                    .ifPresent(r -> peerLabels.put(r.peer(), r.peerLabel()));
        }
        for (Row row : results.rows()) {
            if (!scenarios.contains(row.scenario())) {
                scenarios.add(row.scenario());
            }
            peerLabels.putIfAbsent(row.peer(), row.peerLabel());
        }
        Map<String, Color> colours = new LinkedHashMap<>();
        int fallback = 0;
        for (String peer : peerLabels.keySet()) {
            Color known = PEER_COLOURS.get(peer);
            colours.put(peer, known != null ? known : FALLBACK[fallback++ % FALLBACK.length]);
        }

        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 24);
        Font smallFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        Font legendFont = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
        Font noteFont = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        int textLeft = LEFT - 60;
        int textWidth = WIDTH - textLeft - RIGHT;

        // Lay the text out first, on a scratch image, to know how tall the chart is.
        Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        List<String> header = new ArrayList<>();
        for (String line : results.machine()) {
            header.addAll(wrap(line, scratch.getFontMetrics(smallFont), textWidth));
        }
        List<String> footer = new ArrayList<>();
        for (String note : results.notes()) {
            footer.addAll(wrap(note, scratch.getFontMetrics(noteFont), textWidth));
        }
        FontMetrics legendMetrics = scratch.getFontMetrics(legendFont);
        List<List<String>> legendRows = new ArrayList<>();
        List<String> legendRow = new ArrayList<>();
        int legendX = 0;
        for (String peer : peerLabels.keySet()) {
            int width = 22 + legendMetrics.stringWidth(peerLabels.get(peer)) + 30;
            if (!legendRow.isEmpty() && legendX + width > WIDTH - LEFT - RIGHT) {
                legendRows.add(legendRow);
                legendRow = new ArrayList<>();
                legendX = 0;
            }
            legendRow.add(peer);
            legendX += width;
        }
        legendRows.add(legendRow);
        scratch.dispose();

        int headerHeight = 66 + 18 * header.size();
        int legendHeight = 24 * legendRows.size() + 10;
        int footerHeight = 20 + 17 * footer.size();
        int height = headerHeight + legendHeight + 2 * (PANEL_HEIGHT + 70) + footerHeight;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);

            g.setColor(Color.BLACK);
            g.setFont(titleFont);
            g.drawString("Hello, world! over FastCGI: Fastpool, PHP-FPM and Jetty 12", textLeft, 38);
            g.setFont(smallFont);
            g.setColor(new Color(0x555555));
            int y = 62;
            for (String line : header) {
                g.drawString(line, textLeft, y);
                y += 18;
            }

            g.setFont(legendFont);
            y = headerHeight + 14;
            for (List<String> row : legendRows) {
                int x = LEFT;
                for (String peer : row) {
                    g.setColor(colours.get(peer));
                    g.fillRect(x, y - 12, 16, 16);
                    g.setColor(Color.BLACK);
                    g.drawString(peerLabels.get(peer), x + 22, y + 2);
                    x += 22 + legendMetrics.stringWidth(peerLabels.get(peer)) + 30;
                }
                y += 24;
            }

            int panelTop = headerHeight + legendHeight + 30;
            drawPanel(g, results.rows(), scenarios, colours, panelTop, "requests/s (higher is better)",
                    Row::requestsPerSecond, false);
            drawPanel(g, results.rows(), scenarios, colours, panelTop + PANEL_HEIGHT + 70,
                    "p99 latency, ms (lower is better; logarithmic)", Row::p99Millis, true);

            g.setFont(noteFont);
            g.setColor(new Color(0x555555));
            y = height - footerHeight + 12;
            for (String line : footer) {
                g.drawString(line, textLeft, y);
                y += 17;
            }
        } finally {
            g.dispose();
        }
        return image;
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

    private static void drawPanel(Graphics2D g, List<Row> rows, List<String> scenarios, Map<String, Color> colours,
                                  int top, String title, ToDoubleFunction<Row> metric, boolean logarithmic) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        int bottom = top + PANEL_HEIGHT;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, top - 12);

        double max = rows.stream().mapToDouble(metric).filter(v -> v > 0 && Double.isFinite(v)).max().orElse(1);
        double min = rows.stream().mapToDouble(metric).filter(v -> v > 0 && Double.isFinite(v)).min().orElse(1);
        Scale scale = logarithmic ? Scale.logarithmic(min, max) : Scale.linear(max);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics metrics = g.getFontMetrics();
        for (double tick : scale.ticks()) {
            int ty = bottom - (int) Math.round(scale.fraction(tick) * PANEL_HEIGHT);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(LEFT, ty, LEFT + plotWidth, ty);
            g.setColor(new Color(0x444444));
            String label = logarithmic ? millis(tick) : count(tick);
            g.drawString(label, LEFT - 8 - metrics.stringWidth(label), ty + 5);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.drawLine(LEFT, bottom, LEFT + plotWidth, bottom);
        g.drawLine(LEFT, top, LEFT, bottom);

        int groupWidth = plotWidth / scenarios.size();
        for (int s = 0; s < scenarios.size(); s++) {
            String scenario = scenarios.get(s);
            List<Row> group = new ArrayList<>();
            for (String peer : colours.keySet()) {
                rows.stream().filter(r -> r.scenario().equals(scenario) && r.peer().equals(peer)).findFirst()
                        .ifPresent(group::add);
            }
            int groupConnections = group.stream().mapToInt(Row::connections).max().orElse(0);
            int groupLeft = LEFT + s * groupWidth;
            int inner = groupWidth - 50;
            int barWidth = Math.min(90, inner / Math.max(1, group.size()));
            int barsLeft = groupLeft + (groupWidth - barWidth * group.size()) / 2;
            for (int b = 0; b < group.size(); b++) {
                Row row = group.get(b);
                double value = metric.applyAsDouble(row);
                int bx = barsLeft + b * barWidth;
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                FontMetrics valueMetrics = g.getFontMetrics();
                if (!(value > 0) || !Double.isFinite(value)) {
                    g.setColor(new Color(0x999999));
                    drawCentred(g, valueMetrics, "n/a", bx + barWidth / 2, bottom - 6);
                    continue;
                }
                int barHeight = Math.max(1, (int) Math.round(scale.fraction(value) * PANEL_HEIGHT));
                g.setColor(colours.get(row.peer()));
                g.fillRect(bx + 3, bottom - barHeight, barWidth - 6, barHeight);
                g.setColor(Color.BLACK);
                String label = logarithmic ? millis(value) : count(value);
                drawCentred(g, valueMetrics, label, bx + barWidth / 2, bottom - barHeight - 5);
                if (row.connections() < groupConnections && barHeight > 40) {
                    // Drawn inside the bar: this peer ran fewer connections than the others (PHP-FPM).
                    g.setColor(Color.WHITE);
                    drawCentred(g, valueMetrics, row.connections() + " conns", bx + barWidth / 2, bottom - 8);
                }
                if (row.errors() > 0) {
                    g.setColor(new Color(0xc62828));
                    drawCentred(g, valueMetrics, row.errors() + " err", bx + barWidth / 2, bottom - barHeight - 19);
                }
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.setColor(Color.BLACK);
            drawCentred(g, g.getFontMetrics(), scenario, groupLeft + groupWidth / 2, bottom + 22);
        }
    }

    private static void drawCentred(Graphics2D g, FontMetrics metrics, String text, int centreX, int baseline) {
        g.drawString(text, centreX - metrics.stringWidth(text) / 2, baseline);
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

    /** Maps a value to the fraction of the panel's height its bar takes, and lists the grid lines. */
    interface Scale {
        double fraction(double value);

        List<Double> ticks();

        /** From 0 to a round number at or above {@code max}, in steps of 1, 2 or 5 times a power of ten. */
        static Scale linear(double max) {
            double rough = max / 5;
            double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
            double step = magnitude * (rough <= magnitude ? 1 : rough <= 2 * magnitude ? 2 : rough <= 5 * magnitude ? 5 : 10);
            double top = Math.ceil(max * 1.08 / step) * step;
            List<Double> ticks = new ArrayList<>();
            for (double t = 0; t <= top + step / 2; t += step) {
                ticks.add(t);
            }
            return new Scale() {
                @Override
                public double fraction(double value) {
                    return value / top;
                }

                @Override
                public List<Double> ticks() {
                    return ticks;
                }
            };
        }

        /** Whole decades around {@code min} and {@code max}; bars start at the lower decade. */
        static Scale logarithmic(double min, double max) {
            double low = Math.floor(Math.log10(min));
            double high = Math.ceil(Math.log10(max) + 0.15);
            if (high <= low) {
                high = low + 1;
            }
            List<Double> ticks = new ArrayList<>();
            for (double d = low; d <= high + 1e-9; d++) {
                ticks.add(Math.pow(10, d));
            }
            double lowDecade = low;
            double span = high - low;
            return new Scale() {
                @Override
                public double fraction(double value) {
                    return Math.max(0, (Math.log10(value) - lowDecade) / span);
                }

                @Override
                public List<Double> ticks() {
                    return ticks;
                }
            };
        }
    }
}
