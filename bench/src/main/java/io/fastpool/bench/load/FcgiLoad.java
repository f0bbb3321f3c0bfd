package io.fastpool.bench.load;

import io.fastpool.config.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The {@code fcgi-load} command: parses the arguments, runs {@link LoadGenerator}, prints the
 * report and appends to the CSV file. Exit status 0 when the run is done, 1 when it failed (no
 * connection, no response at all, CSV not written), 2 for bad arguments.
 */
public final class FcgiLoad {

    /** Exit status of a run that completed. */
    public static final int EXIT_OK = 0;
    /** Exit status of a run that measured nothing or could not write its results. */
    public static final int EXIT_FAILED = 1;
    /** Exit status of a command line that cannot be run. */
    public static final int EXIT_USAGE = 2;

    private FcgiLoad() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command with these arguments and streams; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (LoadArguments.wantsHelp(args)) {
            out.print(LoadArguments.usage());
            return EXIT_OK;
        }
        LoadOptions options;
        try {
            options = LoadArguments.parse(args);
        } catch (UsageException e) {
            err.println("fcgi-load: " + e.getMessage() + "; see --help");
            return EXIT_USAGE;
        }
        LoadResult result;
        try {
            result = LoadGenerator.run(options);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("fcgi-load: interrupted");
            return EXIT_FAILED;
        } catch (IllegalArgumentException e) {
            // A parameter the codec refuses, such as a header value beyond ISO-8859-1.
            err.println("fcgi-load: cannot encode the request: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (result.failed()) {
            err.println("fcgi-load: " + result.failure());
            return EXIT_FAILED;
        }
        out.print(result.format());
        int status = EXIT_OK;
        if (result.responses() == 0) {
            err.println("fcgi-load: no request was answered in " + Durations.format(result.elapsed())
                    + "; see the errors above");
            status = EXIT_FAILED;
        }
        if (options.csv() != null) {
            try {
                appendCsv(result);
            } catch (IOException e) {
                err.println("fcgi-load: could not append the results to " + options.csv() + ": " + e);
                status = EXIT_FAILED;
            }
        }
        return status;
    }

    private static void appendCsv(LoadResult result) throws IOException {
        var file = result.options().csv();
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        String text = (fresh ? LoadResult.csvHeader() + "\n" : "") + result.csvLine(Instant.now()) + "\n";
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
