package io.voltis.sync.git;

import java.util.Locale;

/** Turns JGit's exceptions into a {@link SourceException} with a reason, on one redacted line. */
final class Failures {

    /** NOTE: the text of ENOSPC on Linux, as the JDK and JGit report it (lower case). */
    static final String NO_SPACE = "no space left on device";

    private Failures() {
    }

    static SourceException translate(Throwable e, String what) {
        if (e instanceof SourceException s) {
            return s;
        }
        String all = chain(e);
        String lower = all.toLowerCase(Locale.ROOT);
        Reason reason;
        if (lower.contains(NO_SPACE)) {
            // NOTE: JGit writes the fetched pack into the mirror; a full state disk is not the server's fault
            reason = Reason.DISK_FULL;
        } else if (lower.contains("server key did not validate") || lower.contains("host key")) {
            reason = Reason.HOST_KEY_REJECTED;
        } else if (lower.contains("not authorized") || lower.contains("authentication is required")
                || lower.contains("auth fail") || lower.contains("cannot log in") || lower.contains("no keys to try")
                || lower.contains("401 unauthorized") || lower.contains("403 forbidden")) {
            reason = Reason.AUTHENTICATION_FAILED;
        } else if (lower.contains("want ") && lower.contains("not valid")) {
            reason = Reason.REVISION_NOT_FOUND;
        } else {
            reason = Reason.GIT_UNREACHABLE;
        }
        if (reason == Reason.AUTHENTICATION_FAILED && !lower.contains("ssh")) {
            all = all + " (the server refused the credentials: check the user name and the password or token in"
                    + " git-password-file or VOLTIS_GIT_TOKEN; a rotated token needs the file updated and the agent restarted)";
        }
        return new SourceException(reason, what + ": " + all, e);
    }

    /** The distinct messages of an exception and its causes, joined. */
    private static String chain(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (out.indexOf(m) < 0) {
                if (out.length() > 0) {
                    out.append(": ");
                }
                out.append(m);
            }
            if (out.length() > 400) {
                break;
            }
        }
        return Redact.text(out.toString());
    }
}
