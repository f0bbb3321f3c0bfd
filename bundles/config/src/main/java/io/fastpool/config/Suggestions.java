package io.fastpool.config;

import java.util.Collection;
import java.util.Locale;

/** Finds the known key an unknown one was probably meant to be (a typo, a case slip). */
final class Suggestions {

    private Suggestions() {
    }

    /**
     * The key of {@code known} that {@code key} was probably meant to be, or null when none is close:
     * one with the same words in another order ({@code start.new.bundles} for {@code bundles.new.start}),
     * else the nearest by edit distance where the differing part is mostly alike (a typo, a case slip).
     */
    static String closest(String key, Collection<String> known) {
        java.util.List<String> words = words(key);
        for (String candidate : known) {
            if (words.size() > 1 && words(candidate).equals(words)) {
                return candidate;
            }
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String lower = key.toLowerCase(Locale.ROOT);
        for (String candidate : known) {
            String other = candidate.toLowerCase(Locale.ROOT);
            int distance = distance(lower, other);
            // A third of what differs after the shared beginning may be wrong (at least 2 edits).
            int differing = Math.max(lower.length(), other.length()) - commonPrefix(lower, other);
            if (distance <= Math.max(2, differing / 3) && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** The words of a key, lower case and sorted: split at dots, underscores, dashes and capitals. */
    private static java.util.List<String> words(String key) {
        java.util.List<String> words = new java.util.ArrayList<>();
        for (String part : key.split("[._\\-]|(?<=[a-z0-9])(?=[A-Z])")) {
            if (!part.isEmpty()) {
                words.add(part.toLowerCase(Locale.ROOT));
            }
        }
        java.util.Collections.sort(words);
        return words;
    }

    private static int commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    /** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
