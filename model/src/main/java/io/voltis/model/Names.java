package io.voltis.model;

import java.util.regex.Pattern;

/** The shapes of names in the repo, and the messages when one does not fit. */
public final class Names {

    /** Service and job names: they become unit and log file names. */
    static final Pattern OBJECT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    static final Pattern WORKLOAD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
    static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    static final Pattern PACKAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9+._:-]{0,127}");
    static final Pattern HOSTNAME = Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,254}");
    static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private Names() {
    }

    /** " (did you mean 'x'?)" for a word close to one of {@code known}, else "". */
    public static String suggestion(String word, java.util.Collection<String> known) {
        return Suggest.hint(word, known);
    }

    /** Null when {@code value} fits, else why not. */
    static String check(Pattern pattern, String value, String what) {
        if (pattern.matcher(value).matches() && !value.contains("..")) {
            return null;
        }
        return "'" + value + "' is not a valid " + what;
    }
}
