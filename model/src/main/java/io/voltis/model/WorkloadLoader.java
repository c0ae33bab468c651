package io.voltis.model;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code workloads/<name>/workload.yaml} from a tree, binds it and runs every check
 * that does not depend on a device: the file's structure, paths, names, references between
 * services, schedules, and the sizes of its files against the {@link SizeLimits}. Templated
 * files are read to collect their {@code ${var}} references.
 */
public final class WorkloadLoader {

    public static final String FOLDER = "workloads";
    public static final String FILE_NAME = "workload.yaml";
    /** NOTE: docs/rollout.md and docs/repo-format.md name it. The repo-wide rollout plan, at the root the agent reads. */
    public static final String ROLLOUT_FILE = "rollout.yaml";

    private final CronCheck cron;
    private final SizeLimits limits;

    public WorkloadLoader(CronCheck cron) {
        this(cron, SizeLimits.DEFAULTS);
    }

    public WorkloadLoader(CronCheck cron, SizeLimits limits) {
        this.cron = cron;
        this.limits = limits;
    }

    public LoadedWorkload load(SourceTree tree, String name) {
        String folder = FOLDER + "/" + name;
        String file = folder + "/" + FILE_NAME;
        List<Problem> problems = new ArrayList<>();
        List<VarRef> references = new ArrayList<>();
        WorkloadSpec spec = null;
        String rolloutFile = file;
        String badName = Names.check(Names.WORKLOAD, name, "workload name");
        if (badName != null) {
            problems.add(new Problem(folder, 0, 0, "", badName));
        }
        try {
            byte[] bytes = RepoFiles.readRegular(tree, file, problems);
            YamlNode root = bytes == null ? null : YamlReader.read(file, bytes, problems);
            Bound<WorkloadSpec> bound = root == null ? null : Binder.bind(WorkloadSpec.class, file, root, problems);
            if (bound != null) {
                spec = bound.value();
                new WorkloadChecks(tree, folder, file, bound, cron, problems, references).run();
                if (spec.rollout() == null) {
                    RolloutSpec repoWide = repoWidePlan(tree, problems);
                    if (repoWide != null) {
                        spec = spec.withRollout(repoWide);
                        rolloutFile = ROLLOUT_FILE;
                    }
                }
            }
            limits.check(tree, folder, problems);
        } catch (IOException e) {
            problems.add(new Problem(file, 0, 0, "", "cannot read: " + e.getMessage()));
        }
        problems.sort(null);
        return new LoadedWorkload(name, folder, spec, references, problems, rolloutFile);
    }

    /**
     * The repo-wide plan ({@code rollout.yaml} at the root, the same keys as a workload's
     * {@code rollout:}), for a workload without its own; null when there is none. Its problems
     * are the workload's: a broken repo-wide plan makes every workload that follows it invalid,
     * so no device moves on a plan it cannot read.
     */
    private static RolloutSpec repoWidePlan(SourceTree tree, List<Problem> problems) throws IOException {
        if (tree.stat(ROLLOUT_FILE).isEmpty()) {
            return null;
        }
        byte[] bytes = RepoFiles.readRegular(tree, ROLLOUT_FILE, problems);
        YamlNode root = bytes == null ? null : YamlReader.read(ROLLOUT_FILE, bytes, problems);
        Bound<RolloutSpec> bound = root == null ? null : Binder.bind(RolloutSpec.class, ROLLOUT_FILE, root, problems);
        if (bound == null) {
            return null;
        }
        new RolloutChecks("", bound, ROLLOUT_FILE, problems).run(bound.value());
        return bound.value();
    }
}
