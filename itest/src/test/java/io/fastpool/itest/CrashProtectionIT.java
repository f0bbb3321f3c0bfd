package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.apps.ExitingApp;
import io.fastpool.itest.apps.HoardingApp;
import io.fastpool.itest.apps.PooledApps;
import io.fastpool.itest.support.TestBundles;
import io.fastpool.itest.support.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crash protection in the process, on the built distribution run as a process (a copy listening on its
 * unix socket only, no TCP port) with an app in deploy/ that misbehaves: one that calls
 * {@code System.exit} only fails its request (the exit guard), one that allocates without bound makes
 * the server exit at once with the JVM's OutOfMemoryError message ({@code -XX:+ExitOnOutOfMemoryError}
 * in bin/fastpool), for a supervisor to start it again, rather than leave a half-alive server whose
 * threads each die of it in turn.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashProtectionIT {

    private Process server;
    private Path home;
    private Path log;

    @AfterEach
    void stop() throws InterruptedException {
        DistributionIT.stopServer(server);
    }

    @Test
    void anAppInDeployCallingSystemExitGetsA500AndTheServerKeepsServing() throws Exception {
        copyWithApp("io.fastpool.itest.exiting", "exiting", "/exiting", ExitingApp.class);
        server = start("");
        Waits.await(Duration.ofSeconds(60), "the exiting app to answer (log: " + log + ")",
                () -> DistributionIT.answerFrom(home, "/exiting").equals("200 OK alive"));

        assertThat(DistributionIT.answerFrom(home, "/exiting?mode=exit")).startsWith("500 ");
        assertThat(DistributionIT.answerFrom(home, "/exiting?mode=halt")).startsWith("500 ");
        assertThat(DistributionIT.answerFrom(home, "/hello")).startsWith("200 OK Hello, world!");
        assertThat(DistributionIT.answerFrom(home, "/exiting")).isEqualTo("200 OK alive");
        assertThat(server.isAlive()).isTrue();
        assertThat(Files.readString(log)).contains("WARNING io.fastpool.guard: bundle io.fastpool.itest.exiting 1.0.0 (id ")
                .contains("called System.exit(1) in " + ExitingApp.class.getName() + ": refused with a SecurityException");
    }

    @Test
    void anAppThatAllocatesWithoutBoundEndsTheServerPromptlyWithTheOutOfMemoryMessage() throws Exception {
        copyWithApp("io.fastpool.itest.hoard", "hoard", "/hoard", HoardingApp.class);
        server = start("-Xmx128m");

        Waits.await(Duration.ofSeconds(60), "the server to answer (log: " + log + ")",
                () -> DistributionIT.answerFrom(home, "/hello").startsWith("200 OK"));
        AtomicLong sentNanos = new AtomicLong();
        Waits.await(Duration.ofSeconds(30), "the hoarding app to take a request (log: " + log + ")", () -> {
            sentNanos.set(System.nanoTime());
            return !DistributionIT.answerFrom(home, "/hoard").startsWith("404");
        });

        assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the server exited (log: %s)", log).isTrue();
        long exitMillis = (System.nanoTime() - sentNanos.get()) / 1_000_000;
        System.out.printf("out of memory: from the request to the server's exit: %d ms%n", exitMillis);
        assertThat(server.exitValue()).as("the JVM's exit status after ExitOnOutOfMemoryError").isEqualTo(3);
        assertThat(Files.readString(log)).contains("Terminating due to java.lang.OutOfMemoryError: Java heap space");
    }

    /** Copies the built distribution (TCP listener off) with one app in deploy/: {@code type}, a WebApp mounted at {@code path}. */
    private void copyWithApp(String symbolicName, String component, String path, Class<?> type) throws Exception {
        Path built = Path.of(System.getProperty("distribution.dir"));
        Path work = Files.createTempDirectory(Path.of("target"), "crash-it").toAbsolutePath();
        home = work.resolve("fastpool");
        log = work.resolve("server.log");
        DistributionIT.copyTree(built, home);
        Path transport = home.resolve("conf/io.fastpool.transport.cfg");
        Files.writeString(transport, Files.readString(transport).replace(", tcp:127.0.0.1:9000", ""));
        TestBundles.buildComponent(home.resolve("deploy"), symbolicName, "1.0.0", PooledApps.IMPORTS, null, """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="%s">
                  <implementation class="%s"/>
                  <service><provide interface="io.fastpool.api.WebApp"/></service>
                  <property name="fastpool.mount.path" value="%s"/>
                </scr:component>
                """.formatted(component, type.getName(), path), type);
    }

    private Process start(String javaOptions) throws Exception {
        ProcessBuilder start = new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        start.environment().put("JAVA_OPTS", javaOptions);
        // The server JVM alone: under the supervisor (bin/fastpool's default) its exit would be followed by a new
        // server, and its status not be the process's (SupervisorIT covers the restart).
        start.environment().put("FASTPOOL_SUPERVISOR", "no");
        return start.start();
    }
}
