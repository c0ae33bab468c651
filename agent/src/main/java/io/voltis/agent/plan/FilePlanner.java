package io.voltis.agent.plan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.voltis.agent.files.DesiredFile;
import io.voltis.agent.files.FileSync;
import io.voltis.agent.plan.Plan.FileChange;
import io.voltis.agent.plan.Plan.FileKind;
import io.voltis.agent.plan.Plan.FileState;

/**
 * The files section of a plan: each rendered file compared with the disk the way the files step
 * compares it (content by SHA-256, and mode), and the files the manifest says the agent placed
 * that the revision no longer declares. Only reads: attributes, contents and the manifest.
 */
final class FilePlanner {

    /** NOTE: larger files are compared by digest only: a diff of them would not help a person. */
    static final int MAX_DIFF_BYTES = 1 << 20;

    private final Path root;
    private final FileSync manifest;
    private final String writer;

    /**
     * @param manifest the files step over the daemon's manifest; only its {@link FileSync#managed()} is used
     * @param writer   the user the daemon writes files as: a file it rewrites ends up owned by it
     */
    FilePlanner(Path root, FileSync manifest, String writer) {
        this.root = root.toAbsolutePath().normalize();
        this.manifest = manifest;
        this.writer = writer;
    }

    /**
     * @param applied what the applied revision declares (null when unknown), to tell drift
     * @param label   the target revision's short SHA, for the diff headers
     */
    List<FileChange> plan(List<DesiredFile> desired, List<DesiredFile> applied, String label) throws IOException {
        Map<Path, DesiredFile> wanted = new LinkedHashMap<>();
        desired.forEach(d -> wanted.put(d.target(), d));
        Map<Path, DesiredFile> placed = new LinkedHashMap<>();
        if (applied != null) {
            applied.forEach(d -> placed.put(d.target(), d));
        }
        List<FileChange> out = new ArrayList<>();
        for (DesiredFile d : wanted.values()) {
            FileChange change = compare(d, placed.get(d.target()), label);
            if (change != null) {
                out.add(change);
            }
        }
        for (Path old : manifest.managed()) {
            if (!wanted.containsKey(old) && old.startsWith(root) && Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
                out.add(removed(old, placed.get(old), applied == null));
            }
        }
        return out;
    }

    private FileChange compare(DesiredFile d, DesiredFile placed, String label) throws IOException {
        String target = d.target().toString();
        OnDisk now = OnDisk.read(d.target());
        FileState want = new FileState(octal(d.mode()), writer, d.size(), d.digest());
        if (d.secret() || (placed != null && placed.secret())) {
            return secret(d, placed, now, want);
        }
        if (now.kind == OnDisk.Kind.MISSING) {
            Shown shown = Shown.of(target, null, shownContent(d), label);
            return new FileChange(target, FileKind.ADDED, null, want, false, shown.binary, shown.diff, shown.note);
        }
        if (now.kind == OnDisk.Kind.UNREADABLE) {
            return new FileChange(target, FileKind.UNKNOWN, now.state, want, false, false, null,
                    "cannot read it: " + now.problem + " (run plan as the agent's user)");
        }
        if (now.kind != OnDisk.Kind.FILE) {
            return new FileChange(target, FileKind.CHANGED, now.state, want, false, false, null, now.kind == OnDisk.Kind.LINK
                    ? "is a symlink: the apply refuses to write through it and fails"
                    : "is not a regular file (a folder?): the apply fails");
        }
        boolean sameContent = now.state.sha256().equals(d.digest());
        if (sameContent && now.mode == d.mode()) {
            return null;
        }
        boolean drift = placed != null && !(now.state.sha256().equals(placed.digest()) && now.mode == placed.mode());
        Shown shown = sameContent ? Shown.NONE : Shown.of(target, now.content, shownContent(d), label);
        return new FileChange(target, FileKind.CHANGED, now.state, want, drift, shown.binary, shown.diff, shown.note);
    }

    /**
     * A secret file's change: whether it is added or changed, its mode and size, never its
     * content, a diff or a digest (a digest of a short password would let anyone guess it).
     */
    private FileChange secret(DesiredFile d, DesiredFile placed, OnDisk now, FileState want) {
        String target = d.target().toString();
        FileState hidden = new FileState(want.mode(), want.owner(), want.size(), null);
        if (now.kind == OnDisk.Kind.MISSING) {
            return new FileChange(target, FileKind.ADDED, null, hidden, false, false, null, "(secret)");
        }
        if (now.kind != OnDisk.Kind.FILE) {
            return new FileChange(target, now.kind == OnDisk.Kind.UNREADABLE ? FileKind.UNKNOWN : FileKind.CHANGED,
                    hide(now.state), hidden, false, false, null, now.kind == OnDisk.Kind.UNREADABLE
                    ? "(secret) cannot read it: " + now.problem + " (run plan as the agent's user)"
                    : "(secret) is not a regular file: the apply fails");
        }
        boolean sameContent = now.state.sha256().equals(d.digest());
        if (sameContent && now.mode == d.mode()) {
            return null;
        }
        boolean drift = placed != null && !(now.state.sha256().equals(placed.digest()) && now.mode == placed.mode());
        return new FileChange(target, FileKind.CHANGED, hide(now.state), hidden, drift, false, null,
                sameContent ? "(secret, mode changed)" : "(secret, changed)");
    }

    private static FileState hide(FileState state) {
        return state == null ? null : new FileState(state.mode(), state.owner(), state.size(), null);
    }

    /** The desired content when small enough to diff, else {@link OnDisk#TOO_LARGE}: a large file is never held whole. */
    private static byte[] shownContent(DesiredFile d) throws IOException {
        byte[] bytes = d.content().bytesUpTo(MAX_DIFF_BYTES);
        return bytes == null ? OnDisk.TOO_LARGE : bytes;
    }

    /**
     * A file the agent placed that the target revision no longer declares. Its content is not
     * shown when it was a secret, or, with the applied revision unknown, when others may not
     * read it: every secret file is written so (docs/secrets.md).
     */
    private FileChange removed(Path old, DesiredFile placed, boolean appliedUnknown) {
        String target = old.toString();
        OnDisk now = OnDisk.read(old);
        if (now.kind != OnDisk.Kind.FILE) {
            return new FileChange(target, FileKind.REMOVED, now.state, null, false, false, null,
                    now.kind == OnDisk.Kind.UNREADABLE ? "cannot read it: " + now.problem : null);
        }
        if ((placed != null && placed.secret()) || (placed == null && appliedUnknown && (now.mode & 04) == 0)) {
            return new FileChange(target, FileKind.REMOVED, hide(now.state), null, false, false, null,
                    placed != null ? "(secret)" : "(not readable by others: content not shown)");
        }
        Shown shown = Shown.of(target, now.content, null, null);
        return new FileChange(target, FileKind.REMOVED, now.state, null, false, shown.binary, shown.diff, shown.note);
    }

    static String octal(int mode) {
        return String.format("%04o", mode);
    }

    /** How a content change is shown: a diff of text, or why there is none. */
    private record Shown(String diff, boolean binary, String note) {
        static final Shown NONE = new Shown(null, false, null);

        /** {@code from}/{@code to} null: no such file; {@code from} may be {@link OnDisk#TOO_LARGE}. */
        static Shown of(String target, byte[] from, byte[] to, String label) {
            if (from == OnDisk.TOO_LARGE || to == OnDisk.TOO_LARGE) {
                return new Shown(null, false, "over " + (MAX_DIFF_BYTES >> 20) + " MiB: no diff shown");
            }
            String a = from == null ? null : utf8(from);
            String b = to == null ? null : utf8(to);
            if ((from != null && a == null) || (to != null && b == null)) {
                return new Shown(null, true, null);
            }
            return new Shown(UnifiedDiff.between(target + " (device)", a, target + " (" + label + ")", b), false, null);
        }

        private static String utf8(byte[] bytes) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
    }

    /** A target as it is on disk now, read without following a link. */
    private static final class OnDisk {
        enum Kind { MISSING, FILE, LINK, OTHER, UNREADABLE }

        /** Stands for the content of a file too large to diff (its digest is still taken). */
        static final byte[] TOO_LARGE = new byte[0];

        final Kind kind;
        final FileState state;
        final int mode;
        final byte[] content;
        final String problem;

        private OnDisk(Kind kind, FileState state, int mode, byte[] content, String problem) {
            this.kind = kind;
            this.state = state;
            this.mode = mode;
            this.content = content;
            this.problem = problem;
        }

        static OnDisk read(Path path) {
            Map<String, Object> attrs;
            try {
                attrs = Files.readAttributes(path, "unix:isRegularFile,isSymbolicLink,size,mode", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return new OnDisk(Kind.MISSING, null, 0, null, null);
            } catch (IOException e) {
                return new OnDisk(Kind.UNREADABLE, null, 0, null, reason(e));
            }
            int mode = (Integer) attrs.get("mode") & 07777;
            long size = (Long) attrs.get("size");
            String owner = owner(path);
            if (Boolean.TRUE.equals(attrs.get("isSymbolicLink"))) {
                return new OnDisk(Kind.LINK, new FileState(octal(mode), owner, size, null), mode, null, null);
            }
            if (!Boolean.TRUE.equals(attrs.get("isRegularFile"))) {
                return new OnDisk(Kind.OTHER, new FileState(octal(mode), owner, size, null), mode, null, null);
            }
            try {
                byte[] content = size <= MAX_DIFF_BYTES ? Files.readAllBytes(path) : TOO_LARGE;
                String digest = content == TOO_LARGE ? digestOf(path) : hex(sha256().digest(content));
                return new OnDisk(Kind.FILE, new FileState(octal(mode), owner, content == TOO_LARGE ? size : content.length,
                        digest), mode, content, null);
            } catch (IOException e) {
                return new OnDisk(Kind.UNREADABLE, new FileState(octal(mode), owner, size, null), mode, null, reason(e));
            }
        }

        private static String owner(Path path) {
            try {
                return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
            } catch (IOException e) {
                return null;
            }
        }

        private static String digestOf(Path path) throws IOException {
            MessageDigest digest = sha256();
            try (InputStream in = new DigestInputStream(Files.newInputStream(path), digest)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return hex(digest.digest());
        }

        private static String reason(IOException e) {
            if (e instanceof java.nio.file.AccessDeniedException) {
                return "permission denied";
            }
            return e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String hex(byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
    }
}
