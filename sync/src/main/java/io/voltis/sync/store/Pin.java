package io.voltis.sync.store;

import java.time.Instant;

/**
 * The revision this device is held to. The store keeps the CLI's pin (source CLI); a pin from
 * the device file's {@code revision:} is derived from the repo and shown with source REPO.
 */
public record Pin(String revision, Source source, Instant at, boolean allowUnverified) {

    /** A pin that applies only what verifies when {@code verify: enforce}. */
    public Pin(String revision, Source source, Instant at) {
        this(revision, source, at, false);
    }

    public enum Source { CLI, REPO }
}
