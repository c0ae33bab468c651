package io.voltis.sync;

import java.util.Optional;

import io.voltis.sync.store.Pin;

/**
 * The one rule for what a device should run: the CLI pin, else the device file's
 * {@code revision:} at the branch head, else the branch head. The reconciler, {@code plan} and
 * {@code status} (with the daemon stopped) all decide through {@link #choose}; none of them
 * writes the order again.
 */
public final class DesiredRevision {

    private DesiredRevision() {
    }

    /** Where the desired revision comes from, in the order the rule tries them. */
    public enum Source { CLI_PIN, DEVICE_FILE, HEAD }

    /**
     * What the rule chose: {@code spec} is what to resolve (a SHA, short SHA or tag; the head's
     * SHA for {@link Source#HEAD}), {@code pin} the pin in force (null when following the
     * branch), {@code file} the device file that pins it (for {@link Source#DEVICE_FILE}).
     */
    public record Choice(Source source, String spec, Pin pin, String file) {
    }

    /** The {@code revision:} a device file sets, and which file. */
    public record DeviceFilePin(String revision, String file) {
    }

    /** Reads the device file's {@code revision:} at a commit; empty when it sets none (or has no valid device file). */
    @FunctionalInterface
    public interface DeviceFile<E extends Exception> {
        Optional<DeviceFilePin> pinAt(String head) throws E;
    }

    /**
     * The desired revision; empty when there is no CLI pin and nothing has been fetched yet
     * ({@code head} null). The device file is read only when there is no CLI pin.
     */
    public static <E extends Exception> Optional<Choice> choose(Optional<Pin> cli, String head, DeviceFile<E> deviceFile)
            throws E {
        if (cli.isPresent()) {
            return Optional.of(new Choice(Source.CLI_PIN, cli.get().revision(), cli.get(), null));
        }
        if (head == null) {
            return Optional.empty();
        }
        Optional<DeviceFilePin> repo = deviceFile.pinAt(head);
        if (repo.isPresent()) {
            String rev = repo.get().revision();
            return Optional.of(new Choice(Source.DEVICE_FILE, rev, new Pin(rev, Pin.Source.REPO, null), repo.get().file()));
        }
        return Optional.of(new Choice(Source.HEAD, head, null, null));
    }

    /** The device file's pin in a prepared revision, if it is ready and sets {@code revision:}. */
    public static Optional<DeviceFilePin> pinIn(Preparation prepared) {
        return prepared instanceof Preparation.Ready ready ? pinIn(ready.resolution()) : Optional.empty();
    }

    /**
     * The device file's pin in a resolution, if it is valid (as a {@link Preparation.Ready} is)
     * and sets {@code revision:}: an invalid head pins nothing, whoever reads it.
     */
    public static Optional<DeviceFilePin> pinIn(io.voltis.model.HostResolution resolution) {
        if (resolution.valid() && resolution.device().revision() != null) {
            return Optional.of(new DeviceFilePin(resolution.device().revision(), resolution.match().file()));
        }
        return Optional.empty();
    }
}
