package io.voltis.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.voltis.agent.scheduler.QuartzCronCheck;
import io.voltis.model.DeviceMatch;
import io.voltis.model.DirectoryTree;
import io.voltis.model.Problem;
import io.voltis.model.RepoValidator;
import io.voltis.model.SizeLimits;
import io.voltis.model.ValidationReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code voltis-agent validate [DIR]}: checks an infrastructure repo and prints every problem,
 * one per line. Exit 0 when valid, 1 when not, 2 on bad usage. Made to run in the repo's CI.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, description = {
        "Check an infrastructure repo before you push it.",
        "Reads every device file, every workload, and every device against the workload it runs,",
        "and prints each problem as path:line:column: field: reason. Exit 0 valid, 1 problems, 2 bad usage."})
final class ValidateCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", defaultValue = ".",
            description = "The repo's root folder (default: the current folder).")
    Path dir;

    @Option(names = "--host", paramLabel = "NAME",
            description = "Check only the device file NAME resolves to (fqdn, short name, _default) and its workload.")
    String host;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Option(names = "--max-file-size", paramLabel = "SIZE", defaultValue = "1G",
            description = "Largest file a workload may hold, as the devices' max-file-size (default: ${DEFAULT-VALUE}).")
    String maxFileSize;

    @Option(names = "--max-workload-size", paramLabel = "SIZE", defaultValue = "2G",
            description = "Largest workload folder in all, as the devices' max-workload-size (default: ${DEFAULT-VALUE}).")
    String maxWorkloadSize;

    @Option(names = "--allowed-signers", paramLabel = "FILE", description = {
            "Also check the commit signatures of DIR's Git history against this OpenSSH allowed_signers",
            "file, as a device with verify: enforce would (every commit from --since to HEAD)."})
    Path allowedSigners;

    @Option(names = "--gpg-keys", paramLabel = "FILE|DIR", description = {
            "Also check the commit signatures against these armored OpenPGP public keys (with or without",
            "--allowed-signers), as a device with gpg-keys would."})
    Path gpgKeys;

    @Option(names = "--revoked-keys", paramLabel = "FILE", description = "With --allowed-signers: keys no longer trusted.")
    Path revokedKeys;

    @Option(names = "--since", paramLabel = "REV", description = {
            "With --allowed-signers: check only the commits after REV (e.g. origin/main, what devices already run);",
            "HEAD must descend from it. Default: the whole history of HEAD."})
    String since;

    @Option(names = "--recipients", paramLabel = "DIR", description = {
            "Check that every device is a recipient of each encrypted file it uses, with the devices'",
            "recipients in DIR/<hostname>.txt (default: the repo's recipients/ folder, when it has one)."})
    Path recipients;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The JSON form of a report. NOTE: field names are a contract with CI scripts (docs/cli.md);
     * {@code signatures} is null without {@code --allowed-signers}.
     */
    record JsonReport(boolean valid, int devices, int workloads, JsonMatch match, List<JsonProblem> problems,
                      Signatures signatures, List<io.voltis.model.RolloutCount> rollouts) {
    }

    record JsonMatch(String hostname, String file, String rule) {
        static JsonMatch of(DeviceMatch m) {
            return m == null ? null : new JsonMatch(m.hostname(), m.file(), m.rule().keyword());
        }
    }

    record JsonProblem(String file, int line, int column, String field, String message, String text) {
        static JsonProblem of(Problem p) {
            return new JsonProblem(p.file(), p.line(), p.column(), p.field(), p.message(), p.toString());
        }
    }

    @Override
    public Integer call() {
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "'" + dir + "' is not a directory");
        }
        RepoValidator validator = new RepoValidator(new QuartzCronCheck(),
                new SizeLimits(size("--max-file-size", maxFileSize), size("--max-workload-size", maxWorkloadSize)));
        DirectoryTree tree = new DirectoryTree(dir);
        if (recipients != null && !Files.isDirectory(recipients)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--recipients: '" + recipients + "' is not a directory");
        }
        if (recipients != null && host != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--recipients checks the whole repo: drop --host");
        }
        ValidationReport report = host != null ? validator.validateHost(tree, host)
                : recipients != null ? validator.validate(tree, new io.voltis.model.RecipientChecks(new DirectoryTree(recipients), "",
                        recipients + "/"))
                : validator.validate(tree);
        Signatures signatures = allowedSigners == null && gpgKeys == null ? null : signatures();
        PrintWriter out = spec.commandLine().getOut();
        boolean valid = report.valid() && (signatures == null || signatures.refused().isEmpty());
        if (output == OutputFormat.json) {
            out.println(Json.write(new JsonReport(valid, report.devices(), report.workloads(), JsonMatch.of(report.match()),
                    report.problems().stream().map(JsonProblem::of).toList(), signatures, report.rollouts())));
        } else {
            table(out, report);
            if (signatures != null) {
                signatures.refused().forEach(r -> out.println(r.text()));
                out.println(signatures.refused().isEmpty() ? "signatures: " + plural(signatures.verified(), "commit")
                        + " verified against " + (allowedSigners != null ? allowedSigners : gpgKeys) : "signatures: " + signatures.refused().get(0).reason()
                        + " after " + plural(signatures.verified(), "verified commit"));
            }
        }
        return valid ? Main.OK : Main.FAILED;
    }

    /** What {@code --allowed-signers} found: how many commits verified, and the first refused (the check stops there). */
    record Signatures(int verified, List<Refused> refused) {
    }

    record Refused(String commit, String reason, String message, String text) {
    }

    /** Verifies DIR's history with the device's own verifier (io.voltis.sync.trust); bad files are bad usage. */
    private Signatures signatures() {
        io.voltis.sync.trust.CommitVerifier verifier;
        try {
            verifier = io.voltis.sync.trust.CommitVerifier.of(allowedSigners, gpgKeys, revokedKeys);
        } catch (io.voltis.sync.trust.TrustConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        var builder = new org.eclipse.jgit.storage.file.FileRepositoryBuilder().findGitDir(dir.toAbsolutePath().toFile());
        if (builder.getGitDir() == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--allowed-signers: '" + dir
                    + "' is not in a Git repository");
        }
        try (org.eclipse.jgit.lib.Repository repo = builder.build()) {
            var head = repo.resolve("HEAD");
            if (head == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--allowed-signers: the repository has no commit");
            }
            String base = null;
            if (since != null) {
                var id = repo.resolve(since);
                if (id == null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--since: unknown revision '" + since + "'");
                }
                base = id.name();
            }
            List<io.voltis.sync.trust.CommitVerifier.Verdict> verdicts = verifier.verifyChain(repo, base, head.name(),
                    io.voltis.sync.trust.CommitVerifier.Scope.CHAIN);
            List<Refused> refused = verdicts.stream().filter(v -> !v.trusted()).map(v -> new Refused(v.sha(), v.reason().word(),
                    v.message(), v.sha().substring(0, 12) + ": " + v.reason().word() + ": " + v.message())).toList();
            return new Signatures((int) verdicts.stream().filter(io.voltis.sync.trust.CommitVerifier.Verdict::trusted).count(),
                    refused);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the Git history of " + dir + ": " + e.getMessage(), e);
        }
    }

    private long size(String flag, String value) {
        try {
            return SizeLimits.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + ": " + e.getMessage());
        }
    }

    private void table(PrintWriter out, ValidationReport report) {
        DeviceMatch match = report.match();
        if (match != null) {
            out.println("host " + match.hostname() + " -> " + match.file() + " (" + match.rule().keyword() + ")");
        }
        report.problems().forEach(out::println);
        report.rollouts().forEach(r -> rollout(out, r));
        String read = plural(report.devices(), "device") + ", " + plural(report.workloads(), "workload");
        out.println(report.valid() ? "valid: " + read
                : plural(report.problems().size(), "problem") + " in " + read);
    }

    /**
     * How the repo's device files fall in one workload's waves: exact for labels, expected (~)
     * where a percent decides, since buckets come from machine ids the repo does not hold.
     */
    private static void rollout(PrintWriter out, io.voltis.model.RolloutCount r) {
        out.println("rollout of " + r.workload() + " (" + r.file() + "): " + plural(r.devices(), "device")
                + (r.paused() ? ", paused: none moves" : ""));
        Table t = new Table("WAVE", "SELECTS", "DEVICES");
        r.waves().forEach(w -> t.row(w.name(), w.describe().substring(w.name().length() + 2, w.describe().length() - 1),
                count(w.devices(), w.exact())));
        t.row("(no wave)", "keeps what it runs", count(r.none(), r.noneExact()));
        if (r.pinned() > 0) {
            t.row("(pinned)", "revision: in the device file", String.valueOf(r.pinned()));
        }
        java.io.StringWriter w = new java.io.StringWriter();
        t.print(new PrintWriter(w));
        w.toString().lines().forEach(line -> out.println("  " + line));
    }

    private static String count(double devices, boolean exact) {
        return exact ? String.valueOf(Math.round(devices)) : "~" + Math.round(devices);
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
