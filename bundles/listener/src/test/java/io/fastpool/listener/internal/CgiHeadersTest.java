package io.fastpool.listener.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class CgiHeadersTest {

    @Test
    void headerNamesMapToCgiVariablesByAsciiRulesOnly() {
        assertThat(CgiHeaders.variableName("X-Forwarded-For")).isEqualTo("HTTP_X_FORWARDED_FOR");
        assertThat(CgiHeaders.variableName("content-type")).isEqualTo("CONTENT_TYPE");
        assertThat(CgiHeaders.variableName("Content-Length")).isEqualTo("CONTENT_LENGTH");
        assertThat(CgiHeaders.variableName("bad header")).isNull();
        assertThat(CgiHeaders.headerName("HTTP_X_FORWARDED_FOR")).isEqualTo("X-Forwarded-For");
        assertThat(CgiHeaders.headerName("HTTP_HOST")).isEqualTo("Host");
        assertThat(CgiHeaders.headerName("SCRIPT_NAME")).isNull();
    }

    @Test
    void lookupIgnoresTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            // In Turkish, "i".toUpperCase() is "İ": a locale-sensitive lookup would miss HTTP_IF_NONE_MATCH.
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            assertThat(CgiHeaders.variableName("if-none-match")).isEqualTo("HTTP_IF_NONE_MATCH");
        } finally {
            Locale.setDefault(saved);
        }
    }
}
