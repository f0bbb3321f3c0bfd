package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletException;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ErrorPagesTest {

    private static ErrorPages<String> pages(String... errorsAndTargets) {
        ErrorPages.Builder<String> builder = ErrorPages.builder();
        for (int i = 0; i < errorsAndTargets.length; i += 2) {
            builder.add(errorsAndTargets[i], errorsAndTargets[i + 1]);
        }
        return builder.build();
    }

    @Test
    void aStatusFindsItsOwnPageThenItsClass() {
        ErrorPages<String> pages = pages("404", "missing", "4xx", "client", "5xx", "server");

        assertThat(pages.forStatus(404)).isEqualTo("missing");
        assertThat(pages.forStatus(403)).isEqualTo("client");
        assertThat(pages.forStatus(503)).isEqualTo("server");
        assertThat(pages(" 404 ", "missing").forStatus(404)).as("blanks around a code do not count").isEqualTo("missing");
        assertThat(pages("404", "missing").forStatus(500)).isNull();
    }

    @Test
    void anExceptionFindsThePageOfItsClassOrNearestSuperclass() {
        ErrorPages<String> pages = pages(IOException.class.getName(), "io", RuntimeException.class.getName(), "runtime");

        FileNotFoundException missing = new FileNotFoundException("x");

        ErrorPages.Page<String> found = pages.forException(missing);

        assertThat(found.target()).isEqualTo("io");
        assertThat(found.matched()).isSameAs(missing);
        assertThat(pages.forException(new IllegalStateException()).target()).isEqualTo("runtime");
    }

    @Test
    void aServletExceptionIsMatchedByItsRootCauseWhenItsOwnClassHasNoPage() {
        ErrorPages<String> pages = pages(IllegalArgumentException.class.getName(), "argument");
        IllegalArgumentException cause = new IllegalArgumentException("bad");

        ErrorPages.Page<String> found = pages.forException(new ServletException("wrapped", cause));

        assertThat(found.target()).isEqualTo("argument");
        assertThat(found.matched()).isSameAs(cause);
    }

    @Test
    void anExceptionWithoutAPageOfItsOwnFallsToThePageFor500() {
        ErrorPages.Page<String> found = pages("500", "broken").forException(new IllegalStateException());

        assertThat(found.target()).isEqualTo("broken");
        assertThat(found.matched()).isNull();
        assertThat(pages("404", "missing").forException(new IllegalStateException())).isNull();
    }

    @Test
    void theFirstAddedKeepsAnErrorSoTheHigherRankedWins() {
        ErrorPages.Builder<String> builder = ErrorPages.builder();

        assertThat(builder.add("404", "ranked")).isTrue();
        assertThat(builder.add("404", "lower")).isFalse();
        assertThat(builder.build().forStatus(404)).isEqualTo("ranked");
    }

    @Test
    void onlyErrorStatusesTheirClassesAndClassNamesAreErrorPages() {
        assertThat(ErrorPages.isValid("404")).isTrue();
        assertThat(ErrorPages.isValid("5xx")).isTrue();
        assertThat(ErrorPages.isValid("java.io.IOException")).isTrue();
        assertThat(ErrorPages.isValid("200")).isFalse();
        assertThat(ErrorPages.isValid("3xx")).isFalse();
        assertThat(ErrorPages.isValid("4040")).isFalse();
        assertThat(ErrorPages.isValid("not a class")).isFalse();
        assertThat(ErrorPages.isValid("")).isFalse();
    }
}
