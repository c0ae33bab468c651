package io.voltis.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.EventType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code voltis-agent rollback [--to REV]}: pin the revision that ran before the applied one
 * (the last one applied successfully before it), or REV. Needs no Git server: the revision was
 * fetched when it first ran.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Pin the last revision before the applied one that applied successfully (or --to REV).",
                "Holds until 'unpin'; works with the daemon stopped and with the Git server unreachable."})
final class RollbackCommand implements Callable<Integer> {

    @Option(names = "--to", paramLabel = "REV", description = "Roll back to this revision (full or unique short SHA).")
    String to;

    @Option(names = "--allow-unverified",
            description = "With verify: enforce, roll back to a revision whose signature does not verify (you accept it; the output says so).")
    boolean allowUnverified;

    @Mixin
    DeviceOptions device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (Device d = Device.open(device.load(spec))) {
            String applied = d.applied().orElseThrow(() ->
                    new IllegalStateException("nothing to roll back: " + d.hostname() + " has not applied any revision yet"));
            String target = to != null ? d.resolve(to) : previous(d, applied);
            var record = d.store.revision(target);
            if (record.isPresent() && record.get().validation() == io.voltis.sync.store.RevisionRecord.Validation.INVALID) {
                String problems = record.get().problems() == null ? "" : record.get().problems().lines().findFirst().orElse("");
                throw new IllegalStateException("cannot roll back to " + Device.shortSha(target)
                        + ": it is recorded invalid (" + problems + "); roll back to a revision that applied");
            }
            if (target.equals(applied) && d.store.pin().map(p -> p.revision().equals(applied)).orElse(false)) {
                throw new IllegalStateException(Device.shortSha(applied) + " already runs and is pinned: nothing to do");
            }
            String trust = d.trustNote(target, allowUnverified);
            d.store.setPin(target, allowUnverified);
            d.store.addEvent(EventType.ROLLED_BACK, target, "rollback from " + applied.substring(0, 12) + " to "
                    + target.substring(0, 12) + " from the cli" + (allowUnverified ? " with --allow-unverified" : ""));
            PrintWriter out = spec.commandLine().getOut();
            out.println("rolling " + d.hostname() + " back from " + Device.shortSha(applied) + " to "
                    + Device.shortSha(target) + " (pinned, from cli); " + d.whenApplied()
                    + trust + "; it holds until `voltis-agent unpin`");
            return Main.OK;
        }
    }

    /**
     * The revision that ran before the applied one: of the revisions this device applied
     * successfully, the newest that it fetched before the applied one. Going back twice goes
     * further back, never forward to the revision just left.
     */
    private static String previous(Device d, String applied) {
        java.time.Instant appliedSeen = d.store.revision(applied).map(r -> r.firstSeen()).orElse(null);
        String best = null;
        java.time.Instant bestSeen = null;
        for (ApplyRecord a : Device.succeeded(d.store.applies(1000))) {
            if (a.sha().equals(applied)) {
                continue;
            }
            java.time.Instant seen = d.store.revision(a.sha()).map(r -> r.firstSeen()).orElse(null);
            boolean older = appliedSeen == null || seen == null || seen.isBefore(appliedSeen);
            if (older && (bestSeen == null || (seen != null && seen.isAfter(bestSeen)))) {
                best = a.sha();
                bestSeen = seen;
            }
        }
        if (best == null) {
            throw new IllegalStateException("nothing to roll back to: no revision older than " + Device.shortSha(applied)
                    + " was applied successfully on " + d.hostname());
        }
        return best;
    }
}
