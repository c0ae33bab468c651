package io.voltis.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Validates an infrastructure repo: every device file, every workload, and every pair of
 * device and the workload it runs (each {@code ${var}} the workload uses must be defined by
 * the device). Reports all problems at once; each workload is read once however many devices
 * use it.
 */
public final class RepoValidator {

    private final WorkloadLoader workloads;

    public RepoValidator(CronCheck cron) {
        this(cron, SizeLimits.DEFAULTS);
    }

    public RepoValidator(CronCheck cron, SizeLimits limits) {
        this.workloads = new WorkloadLoader(cron, limits);
    }

    /**
     * Validates the whole repo at the root of {@code tree}, with the recipients check when the
     * repo has a {@code recipients/} folder.
     */
    public ValidationReport validate(SourceTree tree) {
        try {
            return validate(tree, isDirectory(tree, RecipientChecks.FOLDER)
                    ? new RecipientChecks(tree, RecipientChecks.FOLDER, RecipientChecks.FOLDER + "/") : null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tree, e);
        }
    }

    /**
     * Validates the whole repo at the root of {@code tree}; {@code recipients}, when not null,
     * also checks that every device is a recipient of each encrypted file it uses.
     */
    public ValidationReport validate(SourceTree tree, RecipientChecks recipients) {
        List<Problem> problems = new ArrayList<>();
        Map<String, LoadedWorkload> loaded = new HashMap<>();
        // each encrypted value's outcome, kept across devices: a file for 1,000 recipients is parsed once
        Map<String, String> secretsChecked = new HashMap<>();
        Map<String, RolloutCount.Tally> rollouts = new java.util.TreeMap<>();
        int devices = 0;
        try {
            if (!isDirectory(tree, DeviceResolver.FOLDER)) {
                problems.add(new Problem(DeviceResolver.FOLDER + "/", 0, 0, "",
                        "missing: a repo keeps one devices/<hostname>.yaml per device"));
            }
            for (String name : tree.list(WorkloadLoader.FOLDER)) {
                if (!name.startsWith(".") && isDirectory(tree, WorkloadLoader.FOLDER + "/" + name)) {
                    LoadedWorkload workload = workloads.load(tree, name);
                    loaded.put(name, workload);
                    problems.addAll(workload.problems());
                }
            }
            for (String name : tree.list(DeviceResolver.FOLDER)) {
                String file = DeviceResolver.FOLDER + "/" + name;
                if (deviceFileName(tree, file, name, problems)) {
                    devices++;
                    Bound<DeviceSpec> device = checkDevice(tree, file, loaded, problems, recipients, secretsChecked);
                    tally(rollouts, loaded, device, name);
                }
            }
            if (recipients != null) {
                problems.addAll(recipients.check(tree));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tree, e);
        }
        return new ValidationReport(new ArrayList<>(new TreeSet<>(problems)), devices, loaded.size(), null,
                rollouts.values().stream().map(RolloutCount.Tally::count).toList());
    }

    /** Counts a device file in its workload's rollout plan, if the workload has a valid one (not {@code _default.yaml}). */
    private static void tally(Map<String, RolloutCount.Tally> rollouts, Map<String, LoadedWorkload> loaded,
                              Bound<DeviceSpec> device, String fileName) {
        if (device == null || fileName.equals(DeviceResolver.DEFAULT + DeviceResolver.SUFFIX)) {
            return;
        }
        LoadedWorkload workload = loaded.get(device.value().workload());
        if (workload == null || workload.spec() == null || workload.spec().rollout() == null || !workload.problems().isEmpty()) {
            return; // a plan with problems is not counted: its waves are not what the file meant
        }
        rollouts.computeIfAbsent(workload.name(), n -> new RolloutCount.Tally(n, workload.rolloutFile(),
                workload.spec().rollout())).add(device.value());
    }

    /** Validates the device file {@code hostname} resolves to, and the workload it names. */
    public ValidationReport validateHost(SourceTree tree, String hostname) {
        List<Problem> problems = new ArrayList<>();
        Map<String, LoadedWorkload> loaded = new HashMap<>();
        try {
            Optional<DeviceMatch> match = DeviceResolver.match(tree, hostname);
            if (match.isEmpty()) {
                problems.add(new Problem(DeviceResolver.FOLDER + "/", 0, 0, "", "no device file for host '" + hostname
                        + "' (tried " + String.join(", ", DeviceResolver.candidates(hostname)) + ")"));
                return new ValidationReport(problems, 0, 0, null);
            }
            checkDevice(tree, match.get().file(), loaded, problems, null, new HashMap<>());
            loaded.values().forEach(w -> problems.addAll(w.problems()));
            return new ValidationReport(new ArrayList<>(new TreeSet<>(problems)), 1, loaded.size(), match.get());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tree, e);
        }
    }

    /** Checks one device file and what it uses; returns it as bound (null when it cannot be read). */
    private Bound<DeviceSpec> checkDevice(SourceTree tree, String file, Map<String, LoadedWorkload> loaded,
                             List<Problem> problems, RecipientChecks recipients, Map<String, String> secretsChecked)
            throws IOException {
        Bound<DeviceSpec> device = DeviceLoader.load(tree, file, problems);
        if (device == null) {
            return null;
        }
        String name = device.value().workload();
        if (Names.check(Names.WORKLOAD, name, "") != null) {
            return device;
        }
        LoadedWorkload workload = loaded.get(name);
        if (workload == null && isDirectory(tree, WorkloadLoader.FOLDER + "/" + name)) {
            workload = workloads.load(tree, name);
            loaded.put(name, workload);
        }
        if (workload == null) {
            List<String> known = tree.list(WorkloadLoader.FOLDER);
            problems.add(Problem.at(file, device.at("workload"), "workload", "'" + name + "' is not a folder under workloads/"
                    + Suggest.closest(name, known).map(k -> " (did you mean '" + k + "'?)")
                    .orElse(known.isEmpty() ? "" : "; there are: " + String.join(", ", known))));
            return device;
        }
        problems.addAll(workload.undefinedReferences(file, device.value()));
        problems.addAll(SecretChecks.device(tree, file, device, workload, secretsChecked));
        if (recipients != null && workload.spec() != null) {
            String host = file.substring(DeviceResolver.FOLDER.length() + 1, file.length() - DeviceResolver.SUFFIX.length());
            if (!host.equals(DeviceResolver.DEFAULT)) {
                for (String encrypted : encryptedFiles(tree, workload, device.value())) {
                    recipients.use(encrypted, file, host);
                }
            }
        }
        return device;
    }

    /** The encrypted files (tree paths) a device uses: its secrets and its workload's decrypted files. */
    private static List<String> encryptedFiles(SourceTree tree, LoadedWorkload workload, DeviceSpec device) throws IOException {
        List<String> out = new ArrayList<>();
        for (String source : device.secrets().values()) {
            PathGuard.Resolved r = PathGuard.source(tree, workload.folder(), source);
            if (r.ok()) {
                out.add(r.path());
            }
        }
        for (FileSpec f : workload.spec().files()) {
            if (f.decrypted()) {
                PathGuard.Resolved r = PathGuard.source(tree, workload.folder(), f.source());
                if (r.ok()) {
                    out.add(r.path());
                }
            }
        }
        return out;
    }

    /** Whether {@code name} in devices/ is a device file; reports names that look meant as one but are not. */
    private static boolean deviceFileName(SourceTree tree, String file, String name, List<Problem> problems)
            throws IOException {
        if (name.startsWith(".")) {
            return false;
        }
        if (isDirectory(tree, file)) {
            problems.add(new Problem(file + "/", 0, 0, "", "folders under devices/ are not read; keep devices/<hostname>.yaml"));
            return false;
        }
        if (name.endsWith(".yml")) {
            problems.add(new Problem(file, 0, 0, "", "device files end in .yaml; rename it to "
                    + name.substring(0, name.length() - 4) + DeviceResolver.SUFFIX));
            return false;
        }
        if (!name.endsWith(DeviceResolver.SUFFIX)) {
            return false;
        }
        String host = name.substring(0, name.length() - DeviceResolver.SUFFIX.length());
        if (host.equals(DeviceResolver.DEFAULT)) {
            return true;
        }
        if (!Names.HOSTNAME.matcher(host).matches()) {
            problems.add(new Problem(file, 0, 0, "", "'" + host + "' is not a hostname; name the file <hostname>.yaml"));
            return false;
        }
        if (!host.equals(host.toLowerCase(Locale.ROOT))) {
            problems.add(new Problem(file, 0, 0, "", "hostnames are matched in lower case; rename it to "
                    + host.toLowerCase(Locale.ROOT) + DeviceResolver.SUFFIX));
            return false;
        }
        return true;
    }

    private static boolean isDirectory(SourceTree tree, String path) throws IOException {
        return tree.stat(path).map(e -> e.kind() == SourceTree.Kind.DIRECTORY).orElse(false);
    }
}
