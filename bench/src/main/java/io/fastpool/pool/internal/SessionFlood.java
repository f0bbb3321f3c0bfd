package io.fastpool.pool.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The seed's flood against each session policy, and the heap each keeps per session. The flood:
 * 200 returning users (each made a session and used it once), then 100,000 cookie-less requests
 * that each make a session never used again, 15,000 a minute by an injected clock, while each
 * returning user uses theirs once every 2,000 of them; {@code maxSessions} 1000. It prints how many
 * returning users never lost their session, how many of their uses found it (a user who lost theirs
 * starts a new one, as the seed's user did), and the most sessions held at once. The heap: a store
 * filled to 100,000 sessions, heap in use after a full collection, less that of the empty store,
 * per session.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.fastpool.pool.internal.SessionFlood</pre>
 */
public final class SessionFlood {

    static final int USERS = 200;
    static final int FLOOD = 100_000;
    static final int MAX_SESSIONS = 1000;
    static final int HEAP_SESSIONS = 100_000;

    private SessionFlood() {
    }

    public static void main(String[] args) throws InterruptedException {
        String[] policies = args.length > 0 ? args : new String[] {"lru", "segmented", "caffeine"};
        System.out.printf("%-10s %14s %22s %18s %16s%n", "policy", "users kept", "uses that found it", "most held", "heap/session");
        for (String policy : policies) {
            Result result = flood(policy);
            long heap = heapPerSession(policy);
            System.out.printf("%-10s %10d/%d %15d/%d %18d %13d B%n", policy, result.keptAtEnd, USERS, result.usesFound,
                    result.uses, result.mostHeld, heap);
        }
    }

    record Result(int keptAtEnd, int usesFound, int uses, long mostHeld) {
    }

    static Result flood(String policy) {
        AtomicLong clock = new AtomicLong(1_000_000);
        SessionPolicy sessions = SessionPolicy.of(policy, MAX_SESSIONS, 20 * 60_000, clock::get);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String id = sessions.create();
            sessions.find(id);
            users.add(id);
        }
        long mostHeld = 0;
        int uses = 0;
        int found = 0;
        boolean[] everLost = new boolean[USERS];
        for (int flood = 1; flood <= FLOOD; flood++) {
            clock.addAndGet(4);
            sessions.create();
            mostHeld = Math.max(mostHeld, sessions.size());
            if (flood % (2000 / USERS) == 0) {
                int user = flood / (2000 / USERS) % USERS;
                uses++;
                if (sessions.find(users.get(user))) {
                    found++;
                } else {
                    everLost[user] = true;
                    users.set(user, sessions.create()); // starts again, as the seed's user did
                }
            }
        }
        int kept = 0;
        for (int user = 0; user < USERS; user++) {
            kept += everLost[user] ? 0 : 1;
        }
        return new Result(kept, found, uses, mostHeld);
    }

    static long heapPerSession(String policy) throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        SessionPolicy sessions = SessionPolicy.of(policy, HEAP_SESSIONS, 20 * 60_000, System::currentTimeMillis);
        long before = usedAfterGc(memory);
        for (int i = 0; i < HEAP_SESSIONS; i++) {
            sessions.create();
        }
        long after = usedAfterGc(memory);
        if (sessions.size() != HEAP_SESSIONS) {
            throw new IllegalStateException(policy + " holds " + sessions.size() + " sessions, not " + HEAP_SESSIONS);
        }
        return (after - before) / HEAP_SESSIONS;
    }

    private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100); // lets the collector finish; a measurement, not a test
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
