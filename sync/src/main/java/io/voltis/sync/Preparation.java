package io.voltis.sync;

import java.nio.file.Path;
import java.util.List;

import io.voltis.model.HostResolution;
import io.voltis.sync.git.CommitTree;

/** What preparing a revision for this device came to. */
public sealed interface Preparation {

    String sha();

    /** No device file for this host at that commit: the phase NoWorkload, not an error. */
    record NoWorkload(String sha, List<String> tried) implements Preparation {
    }

    /** The commit is invalid for this device (known bad from now on); {@code problems} are one-line each. */
    record Invalid(String sha, List<String> problems) implements Preparation {
    }

    /**
     * Valid and unpacked into {@code dir}, ready to apply; {@code files} lists the workload folder
     * with blob ids; {@code deviceFile} is the device file's bytes (kept in the revision's archive).
     */
    record Ready(String sha, HostResolution resolution, Path dir, List<CommitTree.File> files, byte[] deviceFile)
            implements Preparation {
        public Ready {
            files = List.copyOf(files);
        }
    }
}
