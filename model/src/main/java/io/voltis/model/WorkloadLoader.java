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
            }
            limits.check(tree, folder, problems);
        } catch (IOException e) {
            problems.add(new Problem(file, 0, 0, "", "cannot read: " + e.getMessage()));
        }
        problems.sort(null);
        return new LoadedWorkload(name, folder, spec, references, problems);
    }
}
