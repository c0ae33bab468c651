package io.voltis.agent.secrets;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;


import io.voltis.sync.git.PrivateModes;

/**
 * This device's age identity: a file in age-keygen's format (comments, then one or more
 * {@code AGE-SECRET-KEY-1...} lines), 0600, so {@code age -d -i} reads it too and a factory may
 * provision one made by {@code age-keygen}. Several keys in one file are all tried, which is
 * how a key is rotated (docs/secrets.md). Only public recipients leave this class; its
 * {@link #toString} names the file and recipients, never a key.
 */
public final class DeviceIdentity {

    /** The file name in the state directory when no {@code identity-file} is set. */
    public static final String FILE_NAME = "identity.txt";
    private static final String KEY_PREFIX = "AGE-SECRET-KEY-1";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final List<String> recipients;
    private final List<String> keys;

    private DeviceIdentity(Path file, List<String> recipients, List<String> keys) {
        this.file = file;
        this.recipients = List.copyOf(recipients);
        this.keys = List.copyOf(keys);
    }

    public Path file() {
        return file;
    }

    /** The public recipients ({@code age1...}), one per key, in file order. */
    public List<String> recipients() {
        return recipients;
    }

    /** The keys, for {@link SecretBox} only. */
    List<String> keys() {
        return keys;
    }

    /** Whether {@code file} exists (without following a last symlink, as {@link #load} refuses them). */
    public static boolean exists(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The identity in {@code file}, created first (0600, its folder 0700) when there is none.
     * Returns whether it was created; an existing identity is never replaced.
     */
    public static Created create(Path file) throws IdentityException {
        if (!exists(file)) {
            try {
                PrivateModes.createDirectories(file.toAbsolutePath().getParent());
                String[] pair = AgeKeys.generate();
                String text = "# created: " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n"
                        + "# public key: " + pair[1] + "\n" + pair[0] + "\n";
                Path temp = file.resolveSibling(file.getFileName() + ".new");
                Files.deleteIfExists(temp);
                try (FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
                    out.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
                    out.force(true);
                }
                try {
                    // a link, not a rename: an identity that appeared meanwhile is never replaced
                    Files.createLink(file, temp);
                } catch (FileAlreadyExistsException raced) {
                    // another process created it first: use that one
                } finally {
                    Files.deleteIfExists(temp);
                }
                return new Created(load(file), true);
            } catch (IOException | GeneralSecurityException | UnsupportedOperationException e) {
                throw new IdentityException("cannot create the identity " + file + ": " + e.getMessage(), e);
            }
        }
        return new Created(load(file), false);
    }

    /** An identity and whether {@link #create} made it. */
    public record Created(DeviceIdentity identity, boolean created) {
    }

    /**
     * The identity in {@code file}. Refuses one that is missing, not a regular file, readable or
     * writable by group or others, or holding no key, each with the fix.
     */
    public static DeviceIdentity load(Path file) throws IdentityException {
        List<String> keys = check(file);
        List<String> recipients = new ArrayList<>();
        try {
            for (String key : keys) {
                recipients.add(AgeKeys.recipient(key));
            }
        } catch (GeneralSecurityException e) {
            // the library's message is not shown: no part of a key goes into a message
            throw new IdentityException("identity " + file + " holds a key that is not a valid age X25519 identity");
        }
        return new DeviceIdentity(file, recipients, keys);
    }

    /**
     * The key lines of {@code file} after the checks that need no cryptography — it exists, is a
     * regular file only its owner may read or write, and holds a key line — so the start-up
     * check loads no crypto library on a device that uses no secrets.
     */
    static List<String> check(Path file) throws IdentityException {
        Set<PosixFilePermission> perms;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                if (!exists(file)) {
                    throw new NoSuchFileException(file.toString());
                }
                throw new IdentityException("identity " + file + " is not a regular file");
            }
            perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new IdentityException("identity " + file + " does not exist; create it with: voltis-agent identity");
        } catch (IOException e) {
            throw new IdentityException("cannot read the identity " + file + ": " + e.getMessage(), e);
        }
        if (!OWNER_ONLY.containsAll(perms)) {
            throw new IdentityException("identity " + file + " is open to others ("
                    + PosixFilePermissions.toString(perms) + "); make it private: chmod 600 " + file);
        }
        List<String> keys = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String l = line.strip();
                if (l.startsWith(KEY_PREFIX)) {
                    keys.add(l);
                }
            }
        } catch (IOException e) {
            throw new IdentityException("cannot read the identity " + file + ": " + e.getClass().getSimpleName(), e);
        }
        if (keys.isEmpty()) {
            throw new IdentityException("identity " + file + " holds no age key (a line " + KEY_PREFIX
                    + "...); create one with: voltis-agent identity --identity-file " + file);
        }
        return keys;
    }

    @Override
    public String toString() {
        return "DeviceIdentity[" + file + ", " + recipients + "]";
    }
}
