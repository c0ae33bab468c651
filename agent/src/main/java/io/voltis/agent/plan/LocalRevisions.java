package io.voltis.agent.plan;

import java.util.List;
import java.util.TreeSet;

import io.voltis.sync.RevisionNotFoundException;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.store.RevisionRecord;
import io.voltis.sync.store.RevisionStore;

/**
 * Turns what a person writes for a revision — a full SHA, a unique short SHA (4 to 39 hex
 * digits), or the followed branch's name — into a full SHA from the local mirror and the store
 * only. Unlike {@link io.voltis.sync.Revisions#resolve}, it never fetches a missing commit nor
 * asks the server for a tag: a plan must work with the Git server unreachable. The mirror keeps
 * no tags, so a tag is reported as unknown, with what to give instead.
 */
final class LocalRevisions {

    private final RevisionStore store;
    private final GitMirror mirror;

    LocalRevisions(RevisionStore store, GitMirror mirror) {
        this.store = store;
        this.mirror = mirror;
    }

    /** @throws RevisionNotFoundException naming the candidates when ambiguous, or why it is unknown */
    String resolve(String rev) throws RevisionNotFoundException {
        String r = rev.strip();
        if (r.equals(mirror.spec().branch()) && mirror.localHead().isPresent()) {
            return mirror.localHead().get();
        }
        if (r.matches("[0-9a-fA-F]{40}")) {
            return inMirror(r.toLowerCase());
        }
        if (r.matches("[0-9a-fA-F]{4,39}")) {
            TreeSet<String> candidates = new TreeSet<>(mirror.commitsByPrefix(r));
            store.revisionsByPrefix(r.toLowerCase()).stream().map(RevisionRecord::sha).forEach(candidates::add);
            if (candidates.size() == 1) {
                return inMirror(candidates.first());
            }
            if (candidates.size() > 1) {
                throw new RevisionNotFoundException("revision '" + r + "' is ambiguous: " + String.join(", ", candidates),
                        List.copyOf(candidates));
            }
        }
        throw new RevisionNotFoundException("unknown revision '" + r + "': not a commit in this device's Git mirror"
                + (r.matches("[0-9a-fA-F]{4,40}") ? "" : " (plan reads no tags from the server: give the commit's SHA)"),
                List.of());
    }

    private String inMirror(String sha) throws RevisionNotFoundException {
        if (!mirror.has(sha)) {
            throw new RevisionNotFoundException("unknown revision " + sha + ": not in this device's Git mirror"
                    + (store.revision(sha).isPresent() ? " any more" : "") + " (plan does not fetch)", List.of());
        }
        return sha;
    }
}
