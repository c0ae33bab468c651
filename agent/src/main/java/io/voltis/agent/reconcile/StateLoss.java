package io.voltis.agent.reconcile;

import java.io.IOException;

import io.voltis.sync.Preparation;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.ApplyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the store was found removed and created anew (the state directory deleted), the
 * revision the device runs is unpacked and recorded again — as applied, with its archive — so
 * that a restart does not apply it (and run its jobs) a second time and rollback to it still
 * works. Waits, tick after tick, for the mirror to hold the commit again. See
 * docs/decisions/0023-state-directory-lost.md.
 */
final class StateLoss {

    private static final Logger LOG = LoggerFactory.getLogger(StateLoss.class);

    private final Reconciler.Parts p;
    private int seen;

    StateLoss(Reconciler.Parts parts) {
        this.p = parts;
    }

    /** Called each tick, after converging; does nothing unless a loss is new. */
    void recordAgain(Applied applied) {
        int losses = p.store().stateLosses();
        if (losses == seen) {
            return;
        }
        if (applied == null) {
            seen = losses;
            return;
        }
        String sha = applied.sha();
        try {
            if (!p.mirror().has(sha)) {
                p.mirror().fetchCommit(sha);
            }
            if (!(p.preparer().prepare(sha) instanceof Preparation.Ready ready)) {
                seen = losses;
                return;
            }
            long id = p.store().applyStarted(sha);
            p.store().applyFinished(id, ApplyRecord.Result.SUCCEEDED, null);
            Applier.saveArchive(p.store(), ready);
            seen = losses;
            LOG.warn("the running revision {} was unpacked and recorded again after the state directory was lost",
                    sha.substring(0, 12));
        } catch (SourceException | IOException e) {
            LOG.debug("cannot record {} again yet: {}", sha, e.getMessage()); // the next tick tries again
        }
    }
}
