package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The built distribution as a process (unix socket only, no TCP port): an app in deploy/ that
 * allocates without bound makes the server exit at once with the JVM's OutOfMemoryError message
 * ({@code -XX:+ExitOnOutOfMemoryError} in bin/fastpool), for a supervisor to start it again, rather
 * than leave a half-alive server whose threads each die of it in turn.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutOfMemoryIT {

    private Process server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAppThatAllocatesWithoutBoundEndsTheServerPromptlyWithTheOutOfMemoryMessage() throws Exception {
        Path built = Path.of(System.getProperty("distribution.dir"));
        Path work = Files.createTempDirectory(Path.of("target"), "oom-it").toAbsolutePath();
        Path home = work.resolve("fastpool");
        Path log = work.resolve("server.log");
        DistributionIT.copyTree(built, home);
        Path transport = home.resolve("conf/io.fastpool.transport.cfg");
        Files.writeString(transport, Files.readString(transport).replace(", tcp:127.0.0.1:9000", ""));
        TestBundles.buildComponent(home.resolve("deploy"), "io.fastpool.itest.hoard", "1.0.0", PooledApps.IMPORTS, null,
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="hoard">
                  <implementation class="io.fastpool.itest.apps.HoardingApp"/>
                  <service><provide interface="io.fastpool.api.WebApp"/></service>
                  <property name="fastpool.mount.path" value="/hoard"/>
                </scr:component>
                """, HoardingApp.class);
        ProcessBuilder start = new ProcessBuilder(home.resolve("bin/fastpool").toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        start.environment().put("JAVA_OPTS", "-Xmx128m");
        server = start.start();

        AtomicLong sentNanos = new AtomicLong();
        Waits.await(Duration.ofSeconds(60), "the hoarding app to take a request (log: " + log + ")", () -> {
            sentNanos.set(System.nanoTime());
            String answer = DistributionIT.answerFrom(home, "/hoard");
            return !answer.startsWith("404") && !answer.startsWith("unreachable: ") || !server.isAlive();
        });

        assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the server exited (log: %s)", log).isTrue();
        long exitMillis = (System.nanoTime() - sentNanos.get()) / 1_000_000;
        System.out.printf("out of memory: from the request to the server's exit: %d ms%n", exitMillis);
        assertThat(server.exitValue()).as("the JVM's exit status after ExitOnOutOfMemoryError").isEqualTo(3);
        assertThat(Files.readString(log)).contains("Terminating due to java.lang.OutOfMemoryError: Java heap space");
    }
}
