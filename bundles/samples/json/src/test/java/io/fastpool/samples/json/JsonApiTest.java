package io.fastpool.samples.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import io.fastpool.api.RequestBodyException;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonApiTest {

    private static final String JSON_UTF8 = "application/json; charset=UTF-8";

    private final JsonApi api = new JsonApi();

    @Test
    void helloAnswersTheGreetingAsJson() throws Exception {
        FakeResponse response = call(new FakeRequest("GET", "/json/hello", "/json"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo(JSON_UTF8);
        assertThat(response.text()).isEqualTo("{\"message\":\"Hello, World!\"}");
    }

    @Test
    void itemsAnswersTenItemsByDefault() throws Exception {
        FakeResponse response = call(new FakeRequest("GET", "/json/items", "/json"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo(JSON_UTF8);
        assertThat(JSON.std.listFrom(response.text())).hasSize(JsonApi.DEFAULT_COUNT);
    }

    @Test
    void itemsAnswersTheCountAskedForNumberedFromOne() throws Exception {
        FakeResponse response = call(new FakeRequest("GET", "/json/items?count=3", "/json"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo(
                "[{\"id\":1,\"name\":\"item 1\"},{\"id\":2,\"name\":\"item 2\"},{\"id\":3,\"name\":\"item 3\"}]");
    }

    @Test
    void itemsAcceptsTheLimitsOneAndAHundred() throws Exception {
        assertThat(JSON.std.listFrom(call(new FakeRequest("GET", "/json/items?count=1", "/json")).text())).hasSize(1);
        assertThat(JSON.std.listFrom(call(new FakeRequest("GET", "/json/items?count=100", "/json")).text())).hasSize(100);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101", "-1", "ten", "", "1.5", "99999999999"})
    void itemsAnswers400WithAJsonErrorForACountOutsideOneToAHundred(String count) throws Exception {
        FakeResponse response = call(new FakeRequest("GET", "/json/items?count=" + count, "/json"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).isEqualTo(JSON_UTF8);
        assertThat(error(response)).isEqualTo("count must be a whole number from 1 to 100, was \"" + count + "\"");
    }

    @Test
    void echoAnswersTheObjectSentWithReceivedTrue() throws Exception {
        FakeResponse response = call(post("{\"name\":\"Ada\",\"tags\":[1,2.5,null],\"nested\":{\"ok\":false}}"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo(JSON_UTF8);
        assertThat(response.text())
                .isEqualTo("{\"name\":\"Ada\",\"tags\":[1,2.5,null],\"nested\":{\"ok\":false},\"received\":true}");
    }

    @Test
    void echoReplacesAReceivedFieldTheClientSent() throws Exception {
        FakeResponse response = call(post("{\"received\":\"maybe\"}"));

        assertThat(JSON.std.mapFrom(response.text())).isEqualTo(Map.of("received", true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{\"name\":", "{name: 1}", "{\"a\":1,}", "not json", "{\"a\":1} trailing", "{} {}"})
    void echoAnswers400WithAJsonErrorForMalformedJson(String body) throws Exception {
        FakeResponse response = call(post(body));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).isEqualTo(JSON_UTF8);
        assertThat(error(response)).startsWith("malformed JSON: ").contains(" at line 1, column ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"text\"", "42", "null"})
    void echoAnswers400WhenTheBodyIsNotAnObject(String body) throws Exception {
        FakeResponse response = call(post(body));

        assertThat(response.status()).isEqualTo(400);
        assertThat(error(response)).isEqualTo("the body must be a JSON object");
    }

    @Test
    void echoAnswers400WhenTheBodyBreaksOff() throws Exception {
        InputStream brokenBody = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new RequestBodyException("body ended after 3 of 10 bytes");
            }
        };

        FakeResponse response = call(new FakeRequest("POST", "/json/echo", "/json").body(brokenBody));

        assertThat(response.status()).isEqualTo(400);
        assertThat(error(response)).contains("body ended after 3 of 10 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/json", "/json/", "/json/nothing", "/json/hello/more"})
    void anUnknownPathAnswers404WithAJsonError(String path) throws Exception {
        FakeResponse response = call(new FakeRequest("GET", path, "/json"));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("Content-Type")).isEqualTo(JSON_UTF8);
        assertThat(error(response)).isEqualTo("no such resource: " + path);
    }

    @Test
    void aWrongMethodAnswers405WithAllowAndAJsonError() throws Exception {
        FakeResponse getEcho = call(new FakeRequest("GET", "/json/echo", "/json"));
        FakeResponse postHello = call(post("/json/hello", "{}"));

        assertThat(getEcho.status()).isEqualTo(405);
        assertThat(getEcho.header("Allow")).isEqualTo("POST");
        assertThat(error(getEcho)).isEqualTo("GET is not allowed on /json/echo, only POST");
        assertThat(postHello.status()).isEqualTo(405);
        assertThat(postHello.header("Allow")).isEqualTo("GET");
        assertThat(postHello.header("Content-Type")).isEqualTo(JSON_UTF8);
    }

    private FakeResponse call(FakeRequest request) throws Exception {
        FakeResponse response = new FakeResponse();
        api.handle(request, response);
        return response;
    }

    private static FakeRequest post(String body) {
        return post("/json/echo", body);
    }

    private static FakeRequest post(String path, String body) {
        return new FakeRequest("POST", path, "/json")
                .header("Content-Type", "application/json")
                .body(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(FakeResponse response) throws IOException {
        Map<String, Object> answer = JSON.std.mapFrom(response.text());
        assertThat(answer).containsOnlyKeys("error");
        return (String) answer.get("error");
    }
}
