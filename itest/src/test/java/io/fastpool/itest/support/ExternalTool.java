package io.fastpool.itest.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program a test runs from the operating system (a browser, a metrics linter), found at one of
 * its usual paths. A missing program fails the test with the Debian package that provides it:
 * these tests are never skipped.
 */
public final class ExternalTool {

    /** How a run ended and what it printed on standard output and on standard error. */
    public record Result(int exitCode, String output, String errors) {
    }

    private final Path binary;

    private ExternalTool(Path binary) {
        this.binary = binary;
    }

    /**
     * The first of {@code candidates} that is an executable file.
     *
     * @throws IllegalStateException naming {@code debianPackage} when none is
     */
    public static ExternalTool require(String debianPackage, String... candidates) {
        for (String candidate : candidates) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return new ExternalTool(path);
            }
        }
        throw new IllegalStateException(Path.of(candidates[0]).getFileName() + " is not installed (looked for " + List.of(candidates)
                + "): run 'apt-get install -y " + debianPackage + "'");
    }

    public Path binary() {
        return binary;
    }

    /**
     * Runs the program with {@code arguments}, feeding it {@code input} (or nothing) on standard
     * input, and returns its exit code with what it printed.
     */
    public Result run(Duration timeout, String input, String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile("external-tool", ".out");
        Path errors = Files.createTempFile("external-tool", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
            try (var stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(binary + " did not finish within " + timeout + "; it printed:\n"
                        + Files.readString(output, StandardCharsets.UTF_8) + Files.readString(errors, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8),
                    Files.readString(errors, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }
}
