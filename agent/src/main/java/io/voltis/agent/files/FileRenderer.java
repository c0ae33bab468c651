package io.voltis.agent.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.voltis.agent.secrets.SecretBox;
import io.voltis.agent.secrets.SecretException;
import io.voltis.model.DeviceSpec;
import io.voltis.model.FileSpec;
import io.voltis.model.PathGuard;
import io.voltis.model.SecretChecks;
import io.voltis.model.Templates;

/**
 * Turns a revision's {@code files:} into {@link DesiredFile}s: sources read from the unpacked
 * revision, templates filled, age-encrypted sources decrypted with the device identity (proved
 * decryptable and hashed here, decrypted again as a stream when written: docs/secrets.md).
 */
public final class FileRenderer {

    private final Path root;
    private final SecretBox box;

    /** A renderer with no device identity: a revision that uses secrets fails to render. */
    public FileRenderer(Path root) {
        this(root, null);
    }

    /** @param box decrypts with the device identity; null when the agent has none configured */
    public FileRenderer(Path root, SecretBox box) {
        this.root = root.toAbsolutePath().normalize();
        this.box = box;
    }

    public List<DesiredFile> render(Path revisionDir, List<FileSpec> files, Map<String, String> vars)
            throws FileStepException {
        return render(revisionDir, "", files, vars);
    }

    /**
     * @param folder the workload folder as the repo names it ({@code workloads/db}), so errors
     *               name a file as the operator sees it in Git
     */
    public List<DesiredFile> render(Path revisionDir, String folder, List<FileSpec> files, Map<String, String> vars)
            throws FileStepException {
        List<DesiredFile> out = new ArrayList<>();
        for (FileSpec f : files) {
            Path source = revisionDir.resolve(f.source()).normalize();
            if (!source.startsWith(revisionDir)) {
                throw new FileStepException(f.source() + ": leaves the workload folder");
            }
            try {
                if (f.decrypted()) {
                    out.add(DesiredFile.decrypted(target(f.target()), source, shown(folder, f.source()), box(), f.mode().bits()));
                } else {
                    out.add(f.template() ? rendered(f, source, vars) : DesiredFile.of(target(f.target()), source, f.mode().bits()));
                }
            } catch (SecretException e) {
                throw new FileStepException(e.getMessage(), null);
            } catch (IOException e) {
                throw new FileStepException(f.source() + ": cannot read: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * The values of a device's {@code secrets:} as {@code secret.NAME} variables, decrypted from
     * the unpacked revision. The first that cannot be decrypted fails the whole revision.
     */
    public Map<String, String> secrets(Path revisionDir, String folder, Map<String, String> secrets) throws FileStepException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> s : secrets.entrySet()) {
            Path source = revisionDir.resolve(s.getValue()).normalize();
            if (!source.startsWith(revisionDir)) {
                throw new FileStepException(s.getValue() + ": leaves the workload folder");
            }
            try {
                values.put(DeviceSpec.SECRET_PREFIX + s.getKey(),
                        box().value(source, shown(folder, s.getValue()), SecretChecks.MAX_SECRET_BYTES));
            } catch (SecretException e) {
                throw new FileStepException(e.getMessage(), null);
            }
        }
        return values;
    }

    private SecretBox box() throws SecretException {
        if (box == null) {
            throw new SecretException("this agent has no device identity: set identity-file or run voltis-agent identity");
        }
        return box;
    }

    private static String shown(String folder, String source) {
        return folder.isEmpty() ? source : folder + "/" + source;
    }

    /**
     * A template filled in memory: validation refused templates over
     * {@link Templates#MAX_BYTES}, and this checks again rather than trust an
     * unpacked folder to be what was validated. One that fills in a {@code ${secret.*}} is a
     * secret file: never shown by plan.
     */
    private DesiredFile rendered(FileSpec f, Path source, Map<String, String> vars) throws IOException, FileStepException {
        if (Files.size(source) > Templates.MAX_BYTES) {
            throw new FileStepException(f.source() + ": templated file is larger than " + Templates.MAX_BYTES + " bytes");
        }
        try {
            String template = Files.readString(source, StandardCharsets.UTF_8);
            byte[] text = Templates.render(template, vars).getBytes(StandardCharsets.UTF_8);
            boolean secret = Templates.references(template).stream().anyMatch(n -> n.startsWith(DeviceSpec.SECRET_PREFIX));
            return secret ? DesiredFile.secret(target(f.target()), text, f.mode().bits(), box(), f.source())
                    : new DesiredFile(target(f.target()), text, f.mode().bits());
        } catch (Templates.UndefinedVariableException e) {
            throw new FileStepException(f.source() + ": " + e.getMessage(), e);
        } catch (SecretException e) {
            throw new FileStepException(e.getMessage(), null);
        }
    }

    /** The absolute path of a target: always under the root (docs/decisions/0004). */
    public Path target(String target) {
        return root.resolve(PathGuard.normalizeTarget(target)).normalize();
    }
}
