package io.voltis.agent.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.Set;

/**
 * The API's bearer token, read once from {@code --api-token-file}: its first line, at least 16
 * characters. A file others can read is refused, as for the Git password file. Compared in
 * constant time; never logged or echoed.
 */
public final class TokenFile {

    private static final int MIN_LENGTH = 16;

    private final byte[] token;

    private TokenFile(byte[] token) {
        this.token = token;
    }

    /** @throws IllegalArgumentException with one line naming the file and what is wrong */
    public static TokenFile read(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                throw new IllegalArgumentException("api token file " + file
                        + " is readable by everyone: chmod 600 (or 640 for a group) it");
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String first = text.lines().findFirst().orElse("").strip();
            if (first.length() < MIN_LENGTH) {
                throw new IllegalArgumentException("api token file " + file + " must hold a token of at least "
                        + MIN_LENGTH + " characters on its first line");
            }
            return new TokenFile(first.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read api token file " + file + ": "
                    + e.getClass().getSimpleName().replace("Exception", "").replace("NoSuchFile", "no such file"));
        }
    }

    /** Whether an {@code Authorization} header value carries this token. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    @Override
    public String toString() {
        return "TokenFile[****]";
    }
}
