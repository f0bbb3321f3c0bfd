package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.JulNettyLeaks;
import io.fastpool.itest.support.Platform;
import io.fastpool.itest.support.Pools;
import io.fastpool.itest.support.RawFcgiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session sample under the seed's flood, as issue 13 reproduced it with {@code maxSessions}
 * 500: returning users keep counting in their sessions while a client without cookies makes a
 * session on every request, ten times the store's size; the pool's figures tell the one-shot
 * sessions dropped from the returning users kept.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionFloodIT {

    static final String POOL = "io.fastpool.samples.session";
    static final int USERS = 50;
    static final int FLOOD = 10_000;
    /** Each user comes back once every this many flood requests: twice the store's size, so a single LRU would lose them all. */
    static final int RETURN_EVERY = 1000;

    @Test
    void returningUsersKeepTheirSessionsThroughACookielessFloodTenTimesTheStore() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "session-flood-it").toAbsolutePath();
        Path socket = work.resolve("run/fastpool.sock");
        try (Platform platform = Platform.start(work.resolve("felix"), Map.of("io.fastpool.transport", Map.of(
                "listen", new String[] {"unix:" + socket})))) {
            platform.configureFactory("io.fastpool.pool", POOL, Map.of("maxSessions", 500));
            platform.install(Path.of(System.getProperty("sample.session")));
            Pools pools = new Pools(platform);
            Platform.await(Duration.ofSeconds(10), "the sample's pool with maxSessions 500", () -> {
                try {
                    return Files.exists(socket) && pools.read(POOL, "settings", "maxSessions").equals(500);
                } catch (Exception | AssertionError e) {
                    return false;
                }
            });
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
            assertThat(pools.app(POOL, "sessions")).isEqualTo(500);
            assertThat(pools.app(POOL, "returningSessions")).isEqualTo(USERS);
            assertThat(pools.app(POOL, "newSessions")).isEqualTo(500 - USERS);
            assertThat(pools.app(POOL, "returningSessionsEvicted")).isEqualTo(0L);
            assertThat(pools.app(POOL, "newSessionsEvicted")).isEqualTo((long) USERS + FLOOD - 500);
            JulNettyLeaks.assertNone(() -> { });
        }
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
