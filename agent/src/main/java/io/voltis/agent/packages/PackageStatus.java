package io.voltis.agent.packages;

import java.time.Instant;
import java.util.Locale;

/**
 * One declared package as last seen on the device: observed state, kept apart from the
 * model's {@code PackageSpec}. {@code manager} is {@code apt}, {@code dnf}, {@code apk} or
 * {@code artifact}. {@code version} is what is installed now, or null when nothing is: the
 * package manager's version ({@code 2.0.11-1}), or for an artifact the first 12 hex digits of
 * the SHA-256 its target's marker records. {@code message} says why a package is missing,
 * failed or pending (for an installed artifact: its file and where it is). {@code checkedAt}
 * is when the device was last asked, null for a pending package (never asked).
 *
 * <p>NOTE: the state words and the field names are the status API's contract (docs/api.md).
 */
public record PackageStatus(String name, String manager, String version, State state, String message,
                            Instant checkedAt) {

    public enum State {
        /** Present: the package database lists it, or the artifact's marker holds the requested sha256. */
        INSTALLED,
        /** Not installed, seen by a re-read between applies; the next apply installs it. */
        MISSING,
        /** The check or the install did not succeed; {@code message} says why. */
        FAILED,
        /** Not checked: the apply stopped at an earlier package. */
        PENDING;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static PackageStatus installed(String name, String manager, String version, String message, Instant at) {
        return new PackageStatus(name, manager, version, State.INSTALLED, message, at);
    }

    public static PackageStatus missing(String name, String manager, String version, String message, Instant at) {
        return new PackageStatus(name, manager, version, State.MISSING, message, at);
    }

    public static PackageStatus failed(String name, String manager, String version, String message, Instant at) {
        return new PackageStatus(name, manager, version, State.FAILED, message, at);
    }

    public static PackageStatus pending(String name, String manager, String message) {
        return new PackageStatus(name, manager, null, State.PENDING, message, null);
    }
}
