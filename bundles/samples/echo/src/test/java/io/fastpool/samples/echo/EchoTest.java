package io.fastpool.samples.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.api.RequestAbortedException;
import io.fastpool.api.RequestBodyException;
import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EchoTest {

    private static final String SHA256_OF_NOTHING = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final Echo echo = new Echo();

    @Test
    void answersThePlainTextDescriptionOfTheRequest() throws Exception {
        FakeRequest request = new FakeRequest("POST", "/echo/a%20b?x=1&y=%C3%A9&x=2", "/echo")
                .header("Host", "localhost")
                .header("Accept", "*/*")
                .body("hello".getBytes(StandardCharsets.UTF_8));
        FakeResponse response = new FakeResponse();

        echo.handle(request, response);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
        assertThat(response.text()).isEqualTo("""
                method: POST
                path: /echo/a b
                context path: /echo
                path info: /a b
                query string: x=1&y=%C3%A9&x=2
                query parameters:
                  x: 1
                  x: 2
                  y: é
                headers:
                  Accept: */*
                  Content-Length: 5
                  Host: localhost
                content length: 5
                body length: 5
                body sha-256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
                """);
    }

    @Test
    void listsHeadersSortedByNameIgnoringCaseWithOneLinePerValue() throws Exception {
        FakeRequest request = new FakeRequest("GET", "/echo", "/echo")
                .header("x-trace", "b")
                .header("Accept", "text/plain")
                .header("X-Forwarded-For", "10.0.0.1")
                .header("X-Forwarded-For", "10.0.0.2")
                .header("Cookie", "a=1");
        FakeResponse response = new FakeResponse();

        echo.handle(request, response);

        assertThat(response.text()).contains("""
                headers:
                  Accept: text/plain
                  Cookie: a=1
                  X-Forwarded-For: 10.0.0.1
                  X-Forwarded-For: 10.0.0.2
                  x-trace: b
                content length""");
    }

    @Test
    void describesARequestWithoutQueryOrBodyAsEmpty() throws Exception {
        FakeResponse response = new FakeResponse();

        echo.handle(new FakeRequest("GET", "/echo", "/echo"), response);

        assertThat(response.text()).isEqualTo("""
                method: GET
                path: /echo
                context path: /echo
                path info:\s
                query string:\s
                query parameters:
                headers:
                content length: -1
                body length: 0
                body sha-256: %s
                """.formatted(SHA256_OF_NOTHING));
    }

    @Test
    void hashesABodyLargerThanTheReadBufferByStreamingIt() throws Exception {
        int size = 1_000_000;
        CountingStream body = new CountingStream(size);
        FakeResponse response = new FakeResponse();

        echo.handle(new FakeRequest("PUT", "/echo/upload", "/echo").body(body), response);

        assertThat(response.text())
                .contains("body length: 1000000\n")
                // SHA-256 of a million bytes counting 0, 1, ... 255, 0, 1, ... computed independently.
                .contains("body sha-256: " + sha256OfCountingBytes(size) + "\n");
        assertThat(body.largestRead).as("no read asks for the whole body at once").isLessThan(size);
    }

    @Test
    void answers400WhenTheBodyDoesNotMatchItsContentLength() throws Exception {
        InputStream shortBody = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new RequestBodyException("body ended after 3 of 5 bytes");
            }
        };
        FakeResponse response = new FakeResponse();

        echo.handle(new FakeRequest("POST", "/echo", "/echo").body(shortBody), response);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorMessage()).contains("body ended after 3 of 5 bytes");
        // Only the error page: nothing of the echo went out before the body failed.
        assertThat(response.text()).isEqualTo("400\n" + response.errorMessage() + "\n");
    }

    @Test
    void leavesAnAbortedRequestToThePool() {
        InputStream aborted = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new RequestAbortedException("client went away");
            }
        };
        FakeResponse response = new FakeResponse();

        assertThatThrownBy(() -> echo.handle(new FakeRequest("POST", "/echo", "/echo").body(aborted), response))
                .isInstanceOf(RequestAbortedException.class);
        assertThat(response.text()).isEmpty();
    }

    private static String sha256OfCountingBytes(int size) throws Exception {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) i;
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Produces bytes 0, 1, ... 255, 0, 1, ... and remembers the largest read asked of it. */
    private static final class CountingStream extends InputStream {
        private final int size;
        private int position;
        int largestRead;

        CountingStream(int size) {
            this.size = size;
        }

        @Override
        public int read() {
            return position < size ? position++ & 0xFF : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            largestRead = Math.max(largestRead, length);
            if (position == size) {
                return -1;
            }
            int count = Math.min(length, size - position);
            for (int i = 0; i < count; i++) {
                buffer[offset + i] = (byte) position++;
            }
            return count;
        }
    }
}
