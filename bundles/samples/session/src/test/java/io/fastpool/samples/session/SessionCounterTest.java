package io.fastpool.samples.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import org.junit.jupiter.api.Test;

class SessionCounterTest {

    private final SessionCounter app = new SessionCounter();

    @Test
    void eachRequestOfAClientCountsOneMoreInItsSession() throws Exception {
        FakeClient client = new FakeClient();

        assertThat(get(client, "/session").text()).isEqualTo("count 1");
        assertThat(get(client, "/session").text()).isEqualTo("count 2");
        FakeResponse third = get(client, "/session");

        assertThat(third.text()).isEqualTo("count 3");
        assertThat(third.status()).isEqualTo(200);
        assertThat(third.header("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
        assertThat(client.sessionsCreated()).isEqualTo(1);
    }

    @Test
    void clientsCountSeparately() throws Exception {
        FakeClient first = new FakeClient();
        FakeClient second = new FakeClient();

        get(first, "/session");
        get(first, "/session");

        assertThat(get(second, "/session").text()).isEqualTo("count 1");
        assertThat(get(first, "/session").text()).isEqualTo("count 3");
    }

    @Test
    void resetEndsTheSessionAndCountingStartsAgainInANewOne() throws Exception {
        FakeClient client = new FakeClient();
        get(client, "/session");
        get(client, "/session");

        assertThat(get(client, "/session?reset=1").text()).isEqualTo("reset");
        assertThat(client.hasSession()).isFalse();
        assertThat(get(client, "/session").text()).isEqualTo("count 1");
        assertThat(client.sessionsCreated()).isEqualTo(2);
    }

    @Test
    void resetWithoutASessionCreatesNone() throws Exception {
        FakeClient client = new FakeClient();

        FakeResponse response = get(client, "/session?reset=1");

        assertThat(response.text()).isEqualTo("reset");
        assertThat(client.hasSession()).isFalse();
        assertThat(client.sessionsCreated()).isZero();
    }

    @Test
    void onlyResetEqualToOneResets() throws Exception {
        FakeClient client = new FakeClient();
        get(client, "/session");

        assertThat(get(client, "/session?reset=0").text()).isEqualTo("count 2");
        assertThat(get(client, "/session?reset=yes").text()).isEqualTo("count 3");
    }

    private FakeResponse get(FakeClient client, String uri) throws Exception {
        FakeResponse response = new FakeResponse();
        app.handle(new FakeRequest("GET", uri, "/session").sessions(client::session), response);
        return response;
    }
}
