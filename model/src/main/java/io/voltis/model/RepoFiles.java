package io.voltis.model;

import java.io.IOException;
import java.util.List;

/** Reading the repo's own YAML files: they must be regular files, not links or folders. */
final class RepoFiles {

    private RepoFiles() {
    }

    /** The bytes of {@code file}, or null after reporting why it cannot be used. */
    static byte[] readRegular(SourceTree tree, String file, List<Problem> problems) throws IOException {
        var entry = tree.stat(file);
        if (entry.isEmpty()) {
            problems.add(new Problem(file, 0, 0, "", "missing"));
            return null;
        }
        if (entry.get().kind() != SourceTree.Kind.FILE) {
            problems.add(new Problem(file, 0, 0, "", "is a " + entry.get().kind().name().toLowerCase(java.util.Locale.ROOT)
                    + "; it must be a regular file"));
            return null;
        }
        byte[] bytes = tree.read(file, YamlReader.MAX_BYTES);
        if (bytes.length > YamlReader.MAX_BYTES) {
            problems.add(new Problem(file, 0, 0, "", "larger than " + YamlReader.MAX_BYTES + " bytes, the limit"));
            return null;
        }
        return bytes;
    }
}
