package io.voltis.agent.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.voltis.model.FileSpec;
import io.voltis.model.PathGuard;
import io.voltis.model.Templates;

/** Turns a revision's {@code files:} into {@link DesiredFile}s: sources read from the unpacked revision, templates filled. */
public final class FileRenderer {

    private final Path root;

    public FileRenderer(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public List<DesiredFile> render(Path revisionDir, List<FileSpec> files, Map<String, String> vars)
            throws FileStepException {
        List<DesiredFile> out = new ArrayList<>();
        for (FileSpec f : files) {
            Path source = revisionDir.resolve(f.source()).normalize();
            if (!source.startsWith(revisionDir)) {
                throw new FileStepException(f.source() + ": leaves the workload folder");
            }
            try {
                out.add(f.template() ? rendered(f, source, vars) : DesiredFile.of(target(f.target()), source, f.mode().bits()));
            } catch (IOException e) {
                throw new FileStepException(f.source() + ": cannot read: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * A template filled in memory: validation refused templates over
     * {@link Templates#MAX_BYTES}, and this checks again rather than trust an
     * unpacked folder to be what was validated.
     */
    private DesiredFile rendered(FileSpec f, Path source, Map<String, String> vars) throws IOException, FileStepException {
        if (Files.size(source) > Templates.MAX_BYTES) {
            throw new FileStepException(f.source() + ": templated file is larger than " + Templates.MAX_BYTES + " bytes");
        }
        try {
            String text = Templates.render(Files.readString(source, StandardCharsets.UTF_8), vars);
            return new DesiredFile(target(f.target()), text.getBytes(StandardCharsets.UTF_8), f.mode().bits());
        } catch (Templates.UndefinedVariableException e) {
            throw new FileStepException(f.source() + ": " + e.getMessage(), e);
        }
    }

    /** The absolute path of a target: always under the root (docs/decisions/0004). */
    public Path target(String target) {
        return root.resolve(PathGuard.normalizeTarget(target)).normalize();
    }
}
