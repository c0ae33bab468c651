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
            byte[] content;
            try {
                content = Files.readAllBytes(source);
            } catch (IOException e) {
                throw new FileStepException(f.source() + ": cannot read: " + e.getMessage(), e);
            }
            if (f.template()) {
                try {
                    content = Templates.render(new String(content, StandardCharsets.UTF_8), vars).getBytes(StandardCharsets.UTF_8);
                } catch (Templates.UndefinedVariableException e) {
                    throw new FileStepException(f.source() + ": " + e.getMessage(), e);
                }
            }
            out.add(new DesiredFile(target(f.target()), content, f.mode().bits()));
        }
        return out;
    }

    /** The absolute path of a target: always under the root (docs/decisions/0004). */
    public Path target(String target) {
        return root.resolve(PathGuard.normalizeTarget(target)).normalize();
    }
}
