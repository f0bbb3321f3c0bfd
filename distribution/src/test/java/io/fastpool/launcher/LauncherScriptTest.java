package io.fastpool.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code bin/fastpool}'s own answers, run as a newcomer runs them (no server is started). */
class LauncherScriptTest {

    private static final Path SCRIPT = Path.of("src/dist/bin/fastpool");

    @Test
    void helpPrintsTheUsageAndNothingOfTheScriptItself() throws Exception {
        Result help = run("--help");

        assertThat(help.exitCode).isZero();
        assertThat(help.out).startsWith("Fastpool: starts the server")
                .contains("bin/fastpool request [...] PATH", "bin/fastpool exec 'COMMAND'", "JAVA_OPTS")
                .doesNotContain("set -euo", "home=", "#");
        assertThat(help.out.strip()).endsWith("JAVA_OPTS (JVM options).");
    }

    @Test
    void anUnknownCommandIsRefusedWithAPointerToTheHelp() throws Exception {
        Result wrong = run("strat");

        assertThat(wrong.exitCode).isEqualTo(2);
        assertThat(wrong.err).contains("unknown command 'strat'", "bin/fastpool --help");
    }

    @Test
    void helpNamesRestartStopAndTheSupervisorsSettings() throws Exception {
        assertThat(run("--help").out).contains("bin/fastpool restart", "bin/fastpool stop", "FASTPOOL_SUPERVISOR=no",
                "FASTPOOL_MAX_CRASHES", "FASTPOOL_CRASH_WINDOW", "FASTPOOL_READY_TIMEOUT", "FASTPOOL_STOP_TIMEOUT");
    }

    @Test
    void restartAndStopWithoutARunningServerSaySoAndFail() throws Exception {
        for (String command : new String[] {"restart", "stop"}) {
            Result result = run(command);

            assertThat(result.exitCode).as(command).isEqualTo(1);
            assertThat(result.err).as(command).contains("no server runs from", "run/fastpool.pid: none");
        }
    }

    private record Result(int exitCode, String out, String err) {}

    private static Result run(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = SCRIPT.toString();
        System.arraycopy(args, 0, command, 2, args.length);
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out, err);
    }
}
