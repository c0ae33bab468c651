package io.voltis.agent.runtime.systemd;

/**
 * Writes values the way systemd.syntax(7), systemd.service(5) and systemd.exec(5) read them
 * back, so every string reaches the process exactly as declared.
 * <ul>
 *   <li>{@code ExecStart=} words are double-quoted with C escapes for {@code \} and {@code "}
 *       and control characters; {@code %} becomes {@code %%} (specifiers) and {@code $} becomes
 *       {@code $$} (variable expansion). Quoting every word also keeps a lone {@code ;} literal.</li>
 *   <li>{@code Environment=} assignments are quoted and escaped the same way, except that
 *       {@code $} stays as is: systemd does not expand variables there.</li>
 *   <li>Values systemd takes verbatim to the end of the line ({@code Description=},
 *       {@code WorkingDirectory=}) only get {@code %%}; what cannot be written there (a control
 *       character, a trailing backslash or space) is refused.</li>
 * </ul>
 */
final class SystemdSyntax {

    private SystemdSyntax() {
    }

    static String execWord(String value) {
        return quoted(value, true);
    }

    static String environmentAssignment(String name, String value) {
        return quoted(name + "=" + value, false);
    }

    static String verbatim(String value, String what) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(
                        what + " '" + printable(value) + "' has a control character, which a unit file cannot hold");
            }
        }
        if (value.endsWith("\\") || value.endsWith(" ") || value.startsWith(" ")) {
            throw new IllegalArgumentException(what + " '" + value
                    + "' starts or ends with a space or ends with a backslash, which a unit file cannot hold");
        }
        return value.replace("%", "%%");
    }

    private static String quoted(String value, boolean escapeDollar) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '%' -> out.append("%%");
                case '$' -> out.append(escapeDollar ? "$$" : "$");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\0' -> throw new IllegalArgumentException(
                        "'" + printable(value) + "' has a NUL character, which no process argument can hold");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().forEach(cp -> out.append(Character.isISOControl(cp) ? "?" : Character.toString(cp)));
        return out.toString();
    }
}
