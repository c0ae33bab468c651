package io.voltis.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.voltis.sync.store.EventType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code voltis-agent unpin}: follow the branch again. */
@Command(name = "unpin", mixinStandardHelpOptions = true,
        description = {"Drop this device's pin (from 'pin' or 'rollback'): it follows the branch again.",
                "The device file's own revision: (if any) still applies."})
final class UnpinCommand implements Callable<Integer> {

    @Mixin
    DeviceOptions device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (Device d = Device.open(device.load(spec))) {
            PrintWriter out = spec.commandLine().getOut();
            var pin = d.store.pin();
            if (pin.isEmpty()) {
                out.println(d.hostname() + " is not pinned: it follows " + d.config.branch() + " (nothing to do)");
                return Main.OK;
            }
            d.store.clearPin();
            d.store.addEvent(EventType.UNPINNED, pin.get().revision(), "unpinned from the cli");
            String head = d.store.sourceState().headRevision();
            out.println("unpinned " + d.hostname() + " (was " + Device.shortSha(pin.get().revision()) + "): it follows "
                    + d.config.branch() + " again" + (head == null ? "" : ", head " + Device.shortSha(head)) + "; "
                    + d.whenApplied());
            return Main.OK;
        }
    }
}
