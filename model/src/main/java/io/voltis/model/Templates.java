package io.voltis.model;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.apache.commons.text.StringSubstitutor;
import org.apache.commons.text.lookup.StringLookup;

/**
 * {@code ${var}} substitution in templated files, commands and environment values, by Apache
 * Commons Text. {@code $${x}} is a literal {@code ${x}}. There are no defaults or nesting:
 * {@code ${a:-b}} names the variable {@code a:-b}, and values are inserted as they are, never
 * substituted again. An undefined variable is an error, never an empty string.
 */
public final class Templates {

    /** NOTE: variables every workload may use besides the device's vars; DESIGN.md names them. */
    /**
     * The largest templated file, in bytes: a template is text filled in memory, so unlike a
     * plain file (streamed, any size up to {@code max-file-size}) it has a fixed cap; a larger
     * one is a validation error.
     */
    public static final int MAX_BYTES = 1 << 20;

    public static final Set<String> BUILTINS = Set.of("VOLTIS_ROOT", "VOLTIS_REVISION", "VOLTIS_WORKLOAD", "VOLTIS_HOSTNAME");

    private Templates() {
    }

    /** Thrown by {@link #render} for a reference with no value. */
    public static final class UndefinedVariableException extends IllegalArgumentException {
        private final String variable;

        UndefinedVariableException(String variable) {
            super("${" + variable + "} is not defined");
            this.variable = variable;
        }

        public String variable() {
            return variable;
        }
    }

    /** {@code text} with every reference replaced by its value in {@code values}. */
    public static String render(String text, Map<String, String> values) {
        return substitutor(name -> {
            String value = values.get(name);
            if (value == null) {
                throw new UndefinedVariableException(name);
            }
            return value;
        }).replace(text);
    }

    /** The names {@code text} refers to, in order of first use. */
    public static Set<String> references(String text) {
        Set<String> names = new LinkedHashSet<>();
        if (text.indexOf("${") < 0) {
            return names;
        }
        substitutor(name -> {
            names.add(name);
            return "";
        }).replace(text);
        return names;
    }

    /** Line and column (1-based) of the first {@code ${name}} in {@code text}, or 1:1. */
    static Location locate(String text, String name) {
        int at = text.indexOf("${" + name + "}");
        if (at < 0) {
            return new Location(1, 1);
        }
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new Location(line, at - lineStart + 1);
    }

    private static StringSubstitutor substitutor(StringLookup lookup) {
        StringSubstitutor substitutor = new StringSubstitutor(lookup);
        substitutor.setValueDelimiterMatcher(null);
        substitutor.setDisableSubstitutionInValues(true);
        substitutor.setEnableSubstitutionInVariables(false);
        return substitutor;
    }
}
