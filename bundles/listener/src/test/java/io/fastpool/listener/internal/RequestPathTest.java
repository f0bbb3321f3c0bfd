package io.fastpool.listener.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

    @ParameterizedTest
    @CsvSource({
        "/, /",
        "/a/b, /a/b",
        "/a/b/, /a/b/",
        "/a/./b, /a/b",
        "/a/../b, /b",
        "/a/b/.., /a/",
        "//a///b, /a/b",
        "/caf%C3%A9, /café",
        "/a%20b, /a b",
        "/%41%42, /AB",
    })
    void decodesAndNormalises(String raw, String expected) {
        assertThat(RequestPath.decode(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/a/../..", "/a%2Fb", "/a%2fb", "/a%00", "/a%5Cb", "/a%", "/a%4", "/a%zz", "/%C3", "relative", ""})
    void refusesWhatCouldEscapeItsRouteOrIsNotAPath(String raw) {
        assertThatThrownBy(() -> RequestPath.decode(raw)).isInstanceOf(RequestPath.BadPathException.class);
    }
}
