package io.voltis.sync.store;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The files of the store under {@code <state>/db/}: the H2 file {@code voltis.mv.db}, the
 * database password in {@code secret}, and the loopback port of a running owner in
 * {@code server}. Directories are kept 0700 and files 0600 (where the file system is POSIX);
 * every message names the path and what to do.
 */
final class StoreFiles {

    /** NOTE: the H2 database name; H2 adds {@code .mv.db}. */
    private static final String DB_NAME = "voltis";
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path stateDir;
    private final Path dbDir;

    StoreFiles(Path stateDir) {
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.dbDir = new io.voltis.sync.StateLayout(this.stateDir).db();
        if (this.stateDir.toString().indexOf(';') >= 0) {
            throw new StoreException("state directory " + this.stateDir
                    + ": a path with ';' cannot be used for the database; choose another --state-dir");
        }
    }

    Path stateDir() {
        return stateDir;
    }

    Path dbDir() {
        return dbDir;
    }

    /** The H2 file itself; the one a person restores from backup. */
    Path databaseFile() {
        return dbDir.resolve(DB_NAME + ".mv.db");
    }

    /** The H2 database path, without H2's suffix, as used in JDBC URLs. */
    String databasePath() {
        return dbDir.resolve(DB_NAME).toString();
    }

    Path secretFile() {
        return dbDir.resolve("secret");
    }

    /** The password of a database whose creation has not finished (see {@link #commitSecret}). */
    Path pendingSecretFile() {
        return dbDir.resolve("secret.new");
    }

    Path serverFile() {
        return dbDir.resolve("server");
    }

    boolean databaseExists() {
        return Files.exists(databaseFile());
    }

    boolean secretExists() {
        return Files.exists(secretFile());
    }

    boolean pendingSecretExists() {
        return Files.exists(pendingSecretFile());
    }

    /** Owner: the state and db directories exist, are 0700 and usable by this process. */
    void prepareForOwner() {
        createPrivateDirectory(stateDir);
        createPrivateDirectory(dbDir);
    }

    /** Client: never creates anything; the directories must exist and be usable. */
    boolean hasAgentState() {
        if (!Files.exists(stateDir)) {
            return false;
        }
        if (!Files.isDirectory(stateDir)) {
            throw new StoreException(notADirectory(stateDir));
        }
        requireUsable(stateDir);
        if (!Files.isDirectory(dbDir)) {
            return false;
        }
        requireUsable(dbDir);
        return secretExists() || databaseExists();
    }

    private static void createPrivateDirectory(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StoreException(notADirectory(dir));
        }
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIR_MODE)}
                        : new FileAttribute<?>[0]);
            } catch (FileAlreadyExistsException e) {
                throw new StoreException("cannot create " + dir + ": " + e.getFile() + " is a file, not a directory"
                        + "; create it for the agent's user or choose another --state-dir", e);
            } catch (IOException e) {
                throw new StoreException("cannot create " + dir + ": " + reason(e)
                        + "; create it for the agent's user or choose another --state-dir", e);
            }
        }
        requireUsable(dir);
        try {
            restrict(dir, DIR_MODE);
        } catch (IOException e) {
            throw new StoreException("cannot make " + dir + " private (mode 0700): " + reason(e)
                    + "; run as its owner or choose another --state-dir", e);
        }
    }

    private static void requireUsable(Path dir) {
        if (!Files.isReadable(dir) || !Files.isWritable(dir) || !Files.isExecutable(dir)) {
            throw new StoreException(dir + " is not readable and writable by this process" + ownerAndMode(dir)
                    + ": run as the agent's user, give that user the directory (mode 0700), or choose another --state-dir");
        }
    }

    private static String notADirectory(Path path) {
        return path + " is not a directory: point --state-dir at a directory";
    }

    private static String ownerAndMode(Path dir) {
        if (!POSIX) {
            return "";
        }
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class);
            return " (owner " + a.owner().getName() + ", mode " + PosixFilePermissions.toString(a.permissions()) + ")";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Renames the damaged database and its secret to {@code <name>.corrupt-<UTC time>} in the same
     * directory (so the file can still be opened to inspect it), and drops the server file, so
     * the next owner open creates a new database. Returns the new path of the damaged file.
     */
    Path setAsideDamaged(java.time.Instant now) {
        String suffix = ".corrupt-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(now);
        Path aside = dbDir.resolve(databaseFile().getFileName() + suffix);
        try {
            Files.move(databaseFile(), aside, StandardCopyOption.ATOMIC_MOVE);
            for (Path file : new Path[] {secretFile(), pendingSecretFile()}) {
                if (Files.exists(file)) {
                    Files.move(file, dbDir.resolve(file.getFileName() + suffix), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.deleteIfExists(serverFile());
            return aside;
        } catch (IOException e) {
            throw new StoreException("cannot set the damaged " + databaseFile() + " aside: " + reason(e)
                    + "; " + restoreAdvice("it"), e);
        }
    }

    /** Makes H2's own files 0600 once H2 has created them. */
    void restrictDatabaseFiles() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dbDir, DB_NAME + ".*")) {
            for (Path file : files) {
                if (Files.isRegularFile(file)) {
                    restrict(file, FILE_MODE);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot restrict the permissions of the files in " + dbDir + ": " + reason(e), e);
        }
    }

    String readSecret() {
        return readSecret(secretFile());
    }

    String readPendingSecret() {
        return readSecret(pendingSecretFile());
    }

    private String readSecret(Path file) {
        try {
            String secret = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (secret.isEmpty()) {
                throw new StoreException(file + " is empty, so " + databaseFile() + " cannot be opened: "
                        + restoreAdvice("the secret"));
            }
            return secret;
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + reason(e), e);
        }
    }

    /** A new random password, written to {@link #pendingSecretFile} before the database is created. */
    String createPendingSecret(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        writePrivate(pendingSecretFile(), secret + "\n");
        return secret;
    }

    /** The database exists with its schema: from now on its password is the secret. */
    void commitSecret() {
        try {
            Files.move(pendingSecretFile(), secretFile(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StoreException("cannot rename " + pendingSecretFile() + " to " + secretFile() + ": " + reason(e), e);
        }
    }

    void writeServerPort(int port) {
        writePrivate(serverFile(), port + "\n");
    }

    /** The port a running owner published, if the file is there and holds one. */
    OptionalInt readServerPort() {
        try {
            String text = Files.readString(serverFile(), StandardCharsets.US_ASCII).trim();
            int port = Integer.parseInt(text);
            return port > 0 && port < 65536 ? OptionalInt.of(port) : OptionalInt.empty();
        } catch (NoSuchFileException | NumberFormatException e) {
            return OptionalInt.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read " + serverFile() + ": " + reason(e), e);
        }
    }

    /** Deletes the port file; returns the problem, if any, for the caller to log. */
    Optional<String> deleteServerFile() {
        try {
            Files.deleteIfExists(serverFile());
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot delete " + serverFile() + ": " + reason(e));
        }
    }

    /** Writes beside the target with mode 0600 from the start, then moves it over the target atomically. */
    private static void writePrivate(Path target, String content) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            FileAttribute<?>[] attrs = POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                    : new FileAttribute<?>[0];
            try (SeekableByteChannel out = Files.newByteChannel(tmp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC), attrs)) {
                out.write(StandardCharsets.US_ASCII.encode(content));
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StoreException("cannot write " + target + ": " + reason(e), e);
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> mode) throws IOException {
        if (POSIX && !Files.getPosixFilePermissions(path).equals(mode)) {
            Files.setPosixFilePermissions(path, mode);
        }
    }

    /** What a person can do when the database or its secret is gone or damaged. */
    String restoreAdvice(String what) {
        return "restore " + what + " from a backup of " + dbDir + ", or remove " + dbDir
                + " to start with an empty history";
    }

    static String reason(IOException e) {
        String message = e.getMessage();
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        return message == null ? e.getClass().getSimpleName() : message.replace('\n', ' ');
    }

    @Override
    public String toString() {
        return databaseFile().toString();
    }
}
