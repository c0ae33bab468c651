package io.voltis.model;

import java.util.Comparator;

/**
 * One thing wrong with the repository, as a person must read it: where (file, 1-based line
 * and column, 0 when unknown), which field, and what is wrong.
 *
 * <p>NOTE: {@link #toString()} is the one-line form {@code path:line:column: field: message}
 * that the CLI prints and that tests and the status API rely on.
 */
public record Problem(String file, int line, int column, String field, String message)
        implements Comparable<Problem> {

    private static final Comparator<Problem> ORDER = Comparator.comparing(Problem::file)
            .thenComparingInt(Problem::line)
            .thenComparingInt(Problem::column)
            .thenComparing(Problem::field)
            .thenComparing(Problem::message);

    public Problem {
        field = field == null ? "" : field;
    }

    static Problem at(String file, Location location, String field, String message) {
        return location == null
                ? new Problem(file, 0, 0, field, message)
                : new Problem(file, location.line(), location.column(), field, message);
    }

    @Override
    public int compareTo(Problem other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(file);
        if (line > 0) {
            out.append(':').append(line).append(':').append(column);
        }
        out.append(": ");
        if (!field.isEmpty()) {
            out.append(field).append(": ");
        }
        return out.append(message).toString();
    }
}
