package io.fastpool.servlet.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The locales of an {@code Accept-Language} header, most preferred first. The JDK's
 * {@link Locale.LanguageRange#parse} reads the header and orders it by weight; ranges of weight 0
 * (not acceptable) and the wildcard are left out. A header it cannot read counts as absent, so the
 * request falls back to the server's locale, as the Servlet API says for a request without one.
 */
final class AcceptLanguage {

    private AcceptLanguage() {
    }

    /** The locales, best first; empty when the header is absent, unreadable or names none. */
    static List<Locale> locales(String header) {
        if (header == null || header.isBlank()) {
            return List.of();
        }
        List<Locale.LanguageRange> ranges;
        try {
            ranges = Locale.LanguageRange.parse(header);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        List<Locale> locales = new ArrayList<>(ranges.size());
        for (Locale.LanguageRange range : ranges) {
            if (range.getWeight() > 0 && !range.getRange().startsWith("*")) {
                locales.add(Locale.forLanguageTag(range.getRange()));
            }
        }
        return locales;
    }
}
