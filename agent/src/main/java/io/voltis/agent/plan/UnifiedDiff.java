package io.voltis.agent.plan;

import java.util.ArrayList;
import java.util.List;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;

/**
 * A unified diff of two texts by java-diff-utils, three lines of context, with Git's
 * {@code \ No newline at end of file} after a last line that has no newline, so a change of
 * only the final newline shows too. Carriage returns stay part of their line.
 */
final class UnifiedDiff {

    static final String NO_NEWLINE = "\\ No newline at end of file";
    private static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    /**
     * The diff from {@code from} to {@code to} (null: the file does not exist, shown as
     * {@code /dev/null}), ending with a newline; null when the texts are equal.
     */
    static String between(String fromLabel, String from, String toLabel, String to) {
        List<String> a = lines(from);
        List<String> b = lines(to);
        Patch<String> patch = DiffUtils.diff(a, b);
        if (patch.getDeltas().isEmpty()) {
            return null;
        }
        List<String> out = UnifiedDiffUtils.generateUnifiedDiff(from == null ? "/dev/null" : fromLabel,
                to == null ? "/dev/null" : toLabel, a, patch, CONTEXT);
        return String.join("\n", out) + "\n";
    }

    /** Lines without their '\n'; a last line without one carries the marker, so it differs from one with it. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        int start = 0;
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
            out.add(text.substring(start, i));
            start = i + 1;
        }
        if (start < text.length()) {
            out.add(text.substring(start) + "\n" + NO_NEWLINE);
        }
        return out;
    }
}
