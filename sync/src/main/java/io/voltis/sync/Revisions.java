package io.voltis.sync;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;

/**
 * Turns what people write for a revision — a full SHA, a unique short SHA (4 to 39 hex digits),
 * or a tag — into a full SHA. One algorithm ({@link #resolve(String, Reach)}) for the three
 * places that resolve: the daemon ({@link #fetching}: fetches a missing commit, asks the server
 * for a tag), {@code plan} ({@link #local}: the mirror and the store only, never the network)
 * and the CLI's {@code pin}/{@code rollback} ({@link #seen}: what this device has seen, offline;
 * a tag is looked up on the server). Which revision is desired is {@link DesiredRevision}'s rule.
 */
public final class Revisions {

    private final RevisionStore store;

    public Revisions(RevisionStore store) {
        this.store = store;
    }

    /** What a lookup may reach: the parts of {@link #resolve(String, Reach)} that differ by caller. */
    public interface Reach {
        /** The full SHA a name stands for before any other reading (plan: the followed branch's name). */
        default Optional<String> named(String name) {
            return Optional.empty();
        }

        /** {@code sha} (full, lower case) if it may be used; else a {@link RevisionNotFoundException} saying why. */
        String commit(String sha) throws RevisionNotFoundException, SourceException;

        /** Commits besides the store's whose SHA starts with {@code prefix}. */
        List<String> byPrefix(String prefix);

        /** The commit a tag names, if this reach may ask for tags. */
        Optional<String> tag(String name) throws SourceException;

        /** A tag's commit as this reach accepts it: by default as {@link #commit}. */
        default String tagged(String sha) throws RevisionNotFoundException, SourceException {
            return commit(sha);
        }

        /** What the error of an unknown {@code rev} says after "unknown revision 'rev': ". */
        String unknown(String rev);
    }

    /** The full SHA {@code rev} names, as far as {@code reach} may look. */
    public String resolve(String rev, Reach reach) throws RevisionNotFoundException, SourceException {
        String r = rev.strip();
        Optional<String> named = reach.named(r);
        if (named.isPresent()) {
            return named.get();
        }
        if (r.matches("[0-9a-fA-F]{40}")) {
            return reach.commit(r.toLowerCase());
        }
        if (r.matches("[0-9a-fA-F]{4,39}")) {
            TreeSet<String> candidates = new TreeSet<>(reach.byPrefix(r));
            store.revisionsByPrefix(r.toLowerCase()).stream().map(RevisionRecord::sha).forEach(candidates::add);
            if (candidates.size() == 1) {
                return reach.commit(candidates.first());
            }
            if (candidates.size() > 1) {
                throw new RevisionNotFoundException("revision '" + r + "' is ambiguous: " + String.join(", ", candidates),
                        List.copyOf(candidates));
            }
        }
        Optional<String> tagged = reach.tag(r);
        if (tagged.isPresent()) {
            return reach.tagged(tagged.get());
        }
        throw new RevisionNotFoundException("unknown revision '" + r + "': " + reach.unknown(r), List.of());
    }

    /**
     * The daemon's reach: a commit the mirror lacks is fetched, a name is a tag on the server. A
     * commit that cannot be fetched (the server down, the history gone) is still known when the
     * store kept its archive: the preparer restores it from there, so a rollback or pin never
     * needs Git.
     */
    public Reach fetching(GitMirror mirror) {
        return new Reach() {
            @Override
            public String commit(String sha) throws SourceException {
                try {
                    mirror.fetchCommit(sha);
                } catch (SourceException e) {
                    boolean kept;
                    try {
                        kept = store.archive(sha, java.io.OutputStream.nullOutputStream());
                    } catch (RuntimeException damaged) {
                        kept = false; // an archive that no longer matches its digest is not a way back
                    }
                    if (!kept) {
                        throw e;
                    }
                }
                return sha;
            }

            @Override
            public List<String> byPrefix(String prefix) {
                return mirror.commitsByPrefix(prefix);
            }

            @Override
            public Optional<String> tag(String name) throws SourceException {
                return mirror.remoteTag(name);
            }

            @Override
            public String unknown(String rev) {
                return "not a commit this device has seen, nor a tag on " + mirror.spec().displayUrl();
            }
        };
    }

    /**
     * {@code plan}'s reach: the local mirror and the store, never the network. The followed
     * branch's name is its head as last fetched; a commit must be in the mirror (its content is
     * read); the mirror keeps no tags, so a tag is unknown, with what to give instead.
     */
    public Reach local(GitMirror mirror) {
        return new Reach() {
            @Override
            public Optional<String> named(String name) {
                return name.equals(mirror.spec().branch()) ? mirror.localHead() : Optional.empty();
            }

            @Override
            public String commit(String sha) throws RevisionNotFoundException {
                if (!mirror.has(sha)) {
                    throw new RevisionNotFoundException("unknown revision " + sha + ": not in this device's Git mirror"
                            + (store.revision(sha).isPresent() ? " any more" : "") + " (plan does not fetch)", List.of());
                }
                return sha;
            }

            @Override
            public List<String> byPrefix(String prefix) {
                return mirror.commitsByPrefix(prefix);
            }

            @Override
            public Optional<String> tag(String name) {
                return Optional.empty();
            }

            @Override
            public String unknown(String rev) {
                return "not a commit in this device's Git mirror"
                        + (rev.matches("[0-9a-fA-F]{4,40}") ? "" : " (plan reads no tags from the server: give the commit's SHA)");
            }
        };
    }

    /** Looks a tag up on the Git server, for {@link #seen}. */
    public interface TagLookup {
        /** The tag's commit; empty when the server has no such tag. */
        Optional<String> tag(String name) throws SourceException;

        /** The server, as errors name it (no credentials). */
        String displayUrl();
    }

    /**
     * The CLI's reach, offline: a commit the store has recorded or the local mirror holds (when
     * there is one; it is read, never fetched). A name is looked up as a tag with {@code tags}
     * (the server), or is unknown when {@code tags} is null.
     */
    public Reach seen(GitMirror mirror, TagLookup tags) {
        return new Reach() {
            @Override
            public String commit(String sha) throws RevisionNotFoundException {
                if (store.revision(sha).isEmpty() && (mirror == null || !mirror.has(sha))) {
                    throw new RevisionNotFoundException("unknown revision " + sha + ": this device has not seen it", List.of());
                }
                return sha;
            }

            @Override
            public List<String> byPrefix(String prefix) {
                return mirror == null ? List.of() : mirror.commitsByPrefix(prefix);
            }

            @Override
            public Optional<String> tag(String name) throws SourceException {
                return tags == null || name.matches("[0-9a-fA-F]{4,40}") ? Optional.empty() : tags.tag(name);
            }

            /** A tag's commit may not be fetched yet: the daemon fetches it. */
            @Override
            public String tagged(String sha) {
                return sha;
            }

            @Override
            public String unknown(String rev) {
                return "not a commit this device has seen"
                        + (tags == null || rev.matches("[0-9a-fA-F]{4,40}") ? "" : ", nor a tag on " + tags.displayUrl());
            }
        };
    }
}
