package io.fastpool.pool.internal;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of session creation and lookup in one app's full store, for each policy of
 * {@link SessionPolicy}. {@code create} makes a session in a full store, so each one also evicts
 * one (and, with Caffeine, records it in the frequency sketch). {@code find} looks up, round robin,
 * the sessions of {@link #RETURNING} returning users (each used once already, so the segmented
 * store holds them in its protected segment): what a request with a session cookie costs. Run
 * with {@code -t 2} for two threads sharing the store.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SessionStoreBenchmark {

    /** Returning users whose sessions {@code find} looks up: half of {@code maxSessions}. */
    static final int RETURNING = 5_000;

    @Param({"segmented", "lru", "caffeine"})
    public String policy;

    @Param("10000")
    public int maxSessions;

    private SessionPolicy sessions;
    private String[] returning;

    @Setup(Level.Trial)
    public void fill() {
        sessions = SessionPolicy.of(policy, maxSessions, TimeUnit.MINUTES.toMillis(20), System::currentTimeMillis);
        returning = new String[RETURNING];
        for (int i = 0; i < maxSessions; i++) {
            String id = sessions.create();
            if (i < RETURNING) {
                returning[i] = id;
                sessions.find(id);
            }
        }
    }

    /** Each thread's place in the round robin of returning users. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    public String create() {
        return sessions.create();
    }

    @Benchmark
    public boolean find(Cursor cursor) {
        int at = cursor.next;
        cursor.next = at + 1 == returning.length ? 0 : at + 1;
        return sessions.find(returning[at]);
    }
}
