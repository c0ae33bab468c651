package io.voltis.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.voltis.sync.store.EventType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code voltis-agent pin REV}: hold this device to a revision until {@code unpin}. */
@Command(name = "pin", mixinStandardHelpOptions = true,
        description = {"Hold this device to a revision (a SHA it has seen, or a tag) until 'unpin'.",
                "Works whether the daemon runs or not; a running daemon applies it within one reconcile tick."})
final class PinCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REV",
            description = "A full or unique short SHA this device has fetched, or a tag (looked up on the Git server).")
    String rev;

    @CommandLine.Option(names = "--allow-unverified",
            description = "With verify: enforce, pin a revision whose signature does not verify (you accept it; the output says so).")
    boolean allowUnverified;

    @Mixin
    DeviceOptions device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (Device d = Device.open(device.load(spec))) {
            String sha = d.resolve(rev);
            String trust = d.trustNote(sha, allowUnverified);
            d.store.setPin(sha, allowUnverified);
            // a pin names the revision: a quarantine (DESIGN.md, "Health gate") no longer holds it back
            String released = d.store.releaseQuarantine(sha).map(p -> "; released from quarantine (" + p + ")").orElse("");
            d.store.addEvent(EventType.PINNED, sha, "pinned to " + sha.substring(0, 12) + " from the cli"
                    + (allowUnverified ? " with --allow-unverified" : ""));
            PrintWriter out = spec.commandLine().getOut();
            String tag = rev.strip().matches("[0-9a-fA-F]{4,40}") ? "" : "tag " + rev.strip() + ", ";
            out.println("pinned " + d.hostname() + " to " + Device.shortSha(sha) + " (" + tag + "from cli); " + d.whenApplied()
                    + trust + released + "; it holds until `voltis-agent unpin`");
            return Main.OK;
        }
    }
}
