package io.fastpool.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.Session;
import io.fastpool.api.SessionEndListener;
import io.fastpool.api.WebApp;
import io.fastpool.pool.PoolSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Sessions the store ends by itself reach an active app that listens, outside the store's lock and with its class loader. */
class SessionEndsTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);

    /** The store's own hook: what it hands on, and when. */
    private static final class Recorder implements SessionStore.Ends {
        volatile boolean wanted = true;
        final List<Session> ended = new ArrayList<>();
        final List<Boolean> lockHeld = new ArrayList<>();
        final List<Object> attributesSeen = new ArrayList<>();
        SessionStore store;

        @Override
        public boolean wanted() {
            return wanted;
        }

        @Override
        public void ended(List<Session> sessions) {
            lockHeld.add(Thread.holdsLock(store));
            ended.addAll(sessions);
            sessions.forEach(session -> attributesSeen.add(session.attribute("cart")));
        }
    }

    private Recorder recorderOn(SessionStore store) {
        Recorder recorder = new Recorder();
        recorder.store = store;
        store.endsTo(recorder);
        return recorder;
    }

    @Test
    void expiredSessionsAreHandedOnWithTheirAttributesAfterTheLockIsLetGo() {
        SessionStore store = new SessionStore(10, 60_000, clock::get);
        Recorder recorder = recorderOn(store);
        Session old = store.create();
        old.setAttribute("cart", "3 books");
        clock.addAndGet(30_000);
        Session recent = store.create();
        clock.addAndGet(30_001);
        assertThat(store.expire()).isEqualTo(1);
        assertThat(recorder.ended).containsExactly(old);
        assertThat(recorder.attributesSeen).containsExactly("3 books");
        assertThat(recorder.lockHeld).containsExactly(false);
        assertThat(store.find(recent.id())).isSameAs(recent);
    }

    @Test
    void aSessionFoundPastItsTimeOutIsHandedOnToo() {
        SessionStore store = new SessionStore(10, 60_000, clock::get);
        Recorder recorder = recorderOn(store);
        Session session = store.create();
        clock.addAndGet(60_001);
        assertThat(store.find(session.id())).isNull();
        assertThat(recorder.ended).containsExactly(session);
        assertThat(recorder.lockHeld).containsExactly(false);
    }

    @Test
    void evictedSessionsAreHandedOnWhenCreatedOnesOrALowerMaxSessionsPushThemOut() {
        SessionStore store = new SessionStore(2, 60_000, clock::get);
        Recorder recorder = recorderOn(store);
        Session first = store.create();
        Session second = store.create();
        store.create();
        assertThat(recorder.ended).containsExactly(first);
        store.configure(1, 60_000);
        assertThat(recorder.ended).containsExactly(first, second);
        assertThat(recorder.lockHeld).containsExactly(false, false);
    }

    @Test
    void anInvalidatedSessionIsNotHandedOnAndNothingIsGatheredWhenNobodyWantsIt() {
        SessionStore store = new SessionStore(1, 60_000, clock::get);
        Recorder recorder = recorderOn(store);
        store.create().invalidate();
        assertThat(recorder.ended).as("the app invalidated it: it knows").isEmpty();
        recorder.wanted = false;
        store.create();
        store.create();
        clock.addAndGet(60_001);
        store.expire();
        assertThat(recorder.ended).isEmpty();
        assertThat(store.evicted()).isEqualTo(1);
        assertThat(store.expiredCount()).isEqualTo(1);
    }

    /** An app instance that listens, recording the thread's class loader and what it could read. */
    private static final class Listening implements WebApp, SessionEndListener {
        volatile boolean listening = true;
        final List<String> heard = new CopyOnWriteArrayList<>();
        final List<ClassLoader> loaders = new CopyOnWriteArrayList<>();

        @Override
        public void handle(Request request, Response response) {
        }

        @Override
        public boolean listensForSessionEnds() {
            return listening;
        }

        @Override
        public void sessionEnded(Session session) {
            loaders.add(Thread.currentThread().getContextClassLoader());
            heard.add(session.id() + "=" + session.attribute("user"));
        }
    }

    /** A host whose lifecycle executor only collects tasks, so the test sees that the work is handed to it. */
    private static final class QueuingHost extends TestHost {
        final List<Runnable> lifecycleTasks = new ArrayList<>();

        @Override
        public Executor lifecycle() {
            return lifecycleTasks::add;
        }
    }

    private static Pool poolWith(FakeApp app, QueuingHost host) {
        Pool pool = new Pool("shop", PoolSettingsParser.apply(PoolSettings.DEFAULTS, Map.of("sessionTimeout", "60s")), host);
        pool.addApp(app);
        return pool;
    }

    @Test
    void anActiveAppThatListensHearsOnTheLifecycleExecutorWithItsClassLoader() throws Exception {
        Listening instance = new Listening();
        FakeApp app = new FakeApp("shop/app", instance, clock::get);
        QueuingHost host = new QueuingHost();
        poolWith(app, host);
        app.acquire();
        Session session = app.sessions().create();
        session.setAttribute("user", "ada");
        clock.addAndGet(60_001);
        app.expireSessions();
        assertThat(instance.heard).as("not on the thread that expired it").isEmpty();
        assertThat(host.lifecycleTasks).hasSize(1);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        host.lifecycleTasks.get(0).run();
        assertThat(instance.heard).containsExactly(session.id() + "=ada");
        assertThat(instance.loaders).containsExactly(app.loader);
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void aReleasedAppOrOneThatDoesNotListenIsNotWokenOrGivenWork() throws Exception {
        Listening instance = new Listening();
        FakeApp app = new FakeApp("shop/app", instance, clock::get);
        QueuingHost host = new QueuingHost();
        poolWith(app, host);
        app.sessions().create();
        clock.addAndGet(60_001);
        app.expireSessions();
        assertThat(app.activations).as("not woken for it").hasValue(0);
        app.acquire();
        instance.listening = false;
        app.sessions().create();
        clock.addAndGet(60_001);
        app.expireSessions();
        assertThat(host.lifecycleTasks).isEmpty();
        assertThat(instance.heard).isEmpty();
    }
}
