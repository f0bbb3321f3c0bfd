package io.fastpool.guard.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Reports refused exits, one line per bundle per interval: an app that calls {@code System.exit} on
 * every request must not fill the log. The line after a quiet interval says how many were refused in
 * between. Once more than {@value #TRACKED} callers are remembered, those last reported longer than
 * the interval ago are forgotten, so apps installed again and again do not grow it for ever.
 */
final class RefusalLog {

    static final int TRACKED = 1024;

    private final long intervalNanos;
    private final LongSupplier clock;
    private final System.Logger log;
    private final Map<String, Reported> reported = new ConcurrentHashMap<>();

    /** When a caller was last reported, and how many of its calls were refused since without a line. */
    private record Reported(long atNanos, int unreported) {
    }

    /**
     * @param interval at most one line per caller within this
     * @param clock    nanoseconds, as {@link System#nanoTime()}
     */
    RefusalLog(Duration interval, LongSupplier clock, System.Logger log) {
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.log = log;
    }

    /**
     * One refused {@code call} made from class {@code caller} of {@code who} (a bundle, described;
     * the key the interval applies to).
     */
    void refused(String who, String caller, String call) {
        long now = clock.getAsLong();
        int[] unreported = {-1};
        reported.compute(who, (key, last) -> {
            if (last != null && now - last.atNanos() < intervalNanos) {
                return new Reported(last.atNanos(), last.unreported() + 1);
            }
            unreported[0] = last == null ? 0 : last.unreported();
            return new Reported(now, 0);
        });
        if (unreported[0] >= 0) {
            log.log(Level.WARNING, who + " called " + call + " in " + caller + ": refused with a SecurityException, the server goes on"
                    + " (an app may not end the process; it should throw or answer an error instead)"
                    + (unreported[0] > 0 ? "; " + unreported[0] + " more refused since the last report" : ""));
        }
        if (reported.size() > TRACKED) {
            reported.values().removeIf(last -> now - last.atNanos() >= intervalNanos);
        }
    }
}
