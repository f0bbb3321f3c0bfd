package io.fastpool.itest;

import static io.fastpool.itest.support.InFramework.configureFactory;
import static io.fastpool.itest.support.InFramework.install;
import static io.fastpool.itest.support.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fastpool.itest.support.OsgiNettyLeaks;
import io.fastpool.itest.support.PlatformOptions;
import io.fastpool.itest.support.RawFcgiClient;
import io.fastpool.pool.PoolManager;
import io.fastpool.pool.PoolSnapshot.AppView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The session sample under the seed's flood, as issue 13 reproduced it with {@code maxSessions}
 * 500: returning users keep counting in their sessions while a client without cookies makes a
 * session on every request, ten times the store's size; the pool's figures tell the one-shot
 * sessions dropped from the returning users kept.
 */
@RunWith(PaxExam.class)
public class SessionFloodIT {

    static final String POOL = "io.fastpool.samples.session";
    static final int USERS = 50;
    static final int FLOOD = 10_000;
    /** Each user comes back once every this many flood requests: twice the store's size, so a single LRU would lose them all. */
    static final int RETURN_EVERY = 1000;

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin configurationAdmin;
    @Inject
    PoolManager pools;

    @Configuration
    public Option[] platform() {
        Path socket = PlatformOptions.workFolder("session-flood-it").resolve("run/fastpool.sock");
        return new Option[] {PlatformOptions.platform(PlatformOptions.transportOn(socket)),
            systemProperty("session-flood-it.socket").value(socket.toString())};
    }

    @Test
    public void returningUsersKeepTheirSessionsThroughACookielessFloodTenTimesTheStore() throws Exception {
        Path socket = Path.of(System.getProperty("session-flood-it.socket"));
        configureFactory(configurationAdmin, "io.fastpool.pool", POOL, Map.of("maxSessions", 500));
        install(context, Path.of(System.getProperty("sample.session")));
        await(Duration.ofSeconds(10), "the sample's pool with maxSessions 500", () -> Files.exists(socket)
                && pools.pool(POOL).map(pool -> pool.settings().maxSessions() == 500).orElse(false));
        try (RawFcgiClient client = RawFcgiClient.unix(socket)) {
            List<String> cookies = new ArrayList<>();
            int[] counts = new int[USERS];
            for (int user = 0; user < USERS; user++) {
                RawFcgiClient.Response first = client.get(1, true, "/session");
                assertThat(first.body()).isEqualTo("count 1");
                cookies.add(cookieOf(first));
                assertThat(get(client, cookies.get(user)).body()).as("the user's second request").isEqualTo("count 2");
                counts[user] = 2;
            }
            for (int flood = 1; flood <= FLOOD; flood++) {
                assertThat(client.get(1, true, "/session").body()).isEqualTo("count 1");
                if (flood % (RETURN_EVERY / USERS) == 0) {
                    int user = flood / (RETURN_EVERY / USERS) % USERS;
                    counts[user]++;
                    assertThat(get(client, cookies.get(user)).body()).as("user %d after %d cookie-less requests", user, flood)
                            .isEqualTo("count " + counts[user]);
                }
            }
        }
        AppView app = pools.pool(POOL).orElseThrow().apps().get(0);
        assertThat(app.sessions()).isEqualTo(500);
        assertThat(app.returningSessions()).isEqualTo(USERS);
        assertThat(app.newSessions()).isEqualTo(500 - USERS);
        assertThat(app.returningSessionsEvicted()).isEqualTo(0L);
        assertThat(app.newSessionsEvicted()).isEqualTo((long) USERS + FLOOD - 500);
        OsgiNettyLeaks.assertNone();
    }

    private static RawFcgiClient.Response get(RawFcgiClient client, String cookie) throws Exception {
        client.send(RawFcgiClient.requestBytes(1, true, RawFcgiClient.params("GET", "/session", "HTTP_COOKIE", cookie), new byte[0]));
        return client.await(1);
    }

    private static String cookieOf(RawFcgiClient.Response response) {
        String text = response.stdout.toString();
        int at = text.indexOf("Set-Cookie: ");
        assertThat(at).as("a Set-Cookie header").isNotNegative();
        String value = text.substring(at + 12, text.indexOf("\r\n", at));
        return value.substring(0, value.indexOf(';'));
    }
}
