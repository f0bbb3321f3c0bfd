package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Holds bench/README's flood figures for the two deterministic policies (Caffeine's sketch is seeded at random). */
class SessionFloodTest {

    @Test
    void theOldLruLosesEveryReturningUserToTheFloodAndTheSegmentedStoreKeepsThemAll() {
        SessionFlood.Result lru = SessionFlood.flood("lru");
        assertThat(lru.keptAtEnd()).isZero();
        assertThat(lru.usesFound()).isEqualTo(80);
        SessionFlood.Result segmented = SessionFlood.flood("segmented");
        assertThat(segmented.keptAtEnd()).isEqualTo(SessionFlood.USERS);
        assertThat(segmented.usesFound()).isEqualTo(segmented.uses()).isEqualTo(10_000);
        assertThat(segmented.mostHeld()).isEqualTo(lru.mostHeld()).isEqualTo(SessionFlood.MAX_SESSIONS);
    }
}
