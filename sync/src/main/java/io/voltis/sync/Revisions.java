package io.voltis.sync;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;

/**
 * Turns what people write for a revision — a full SHA, a unique short SHA, or a tag — into a
 * full SHA, and decides the desired revision: the CLI pin, else the device file's
 * {@code revision:}, else the branch head.
 */
public final class Revisions {

    private final RevisionStore store;

    public Revisions(RevisionStore store) {
        this.store = store;
    }

    /** What the device should run, and why. {@code pin} is null when it follows the branch. */
    public record Desired(String spec, Pin pin) {
    }

    public Desired desired(String head, String deviceRevision) {
        Optional<Pin> cli = store.pin();
        if (cli.isPresent()) {
            return new Desired(cli.get().revision(), cli.get());
        }
        if (deviceRevision != null) {
            return new Desired(deviceRevision, new Pin(deviceRevision, Pin.Source.REPO, null));
        }
        return new Desired(head, null);
    }

    /**
     * The full SHA {@code rev} names, fetching the commit if the mirror lacks it. Without a
     * mirror ({@code null}: the CLI offline), only revisions the store has seen are known.
     */
    public String resolve(String rev, GitMirror mirror) throws RevisionNotFoundException, SourceException {
        String r = rev.strip();
        if (r.matches("[0-9a-fA-F]{40}")) {
            String sha = r.toLowerCase();
            if (mirror != null) {
                mirror.fetchCommit(sha);
            } else if (store.revision(sha).isEmpty()) {
                throw new RevisionNotFoundException("unknown revision " + sha + ": this device has not seen it", List.of());
            }
            return sha;
        }
        if (r.matches("[0-9a-fA-F]{4,39}")) {
            TreeSet<String> candidates = new TreeSet<>();
            store.revisionsByPrefix(r.toLowerCase()).stream().map(RevisionRecord::sha).forEach(candidates::add);
            if (mirror != null) {
                candidates.addAll(mirror.commitsByPrefix(r));
            }
            if (candidates.size() == 1) {
                return candidates.first();
            }
            if (candidates.size() > 1) {
                throw new RevisionNotFoundException("revision '" + r + "' is ambiguous: " + String.join(", ", candidates),
                        List.copyOf(candidates));
            }
        }
        if (mirror != null) {
            Optional<String> tagged = mirror.remoteTag(r);
            if (tagged.isPresent()) {
                mirror.fetchCommit(tagged.get());
                return tagged.get();
            }
        }
        throw new RevisionNotFoundException("unknown revision '" + r + "': not a commit this device has seen"
                + (mirror == null ? "" : ", nor a tag on " + mirror.spec().displayUrl()), List.of());
    }
}
