package io.fastpool.guard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.RecordingLogger;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalLogTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final RecordingLogger logger = new RecordingLogger();
    private final RefusalLog log = new RefusalLog(Duration.ofSeconds(60), now::get, logger);

    @Test
    void aBundleIsReportedOncePerIntervalAndTheNextLineCountsTheCallsInBetween() {
        log.refused("bundle a 1.0.0 (id 5)", "a.Main", "System.exit(1)");
        log.refused("bundle a 1.0.0 (id 5)", "a.Main", "System.exit(1)");
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        log.refused("bundle a 1.0.0 (id 5)", "a.Main", "Runtime.halt(2)");

        assertThat(logger.lines).containsExactly("WARNING bundle a 1.0.0 (id 5) called System.exit(1) in a.Main: refused with a"
                + " SecurityException, the server goes on (an app may not end the process; it should throw or answer an error instead)");

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        log.refused("bundle a 1.0.0 (id 5)", "a.Other", "Runtime.exit(3)");

        assertThat(logger.lines).hasSize(2);
        assertThat(logger.lines.get(1)).startsWith("WARNING bundle a 1.0.0 (id 5) called Runtime.exit(3) in a.Other")
                .endsWith("; 2 more refused since the last report");
    }

    @Test
    void eachBundleHasItsOwnInterval() {
        log.refused("bundle a 1.0.0 (id 5)", "a.Main", "System.exit(1)");
        log.refused("bundle b 1.0.0 (id 6)", "b.Main", "System.exit(1)");
        log.refused("bundle a 1.0.0 (id 5)", "a.Main", "System.exit(1)");

        assertThat(logger.lines).hasSize(2);
        assertThat(logger.lines.get(1)).startsWith("WARNING bundle b 1.0.0 (id 6) called");
    }

    @Test
    void callersReportedLongerThanTheIntervalAgoAreForgottenOnceManyAreTracked() {
        for (int i = 0; i <= RefusalLog.TRACKED; i++) {
            log.refused("bundle app" + i, "Main", "System.exit(1)");
        }
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        log.refused("bundle late", "Main", "System.exit(1)");
        logger.lines.clear();

        log.refused("bundle app0", "Main", "System.exit(1)");

        assertThat(logger.lines).singleElement().asString().as("forgotten, so no count of calls in between")
                .endsWith("answer an error instead)");
    }
}
