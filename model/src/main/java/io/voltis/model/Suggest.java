package io.voltis.model;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

import org.apache.commons.text.similarity.LevenshteinDistance;

/** "Did you mean" hints: the closest known word within a small edit distance. */
final class Suggest {

    private static final LevenshteinDistance DISTANCE = new LevenshteinDistance(3);

    private Suggest() {
    }

    static Optional<String> closest(String word, Collection<String> known) {
        String lower = word.toLowerCase(java.util.Locale.ROOT);
        return known.stream()
                .filter(k -> distance(lower, k) >= 0)
                .min(Comparator.comparingInt((String k) -> distance(lower, k)).thenComparing(k -> k));
    }

    /** " (did you mean 'x'?)" or "" when nothing is close. */
    static String hint(String word, Collection<String> known) {
        return closest(word, known).map(k -> " (did you mean '" + k + "'?)").orElse("");
    }

    private static int distance(String word, String known) {
        int limit = Math.max(1, Math.min(3, known.length() / 3));
        int d = DISTANCE.apply(word, known.toLowerCase(java.util.Locale.ROOT));
        return d >= 0 && d <= limit ? d : -1;
    }
}
