package io.fastpool.itest.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Catches leak reports from the netty inside the OSGi framework. Those bundles have their own
 * copy of netty, so testkit's detector (on the test class path) never sees their buffers; they
 * run at PARANOID too (the JVM flag reaches every copy) and, with no SLF4J wired in OSGi, report
 * through java.util.logging, where this handler records them.
 */
public final class JulNettyLeaks {

    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static volatile boolean installed;

    private JulNettyLeaks() {
    }

    /** Starts listening on java.util.logging's root; idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        Logger.getLogger("").addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getMessage();
                if (record.getLevel().intValue() >= Level.SEVERE.intValue() && message != null && message.contains("LEAK")) {
                    REPORTS.add(record.getLoggerName() + ": " + message
                            + (record.getParameters() != null ? " " + java.util.Arrays.toString(record.getParameters()) : ""));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        installed = true;
    }

    /** {@link #assertNone(Runnable)}, poking with a request to the test app's /hello over {@code socket}. */
    public static void assertNoneAfterHello(java.nio.file.Path socket) throws InterruptedException {
        assertNone(() -> {
            try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
                client.get(1, true, "/hello");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * Collects garbage, lets {@code poke} allocate through the framework's netty (netty reports a
     * leak only when it next tracks a buffer), and fails if any leak was reported.
     */
    public static void assertNone(Runnable poke) throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            poke.run();
        }
        List<String> found = new ArrayList<>();
        for (String report; (report = REPORTS.poll()) != null; ) {
            found.add(report);
        }
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " netty buffer leak(s) inside the OSGi framework:\n" + String.join("\n", found));
        }
    }
}
