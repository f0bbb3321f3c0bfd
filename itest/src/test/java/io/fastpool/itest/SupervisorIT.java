package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.HttpLoad;
import io.fastpool.itest.support.HttpLoad.Sample;
import io.fastpool.itest.support.Nginx;
import io.fastpool.itest.support.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The supervisor that bin/fastpool runs, with the built distribution as processes and real nginx in
 * front: a server killed under load is restarted and the requests sent while it is down are answered
 * once it is back; ten restarts under load lose no request; a server that dies at start is given up
 * after the allowed crashes. Each test prints its figures.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SupervisorIT {

    /** Clients of the load through nginx: enough to keep requests in flight at every moment. */
    private static final int CLIENTS = 4;

    private Path work;

    /** A folder under target/, left there for a look after a failure, as DistributionIT's is. */
    @BeforeEach
    void makeWorkFolder() throws Exception {
        work = Files.createTempDirectory(Path.of("target"), "sup").toAbsolutePath();
    }

    @Test
    void aKilledServerIsRestartedAndTheRequestsSentWhileItIsDownAreAnswered() throws Exception {
        try (SupervisedDistribution fastpool = SupervisedDistribution.startServing(work);
                Nginx nginx = fastpool.nginx(work.resolve("nginx"));
                HttpLoad load = HttpLoad.start(nginx.url("/hello"), CLIENTS)) {
            Waits.await(Duration.ofSeconds(10), "the load to be answered", () -> load.succeeded() > 100);
            ProcessHandle killed = fastpool.server();
            long killedAt = System.nanoTime();
            killed.destroyForcibly(); // SIGKILL
            killed.onExit().get(10, TimeUnit.SECONDS);
            long goneAt = System.nanoTime();
            Waits.await(Duration.ofSeconds(30), "a request sent after the kill to be answered",
                    () -> load.samples().stream().anyMatch(s -> s.sentNanos() > goneAt && s.ok()));
            Waits.await(Duration.ofSeconds(10), "more answers from the new server", () -> answeredAfter(load.samples(), goneAt) > 100);
            List<Sample> samples = load.stop();

            long firstAnswer = samples.stream().filter(s -> s.sentNanos() > killedAt && s.ok())
                    .mapToLong(Sample::answeredNanos).min().orElseThrow();
            List<Sample> failed = samples.stream().filter(s -> !s.ok()).toList();
            System.out.printf("supervisor: kill -9 under load: %d requests, %d failed (in flight at the kill), "
                    + "from the kill to the first answer %d ms, the longest request %d ms%n", samples.size(), failed.size(),
                    (firstAnswer - killedAt) / 1_000_000, samples.stream().mapToLong(Sample::millis).max().orElse(0));
            assertThat(failed).as("failed requests sent after the killed server had ended (only those in flight may fail)")
                    .noneMatch(s -> s.sentNanos() > goneAt);
            assertThat(failed.size()).as("failed requests: at most one in flight per client").isLessThanOrEqualTo(CLIENTS);
            assertThat(fastpool.supervisorLog()).contains("server " + killed.pid() + " died (killed by signal 9); starting another");
            System.out.printf("supervisor: its resident memory %d KiB%n", SupervisedDistribution.residentKib(fastpool.supervisor().pid()));
        }
    }

    private static long answeredAfter(List<Sample> samples, long nanos) {
        return samples.stream().filter(s -> s.sentNanos() > nanos && s.ok()).count();
    }

    @Test
    void tenRestartsUnderLoadLoseNoRequest() throws Exception {
        try (SupervisedDistribution fastpool = SupervisedDistribution.startServing(work);
                Nginx nginx = fastpool.nginx(work.resolve("nginx"));
                HttpLoad load = HttpLoad.start(nginx.url("/hello"), CLIENTS)) {
            Waits.await(Duration.ofSeconds(10), "the load to be answered", () -> load.succeeded() > 100);
            long mark = nginx.mark();
            long started = System.nanoTime();
            for (int restart = 1; restart <= 10; restart++) {
                long before = fastpool.server().pid();
                String result = fastpool.command("restart");
                assertThat(result).as("restart " + restart).startsWith("0 ").contains("restart done");
                assertThat(fastpool.server().pid()).isNotEqualTo(before);
            }
            long restartsMillis = (System.nanoTime() - started) / 1_000_000;
            long answeredBefore = load.succeeded();
            Waits.await(Duration.ofSeconds(10), "more answers after the last restart", () -> load.succeeded() > answeredBefore + 100);
            List<Sample> samples = load.stop();

            List<Sample> failed = samples.stream().filter(s -> !s.ok()).toList();
            long longest = samples.stream().mapToLong(Sample::millis).max().orElse(0);
            System.out.printf("supervisor: ten restarts under load in %d ms: %d requests, %d failed, the longest request %d ms%n",
                    restartsMillis, samples.size(), failed.size(), longest);
            System.out.printf("supervisor: its resident memory %d KiB%n", SupervisedDistribution.residentKib(fastpool.supervisor().pid()));
            assertThat(failed).as("failed requests").isEmpty();
            assertThat(nginx.logSince(mark)).as("nginx's log during the restarts").doesNotContain("upstream prematurely closed");
            assertThat(nginx.errorLinesSince(mark)).as("nginx's errors during the restarts").isEmpty();
        }
    }

    @Test
    void aServerThatDiesAtStartIsGivenUpAfterTheAllowedCrashes() throws Exception {
        try (SupervisedDistribution fastpool = SupervisedDistribution.start(work,
                Map.of("JAVA_OPTS", "-XX:+NoSuchFastpoolOption", "FASTPOOL_MAX_CRASHES", "3", "FASTPOOL_CRASH_WINDOW", "60"))) {
            assertThat(fastpool.supervisor().waitFor(60, TimeUnit.SECONDS)).as("the supervisor gave up").isTrue();

            assertThat(fastpool.supervisor().exitValue()).isEqualTo(1);
            assertThat(fastpool.supervisorLog()).containsOnlyOnce("starting another (crash 1 of 3 allowed within 60 s)")
                    .containsOnlyOnce("starting another (crash 2 of 3 allowed within 60 s)")
                    .contains("died (exit status 1): 3 crashes within 60 s (FASTPOOL_MAX_CRASHES, FASTPOOL_CRASH_WINDOW); not restarting it");
            assertThat(fastpool.output()).contains("not restarting it").contains("NoSuchFastpoolOption");
            assertThat(fastpool.home().resolve("run/fastpool.sock")).doesNotExist();
            assertThat(fastpool.home().resolve("run/fastpool.pid")).doesNotExist();
        }
    }

    @Test
    void aSecondSupervisorOnTheSameFolderRefusesAndLeavesTheFirstServing() throws Exception {
        try (SupervisedDistribution fastpool = SupervisedDistribution.startServing(work)) {
            long pid = fastpool.supervisor().pid();

            String second = runFastpool(fastpool.home());

            assertThat(second).startsWith("1 ").contains("unix:run/fastpool.sock: a server already answers there")
                    .contains("run/fastpool.pid: " + pid);
            assertThat(Files.readString(fastpool.home().resolve("run/fastpool.pid")).trim()).isEqualTo(Long.toString(pid));
            assertThat(DistributionIT.answerFrom(fastpool.home(), "/hello")).startsWith("200 OK");
        }
    }

    @Test
    void stopDrainsAndStopsEverythingAndRemovesTheSocketAndPidFile() throws Exception {
        try (SupervisedDistribution fastpool = SupervisedDistribution.startServing(work)) {
            ProcessHandle server = fastpool.server();

            String stopped = fastpool.command("stop");

            assertThat(stopped).startsWith("0 fastpool: stopped (process " + fastpool.supervisor().pid() + ")");
            assertThat(fastpool.supervisor().waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(server.isAlive()).isFalse();
            assertThat(fastpool.home().resolve("run/fastpool.sock")).doesNotExist();
            assertThat(fastpool.home().resolve("run/fastpool.pid")).doesNotExist();
            assertThat(fastpool.supervisorLog()).contains("stopping (SIGTERM): SIGTERM to every server", "server " + server.pid() + " exited");
        }
    }

    /** Runs bin/fastpool in {@code home} (a second start); returns its exit code, a space, and what it printed. */
    private static String runFastpool(Path home) throws Exception {
        Process process = new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return process.exitValue() + " " + printed;
    }
}
