package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.api.Session;
import io.fastpool.testkit.FakeExchange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionsTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final SessionStore store = new SessionStore(3, 60_000, clock::get);

    private PooledRequest request(FakeExchange exchange) {
        return new PooledRequest(exchange.request(), exchange.response(), store);
    }

    @Test
    void aRequestThatNeverAsksCreatesNoSessionAndSetsNoCookie() {
        FakeExchange exchange = new FakeExchange("/app");
        assertThat(request(exchange).session(false)).isNull();
        assertThat(store.size()).isZero();
        assertThat(exchange.response.header("Set-Cookie")).isNull();
    }

    @Test
    void askingToCreateSetsAnHttpOnlyCookieScopedToTheApp() {
        FakeExchange exchange = new FakeExchange("/app");
        Session session = request(exchange).session(true);
        assertThat(session).isNotNull();
        assertThat(store.size()).isEqualTo(1);
        assertThat(exchange.response.header("Set-Cookie"))
                .isEqualTo("FPSESSION=" + session.id() + "; Path=/app; HttpOnly; SameSite=Lax");
    }

    @Test
    void overHttpsTheCookieIsSecure() {
        FakeExchange exchange = new FakeExchange("/app", true);
        request(exchange).session(true);
        assertThat(exchange.response.header("Set-Cookie")).endsWith("; Secure");
    }

    @Test
    void theCookieFindsTheSessionAgainAndAnUnknownIdCreatesNone() {
        Session session = request(new FakeExchange("/app")).session(true);
        session.setAttribute("count", 1);
        FakeExchange again = new FakeExchange("/app").header("Cookie", "theme=dark; FPSESSION=" + session.id() + "; x=y");
        assertThat(request(again).session(false)).isSameAs(session);
        assertThat(again.response.header("Set-Cookie")).isNull();
        FakeExchange forged = new FakeExchange("/app").header("Cookie", "FPSESSION=forged");
        assertThat(request(forged).session(false)).isNull();
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void theLeastRecentlyUsedSessionGoesFirstAndAUseRefreshesIt() {
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(store.create());
            clock.addAndGet(10);
        }
        assertThat(store.find(sessions.get(0).id())).isNotNull(); // refreshes the oldest
        store.create();
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.find(sessions.get(1).id())).as("least recently used").isNull();
        assertThat(store.find(sessions.get(0).id())).as("refreshed by its use").isNotNull();
        assertThat(store.evicted()).isEqualTo(1);
    }

    @Test
    void aSessionUnusedPastTheTimeoutEnds() {
        Session session = store.create();
        clock.addAndGet(60_001);
        assertThat(store.find(session.id())).isNull();
        Session other = store.create();
        clock.addAndGet(60_001);
        assertThat(store.expire()).isEqualTo(1);
        assertThat(store.find(other.id())).isNull();
    }

    @Test
    void anInvalidatedSessionIsGone() {
        Session session = store.create();
        session.setAttribute("a", "b");
        session.invalidate();
        assertThat(store.find(session.id())).isNull();
        assertThat(session.attributeNames()).isEmpty();
    }

    @Test
    void twoAppsNeverShareSessions() {
        SessionStore other = new SessionStore(3, 60_000, clock::get);
        Session mine = store.create();
        assertThat(other.find(mine.id())).isNull();
        for (int i = 0; i < 10; i++) {
            other.create();
        }
        assertThat(store.find(mine.id())).as("another app's sessions never evict this app's").isNotNull();
    }
}
