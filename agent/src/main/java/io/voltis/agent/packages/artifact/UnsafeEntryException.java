package io.voltis.agent.packages.artifact;

import java.io.IOException;

/** An archive entry that would land outside the target, or that cannot be unpacked safely. */
final class UnsafeEntryException extends IOException {
    private static final long serialVersionUID = 1L;

    UnsafeEntryException(String entry, String why) {
        super("archive entry '" + entry.replaceAll("\\p{Cntrl}", "?") + "' " + why);
    }
}
