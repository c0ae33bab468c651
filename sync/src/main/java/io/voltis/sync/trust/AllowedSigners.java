package io.voltis.sync.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenSSH allowed_signers file (ssh-keygen(1), "ALLOWED SIGNERS") read for what JGit's
 * verifier does not say: each entry's key fingerprint and validity window, so that a signature
 * by an allowed key outside its window is reported as {@link TrustReason#EXPIRED_KEY} (JGit
 * reports it only as failed). JGit still does the verifying; this reading also refuses a
 * malformed file at start, with one line naming the file and line.
 */
public final class AllowedSigners {

    /** NOTE: the key types ssh-keygen signs with (and their security-key variants). */
    private static final Set<String> KEY_TYPES = Set.of("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
            "sk-ecdsa-sha2-nistp256@openssh.com");
    private static final Pattern OPTION = Pattern.compile("([A-Za-z-]+)(?:=\"([^\"]*)\")?");

    /** One entry: who, which key (its SHA256 fingerprint as ssh-keygen prints it), and when it is valid. */
    public record Entry(int line, List<String> principals, String keyType, String key, String fingerprint,
                        Instant validAfter, Instant validBefore, boolean certAuthority, List<String> namespaces) {

        /** Whether a signature made at {@code when} falls inside the entry's window. */
        public boolean validAt(Instant when) {
            return (validAfter == null || !when.isBefore(validAfter)) && (validBefore == null || when.isBefore(validBefore));
        }
    }

    private final Path file;
    private final List<Entry> entries;

    private AllowedSigners(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    public Path file() {
        return file;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The entries for the key with {@code fingerprint} ("SHA256:…"). */
    public List<Entry> forKey(String fingerprint) {
        return entries.stream().filter(e -> e.fingerprint().equals(fingerprint)).toList();
    }

    /** @throws TrustConfigException with {@code file:line: what} for the first bad line, or when unreadable */
    public static AllowedSigners read(Path file) throws TrustConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TrustConfigException(file + ": cannot be read: " + e.getMessage());
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            entries.add(entry(file, i + 1, text));
        }
        if (entries.isEmpty()) {
            throw new TrustConfigException(file + ": no signer: every commit would be refused (add a line"
                    + " `principal namespaces=\"git\" ssh-ed25519 AAAA…`)");
        }
        return new AllowedSigners(file, entries);
    }

    private static Entry entry(Path file, int line, String text) throws TrustConfigException {
        String where = file + ":" + line + ": ";
        String[] fields = text.split("\\s+(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
        if (fields.length < 3) {
            throw new TrustConfigException(where + "expected `principals [options] keytype base64-key`");
        }
        int at = 1;
        String options = "";
        if (!KEY_TYPES.contains(fields[1])) {
            options = fields[1];
            at = 2;
        }
        if (fields.length < at + 2) {
            throw new TrustConfigException(where + "expected a key type and a base64 key after the options");
        }
        String type = fields[at];
        if (!KEY_TYPES.contains(type)) {
            throw new TrustConfigException(where + "'" + type + "' is not an SSH key type (" + String.join(", ",
                    new java.util.TreeSet<>(KEY_TYPES)) + ")");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(fields[at + 1]);
        } catch (IllegalArgumentException e) {
            throw new TrustConfigException(where + "the key is not base64: " + e.getMessage());
        }
        Instant after = null;
        Instant before = null;
        boolean ca = false;
        List<String> namespaces = List.of();
        Matcher m = OPTION.matcher("");
        for (String option : options.isEmpty() ? new String[0] : options.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
            if (!m.reset(option).matches()) {
                throw new TrustConfigException(where + "'" + option + "' is not an option (name or name=\"value\")");
            }
            switch (m.group(1).toLowerCase(java.util.Locale.ROOT)) {
                case "cert-authority" -> ca = true;
                case "namespaces" -> namespaces = List.of(value(where, m).split(","));
                case "valid-after" -> after = time(where, "valid-after", value(where, m));
                case "valid-before" -> before = time(where, "valid-before", value(where, m));
                default -> throw new TrustConfigException(where + "unknown option '" + m.group(1)
                        + "' (cert-authority, namespaces, valid-after, valid-before)");
            }
        }
        if (!namespaces.isEmpty() && !namespaces.contains("git")) {
            throw new TrustConfigException(where + "namespaces=\"" + String.join(",", namespaces)
                    + "\" does not include git: this key could never sign a commit");
        }
        return new Entry(line, List.of(fields[0].replace("\"", "").split(",")), type, fields[at + 1], fingerprint(blob),
                after, before, ca, namespaces);
    }

    /**
     * The entries as JGit's allowed_signers reader can read them: JGit 7.5 rejects the whole file
     * at an option with a quoted value followed by another ({@code namespaces="git",valid-after="…"},
     * OpenSSH's own form). So JGit gets the principals, {@code cert-authority} and
     * {@code namespaces} (last); the validity windows are checked here ({@link Entry#validAt}).
     */
    String forJGit() {
        StringBuilder b = new StringBuilder("# written by voltis-agent from ").append(file).append('\n');
        for (Entry e : entries) {
            b.append(String.join(",", e.principals()));
            List<String> options = new ArrayList<>();
            if (e.certAuthority()) {
                options.add("cert-authority");
            }
            if (!e.namespaces().isEmpty()) {
                options.add("namespaces=\"" + String.join(",", e.namespaces()) + "\"");
            }
            if (!options.isEmpty()) {
                b.append(' ').append(String.join(",", options));
            }
            b.append(' ').append(e.keyType()).append(' ').append(e.key()).append('\n');
        }
        return b.toString();
    }

    private static String value(String where, Matcher m) throws TrustConfigException {
        if (m.group(2) == null) {
            throw new TrustConfigException(where + m.group(1) + " needs a value: " + m.group(1) + "=\"…\"");
        }
        return m.group(2);
    }

    /** ssh-keygen's times: YYYYMMDD or YYYYMMDDHHMM[SS], local unless ending in Z; read as UTC here. */
    private static Instant time(String where, String name, String value) throws TrustConfigException {
        String v = value.endsWith("Z") || value.endsWith("z") ? value.substring(0, value.length() - 1) : value;
        try {
            return switch (v.length()) {
                case 8 -> LocalDate.parse(v, DateTimeFormatter.BASIC_ISO_DATE).atStartOfDay().toInstant(ZoneOffset.UTC);
                case 12 -> LocalDateTime.parse(v, DateTimeFormatter.ofPattern("yyyyMMddHHmm")).toInstant(ZoneOffset.UTC);
                case 14 -> LocalDateTime.parse(v, DateTimeFormatter.ofPattern("yyyyMMddHHmmss")).toInstant(ZoneOffset.UTC);
                default -> throw new IllegalArgumentException("length");
            };
        } catch (RuntimeException e) {
            throw new TrustConfigException(where + name + "=\"" + value + "\" is not a time (YYYYMMDD[HHMM[SS]][Z])");
        }
    }

    /** The key's fingerprint as {@code ssh-keygen -l} prints it: SHA256:base64 without padding. */
    static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fingerprints of the public keys in a revocation list of key lines (KRLs are JGit's to read). */
    static Set<String> keyLines(Path file) throws TrustConfigException {
        java.util.Set<String> out = new java.util.HashSet<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            return Set.of(); // a binary KRL: JGit reads it
        } catch (IOException e) {
            throw new TrustConfigException(file + ": cannot be read: " + e.getMessage());
        }
        for (String l : lines) {
            String[] f = l.strip().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if (KEY_TYPES.contains(f[i])) {
                    try {
                        out.add(fingerprint(Base64.getDecoder().decode(f[i + 1])));
                    } catch (IllegalArgumentException e) {
                        // not a key line
                    }
                    break;
                }
            }
        }
        return out;
    }
}
