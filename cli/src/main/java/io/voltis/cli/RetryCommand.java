package io.voltis.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.voltis.sync.store.EventType;
import io.voltis.sync.store.RevisionRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code voltis-agent retry REV}: release a quarantined revision so the agent may apply it again. */
@Command(name = "retry", mixinStandardHelpOptions = true,
        description = {"Release a quarantined revision (its health gate failed, or the agent died on it three times):",
                "the daemon applies it again if it is still what the device should run, within one reconcile tick."})
final class RetryCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REV", description = "A full or unique short SHA this device has fetched.")
    String rev;

    @Mixin
    DeviceOptions device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (Device d = Device.open(device.load(spec))) {
            String sha = d.resolve(rev);
            RevisionRecord r = d.store.revision(sha).orElseThrow(() ->
                    new IllegalStateException(Device.shortSha(sha) + " is not quarantined: this device never judged it"));
            String problem = d.store.releaseQuarantine(sha).orElseThrow(() -> new IllegalStateException(
                    Device.shortSha(sha) + " is not quarantined" + (r.validation() == RevisionRecord.Validation.INVALID
                            ? ": it is invalid (" + r.problems().lines().findFirst().orElse("") + "); fix the repo" : "")));
            d.store.addEvent(EventType.RETRIED, sha, "released from quarantine from the cli (was: " + problem + ")");
            PrintWriter out = spec.commandLine().getOut();
            out.println("released " + Device.shortSha(sha) + " on " + d.hostname() + ": " + problem + "; " + d.whenApplied()
                    + " if it is still the desired revision, and its health gate runs again");
            return Main.OK;
        }
    }
}
