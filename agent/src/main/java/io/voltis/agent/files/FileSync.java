package io.voltis.agent.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps the declared files on disk. A file is rewritten only when its content (by SHA-256) or
 * mode differs; a quiet check costs one {@code stat} per file, because a file whose size and
 * change time (ctime, which an edit or chmod always moves, to the nanosecond) and inode have not
 * moved since the agent wrote or checked it is not read again.
 * Writes are atomic (a temporary file in the same folder, flushed, renamed). The targets the
 * agent manages are listed in a manifest under the state directory, written only when the list
 * changes, so files a previous revision placed can be removed when this one drops them.
 * A target is never written through a symlink, nor in a folder that resolves outside the root.
 */
public final class FileSync {

    /** What one sync changed. */
    public record Changes(List<Path> written, List<Path> removed) {
        public boolean none() {
            return written.isEmpty() && removed.isEmpty();
        }
    }

    /** What a file looked like when its content was last confirmed: size, inode and change time (ns). */
    private record Seen(long size, Object inode, Object changed, String digest, int mode) {
    }

    private final Path root;
    private final Path manifest;
    private final Map<Path, Seen> seen = new HashMap<>();
    /** The manifest as last read or written; only this class writes it. */
    private Set<Path> manifestCache;
    private Path realRoot;

    public FileSync(Path root, Path manifest) {
        this.root = root.toAbsolutePath().normalize();
        this.manifest = manifest;
    }

    /** The targets the agent placed, as recorded in the manifest. */
    public Set<Path> managed() throws IOException {
        if (manifestCache != null) {
            return manifestCache;
        }
        Set<Path> out = new TreeSet<>();
        if (Files.exists(manifest)) {
            for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(Path.of(line));
                }
            }
        }
        manifestCache = java.util.Collections.unmodifiableSet(out);
        return manifestCache;
    }

    /** Makes the disk match {@code desired}; removes managed files no longer desired. Stops at the first failure. */
    public Changes apply(List<DesiredFile> desired) throws FileStepException {
        List<Path> written = new ArrayList<>();
        List<Path> removed = new ArrayList<>();
        Map<Path, DesiredFile> byTarget = new LinkedHashMap<>();
        desired.forEach(d -> byTarget.put(d.target(), d));
        try {
            for (DesiredFile d : byTarget.values()) {
                if (!matches(d)) {
                    write(d);
                    written.add(d.target());
                }
            }
            Set<Path> before = managed();
            if (before.size() == byTarget.size() && before.containsAll(byTarget.keySet())) {
                return new Changes(List.copyOf(written), List.copyOf(removed));
            }
            for (Path old : before) {
                if (!byTarget.containsKey(old) && old.startsWith(root) && Files.deleteIfExists(old)) {
                    seen.remove(old);
                    removed.add(old);
                }
            }
            if (!before.equals(new TreeSet<>(byTarget.keySet()))) {
                writeManifest(byTarget.keySet());
            }
        } catch (IOException e) {
            throw new FileStepException(describe(e), e);
        }
        return new Changes(List.copyOf(written), List.copyOf(removed));
    }

    /** Whether the file on disk is {@code d}: cheap when nothing moved since the last look. */
    private boolean matches(DesiredFile d) throws IOException {
        Map<String, Object> attrs;
        try {
            attrs = Files.readAttributes(d.target(), "unix:isRegularFile,size,ino,ctime,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        if (!Boolean.TRUE.equals(attrs.get("isRegularFile"))) {
            return false;
        }
        String want = d.digest();
        long size = (Long) attrs.get("size");
        int mode = (Integer) attrs.get("mode") & 07777;
        Seen now = new Seen(size, attrs.get("ino"), attrs.get("ctime"), want, mode);
        if (now.equals(seen.get(d.target())) && mode == d.mode()) {
            return true;
        }
        boolean same = size == d.size() && mode == d.mode() && digest(d.target()).equals(want);
        if (same) {
            seen.put(d.target(), now);
        }
        return same;
    }

    private void write(DesiredFile d) throws FileStepException, IOException {
        Path target = d.target();
        if (!target.startsWith(root) || target.equals(root)) {
            throw new FileStepException(target + ": outside the root " + root);
        }
        Path parent = target.getParent();
        createInsideRoot(parent);
        if (Files.isSymbolicLink(target)) {
            throw new FileStepException(target + ": is a symlink; the agent does not write through links");
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileStepException(target + ": is a folder");
        }
        removeLeftovers(parent, "." + target.getFileName() + ".voltis-");
        Path temp;
        try {
            temp = Files.createTempFile(parent, "." + target.getFileName() + ".voltis-", ".tmp");
        } catch (AccessDeniedException e) {
            throw new FileStepException(target + ": cannot write in " + parent + " (permission denied)", e);
        }
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = Channels.newOutputStream(channel);
                 java.io.InputStream in = d.content().open()) {
                in.transferTo(out);
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, permissions(d.mode()));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        seen.remove(target);
    }

    /**
     * Deletes the temporary files of an earlier write of the same target that an agent killed
     * between writing and renaming left behind (0600, but for a secret still a plaintext copy).
     */
    private static void removeLeftovers(Path parent, String prefix) throws IOException {
        try (java.nio.file.DirectoryStream<Path> stale = Files.newDirectoryStream(parent,
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".tmp"))) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
            // nothing to clean, or not ours to clean: the write itself reports what matters
        }
    }

    /** Creates {@code dir}'s missing folders, refusing when an existing one resolves outside the root. */
    private void createInsideRoot(Path dir) throws FileStepException, IOException {
        if (realRoot == null) {
            Files.createDirectories(root);
            realRoot = root.toRealPath();
        }
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !existing.toRealPath().startsWith(realRoot)) {
            throw new FileStepException(dir + ": resolves outside the root " + root + " (a symlink on the device?)");
        }
        try {
            Files.createDirectories(dir);
        } catch (AccessDeniedException e) {
            throw new FileStepException(dir + ": cannot create (permission denied)", e);
        }
    }

    private void writeManifest(Set<Path> targets) throws IOException {
        Files.createDirectories(manifest.getParent());
        Path temp = manifest.resolveSibling(manifest.getFileName() + ".tmp");
        StringBuilder text = new StringBuilder();
        new TreeSet<>(targets).forEach(t -> text.append(t).append('\n'));
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        Files.move(temp, manifest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        manifestCache = java.util.Collections.unmodifiableSet(new TreeSet<>(targets));
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = java.util.EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission perm : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - perm.ordinal()))) != 0) {
                perms.add(perm);
            }
        }
        return perms;
    }

    /** An I/O failure as one line: the path and what happened to it. */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": no such file or folder";
        }
        if (e instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static String digest(byte[] content) {
        return HexFormat.of().formatHex(sha256().digest(content));
    }

    /** The SHA-256 of a file on disk, read as a stream. */
    static String digest(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (java.io.InputStream in = new java.security.DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
