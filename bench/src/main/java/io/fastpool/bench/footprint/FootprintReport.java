package io.fastpool.bench.footprint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What {@link Footprint} measured: one result per app count, printed as a table and written as CSV. */
final class FootprintReport {

    private FootprintReport() {
    }

    /** One count's figures, or why it has none. */
    record Result(int apps, double firstAnswerSeconds, double allAnsweredSeconds, JvmProbe.Sample answered,
            JvmProbe.Sample idle, double idleCpuPercent, String failure) {

        static Result failed(int apps, String why) {
            return new Result(apps, -1, -1, null, null, -1, why);
        }
    }

    static final List<String> CSV_COLUMNS = List.of("time", "apps", "xmx", "first_answer_s", "all_answered_s",
            "answered_heap_used_mb", "answered_metaspace_mb", "answered_rss_mb", "answered_os_threads", "answered_java_threads",
            "answered_pool_workers", "idle_heap_used_mb", "idle_metaspace_mb", "idle_rss_mb", "idle_os_threads",
            "idle_java_threads", "idle_pool_workers", "idle_cpu_percent", "failure");

    static String table(FootprintArguments arguments, List<Result> results) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "Fastpool footprint: idle apps, -Xmx%s, idleTimeout %d ms; heap and Metaspace"
                + " used after a full GC (jcmd GC.run, GC.heap_info)%n", arguments.maxHeap(), arguments.idleTimeout().toMillis()));
        String header = String.format(Locale.ROOT, "%6s %8s %8s | %-41s | %-41s | %6s%n", "apps", "first s", "all s",
                "after every app answered once", "after the idle time-out", "idle");
        String header2 = String.format(Locale.ROOT, "%6s %8s %8s | %8s %8s %7s %7s %7s | %8s %8s %7s %7s %7s | %6s%n", "", "", "",
                "heap MB", "meta MB", "RSS MB", "threads", "workers", "heap MB", "meta MB", "RSS MB", "threads", "workers", "CPU %");
        text.append(header).append(header2);
        for (Result result : results) {
            if (result.failure() != null) {
                text.append(String.format(Locale.ROOT, "%6d  failed: %s%n", result.apps(), result.failure()));
                continue;
            }
            text.append(String.format(Locale.ROOT, "%6d %8.2f %8.2f | %s | %s | %6.1f%n", result.apps(), result.firstAnswerSeconds(),
                    result.allAnsweredSeconds(), cells(result.answered()), cells(result.idle()), result.idleCpuPercent()));
        }
        text.append("threads: Java threads (jcmd Thread.print); workers: those named fastpool-pool-POOL-N, the pools' workers\n");
        return text.toString();
    }

    private static String cells(JvmProbe.Sample sample) {
        return String.format(Locale.ROOT, "%8.1f %8.1f %7.1f %7d %7d", sample.heapUsedKb() / 1024.0, sample.metaspaceUsedKb() / 1024.0,
                sample.rssKb() / 1024.0, sample.javaThreads(), sample.poolWorkers());
    }

    static Path writeCsv(FootprintArguments arguments, List<Result> results) throws IOException {
        Files.createDirectories(arguments.out());
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path csv = arguments.out().resolve("footprint-" + stamp + ".csv");
        List<String> lines = new ArrayList<>();
        lines.add(String.join(",", CSV_COLUMNS));
        for (Result result : results) {
            lines.add(csvLine(arguments, stamp, result));
        }
        Files.write(csv, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        return csv;
    }

    private static String csvLine(FootprintArguments arguments, String stamp, Result result) {
        List<String> cells = new ArrayList<>();
        cells.add(stamp);
        cells.add(Integer.toString(result.apps()));
        cells.add(arguments.maxHeap());
        if (result.failure() != null) {
            for (int i = 3; i < CSV_COLUMNS.size() - 1; i++) {
                cells.add("");
            }
            cells.add('"' + result.failure().replace("\"", "'").replace("\n", " ") + '"');
            return String.join(",", cells);
        }
        cells.add(String.format(Locale.ROOT, "%.3f", result.firstAnswerSeconds()));
        cells.add(String.format(Locale.ROOT, "%.3f", result.allAnsweredSeconds()));
        for (JvmProbe.Sample sample : List.of(result.answered(), result.idle())) {
            cells.add(String.format(Locale.ROOT, "%.1f", sample.heapUsedKb() / 1024.0));
            cells.add(String.format(Locale.ROOT, "%.1f", sample.metaspaceUsedKb() / 1024.0));
            cells.add(String.format(Locale.ROOT, "%.1f", sample.rssKb() / 1024.0));
            cells.add(Integer.toString(sample.osThreads()));
            cells.add(Integer.toString(sample.javaThreads()));
            cells.add(Integer.toString(sample.poolWorkers()));
        }
        cells.add(String.format(Locale.ROOT, "%.1f", result.idleCpuPercent()));
        cells.add("");
        return String.join(",", cells);
    }
}
