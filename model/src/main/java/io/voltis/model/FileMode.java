package io.voltis.model;

/**
 * Unix permission bits of a file the agent writes. Always octal as written, whether the
 * YAML scalar is quoted or not: {@code 0640}, {@code "0640"}, {@code 640} and {@code 0o640}
 * all mean rw-r-----. (YAML 1.2 would read an unquoted {@code 0640} as decimal 640; the
 * model reads the text as written instead, see docs/decisions/0001-yaml-1.2.md.)
 */
public record FileMode(int bits) {

    public static final FileMode DEFAULT = new FileMode(0644);

    public FileMode {
        if (bits < 0 || bits > 07777) {
            throw new IllegalArgumentException("mode out of range: " + Integer.toOctalString(bits));
        }
    }

    /** Parses the text of a mode; the message of the exception is fit for a user. */
    public static FileMode parse(String text) {
        String digits = text.startsWith("0o") ? text.substring(2) : text;
        if (!digits.matches("[0-7]{3,4}")) {
            throw new IllegalArgumentException("'" + text + "' is not an octal mode such as \"0644\"");
        }
        return new FileMode(Integer.parseInt(digits, 8));
    }

    @Override
    public String toString() {
        return String.format("%04o", bits);
    }
}
