package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.api.Session;
import io.fastpool.pool.PoolSnapshot;
import io.fastpool.testkit.FakeExchange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionsTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final SessionStore store = new SessionStore(3, 60_000, clock::get);

    private PooledRequest request(FakeExchange exchange) {
        return new PooledRequest(exchange.request(), exchange.response(), store, () -> {
            throw new UnsupportedOperationException();
        });
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
    void aSessionInvalidatedDuringARequestIsNotHandedOutAgainAndANewOneCanBeMade() {
        Session old = request(new FakeExchange("/app")).session(true);
        FakeExchange logout = new FakeExchange("/app").header("Cookie", "FPSESSION=" + old.id());
        PooledRequest request = request(logout);
        assertThat(request.session(false)).isSameAs(old);
        old.invalidate();
        assertThat(request.session(false)).as("the cookie names the ended session: none now").isNull();
        Session fresh = request.session(true);
        assertThat(fresh).isNotNull().isNotSameAs(old);
        assertThat(fresh.id()).isNotEqualTo(old.id());
        assertThat(logout.response.header("Set-Cookie")).startsWith("FPSESSION=" + fresh.id() + ";");
        assertThat(request.session(false)).isSameAs(fresh);
    }

    @Test
    void aSessionTellsItsPoolsTimeout() {
        assertThat(store.create().timeoutMillis()).isEqualTo(60_000);
        store.configure(3, 120_000);
        assertThat(store.create().timeoutMillis()).isEqualTo(120_000);
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

    @Test
    void theSeedsFloodLeavesEveryReturningUserTheirSessionAndTheStoreNeverPassesMaxSessions() {
        SessionStore sessions = new SessionStore(1000, 20 * 60_000, clock::get);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = sessions.create().id();
            assertThat(sessions.find(id)).as("the user's second request").isNotNull();
            users.add(id);
        }
        int largest = 0;
        for (int flood = 1; flood <= 100_000; flood++) {
            clock.addAndGet(4); // 15,000 requests a minute
            Session oneShot = sessions.create();
            oneShot.setAttribute("visits", 1);
            largest = Math.max(largest, sessions.size());
            if (flood % 10 == 0) { // each of the 200 users once every 2,000 flood requests
                String user = users.get(flood / 10 % users.size());
                assertThat(sessions.find(user)).as("user %s after %d flood requests", user, flood).isNotNull();
            }
        }
        assertThat(largest).isLessThanOrEqualTo(1000);
        assertThat(users).allSatisfy(user -> assertThat(sessions.find(user)).isNotNull());
        assertThat(sessions.returningEvicted()).isZero();
        assertThat(sessions.newEvicted()).isEqualTo(200 + 100_000 - 1000);
        assertThat(sessions.returning()).isEqualTo(200);
    }

    @Test
    void aNewUserWhoComesBackBeforeTheNewSegmentTurnsOverBecomesReturningDuringAFlood() {
        SessionStore sessions = new SessionStore(100, 60_000, clock::get);
        for (int i = 0; i < 500; i++) {
            sessions.create();
        }
        String newcomer = sessions.create().id();
        for (int i = 0; i < 99; i++) {
            sessions.create();
        }
        assertThat(sessions.find(newcomer)).as("came back while 99 newer sessions were made").isNotNull();
        for (int i = 0; i < 1000; i++) {
            sessions.create();
        }
        assertThat(sessions.find(newcomer)).as("returning: out of the flood's reach").isNotNull();
    }

    @Test
    void returningUsersBeyondTheProtectedShareCompeteWithNewSessionsAndTheirLossIsCountedApart() {
        SessionStore sessions = new SessionStore(10, 60_000, clock::get);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = sessions.create().id();
            sessions.find(id);
            users.add(id);
        }
        assertThat(sessions.returning()).isEqualTo(10);
        sessions.create();
        sessions.create();
        sessions.create();
        assertThat(sessions.size()).isEqualTo(10);
        assertThat(sessions.find(users.get(0))).as("least recently used returning user, past the protected share").isNull();
        assertThat(sessions.find(users.get(9))).as("within the protected share").isNotNull();
        assertThat(sessions.returningEvicted()).isEqualTo(2);
        assertThat(sessions.newEvicted()).isEqualTo(1);
        assertThat(sessions.evicted()).isEqualTo(3);
        assertThat(sessions.returning()).isEqualTo(8);
    }

    @Test
    void aReturningUsersSessionStillEndsAfterTheTimeout() {
        Session session = store.create();
        clock.addAndGet(1000);
        assertThat(store.find(session.id())).isNotNull();
        assertThat(store.returning()).isEqualTo(1);
        clock.addAndGet(60_001);
        assertThat(store.expire()).isEqualTo(1);
        assertThat(store.find(session.id())).isNull();
        assertThat(store.returning()).isZero();
        assertThat(store.expiredCount()).isEqualTo(1);
        assertThat(store.evicted()).as("expiry is not eviction").isZero();
    }

    @Test
    void aLowerMaxSessionsTrimsNewSessionsFirstThenTheLeastRecentReturningOnes() {
        SessionStore sessions = new SessionStore(10, 60_000, clock::get);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = sessions.create().id();
            sessions.find(id);
            users.add(id);
        }
        for (int i = 0; i < 5; i++) {
            sessions.create();
        }
        sessions.configure(5, 60_000);
        assertThat(sessions.size()).isEqualTo(5);
        assertThat(sessions.newEvicted()).isEqualTo(5);
        assertThat(sessions.returningEvicted()).isZero();
        sessions.configure(2, 60_000);
        assertThat(sessions.size()).isEqualTo(2);
        assertThat(sessions.returningEvicted()).isEqualTo(3);
        assertThat(sessions.find(users.get(4))).isNotNull();
    }

    @Test
    void theSnapshotViewTellsNewFromReturningSessionsAndTheirEvictions() {
        Session returning = store.create();
        store.find(returning.id());
        store.create();
        store.create();
        store.create();
        store.create(); // evicts the two oldest new sessions
        PoolSnapshot.AppView view = store.view("shop/app", true);
        assertThat(view).isEqualTo(new PoolSnapshot.AppView("shop/app", true, 3, 5, 2, 2, 1, 2, 0));
    }

    @Test
    void anInvalidatedReturningSessionLeavesTheReturningCount() {
        Session session = store.create();
        store.find(session.id());
        session.invalidate();
        assertThat(store.returning()).isZero();
        assertThat(store.size()).isZero();
    }

    @Test
    void aChangedIdKeepsTheSessionAndItsPlaceAndTheOldIdIsWorthNothing() {
        FakeExchange login = new FakeExchange("/app");
        PooledRequest request = request(login);
        Session session = request.session(true);
        session.setAttribute("cart", 3);
        String planted = session.id();

        String changed = request.changeSessionId();

        assertThat(changed).isNotEqualTo(planted).isEqualTo(session.id());
        assertThat(login.response.headers("Set-Cookie")).as("the later cookie wins in the browser")
                .last().isEqualTo("FPSESSION=" + changed + "; Path=/app; HttpOnly; SameSite=Lax");
        assertThat(store.find(planted)).isNull();
        assertThat(store.find(changed)).isSameAs(session);
        assertThat(session.attribute("cart")).isEqualTo(3);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.evicted()).isZero();
    }

    @Test
    void aReturningSessionStaysProtectedUnderItsNewIdAndAnInvalidatedOneCannotChange() {
        Session session = store.create();
        store.find(session.id()); // returning: in the protected segment
        FakeExchange exchange = new FakeExchange("/app").header("Cookie", "FPSESSION=" + session.id());
        String changed = request(exchange).changeSessionId();
        for (int i = 0; i < 3; i++) {
            store.create(); // a flood of new sessions evicts new ones, not the returning user's
        }
        assertThat(store.find(changed)).isSameAs(session);

        session.invalidate();
        assertThatThrownBy(() -> store.changeId(session)).isInstanceOf(IllegalStateException.class).hasMessageContaining("has ended");
    }

    @Test
    void aRequestWithoutASessionCannotChangeItsId() {
        assertThatThrownBy(() -> request(new FakeExchange("/app")).changeSessionId())
                .isInstanceOf(IllegalStateException.class).hasMessage("this request has no session");
    }
}
