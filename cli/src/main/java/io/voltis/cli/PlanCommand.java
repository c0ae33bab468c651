package io.voltis.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;

import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.config.ConfigException;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.agent.plan.Plan;
import io.voltis.agent.plan.PlanException;
import io.voltis.agent.plan.Planner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code voltis-agent plan [REV]}: what applying a revision would change on this device — files
 * with diffs, packages, services, jobs — without changing anything. Reads the daemon's settings
 * as {@code run} does (flags, then the config file, then VOLTIS_* variables), and only its state
 * directory: works with the daemon stopped and the Git server unreachable. Exit 0 when a plan
 * was shown (changes or not), 1 when the revision is unknown, ambiguous or invalid or the state
 * cannot be read, 2 on bad usage.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Show what applying a revision would change on this device, without changing anything:",
        "files (with diffs), packages to install, services to start, stop or restart, jobs that would run.",
        "Reads only the agent's state and Git mirror: works with the daemon stopped and the Git server down.",
        "Exit 0 plan shown (with or without changes), 1 unknown, ambiguous or invalid revision or unreadable state,",
        "2 bad usage."})
final class PlanCommand implements Callable<Integer> {

    /** NOTE: the width of the action column; the longest word is "cannot-check". */
    private static final String ROW = "  %-12s %s";

    @Parameters(index = "0", arity = "0..1", paramLabel = "REV", description = {
            "A full or unique short SHA, or the branch's name (default: the desired revision:",
            "the CLI pin, else revision: in the device file, else the branch head as last fetched)."})
    String rev;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default: /etc/voltis/agent.yaml if present).")
    Path config;
    @Option(names = "--state-dir", paramLabel = "DIR", description = "The agent's state directory (default: as `run`).")
    String stateDir;
    @Option(names = "--root", paramLabel = "DIR", description = "Where file targets resolve (default: as `run`, /).")
    String root;
    @Option(names = "--hostname", paramLabel = "NAME", description = "This device's name (default: as `run`).")
    String hostname;
    @Option(names = "--repo", paramLabel = "URL", description = "Accepted as `run` takes it; plan never contacts the repo.")
    String repo;
    @Option(names = "--branch", paramLabel = "NAME", description = "Branch the agent follows (default: as `run`, main).")
    String branch;
    @Option(names = "--path", paramLabel = "DIR", description = "Sub-folder of the repo holding devices/ and workloads/.")
    String path;
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        AgentConfig cfg = settings();
        Plan plan;
        try (Planner planner = Planner.open(cfg, SystemPackages.onDevice(), Clock.systemUTC())) {
            plan = planner.plan(rev);
        } catch (PlanException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("plan: " + e.getMessage());
            e.problems().forEach(err::println);
            return Main.FAILED;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            out.println(Json.write(plan));
        } else {
            table(out, plan);
        }
        return Main.OK;
    }

    /** The daemon's settings, merged as {@code run} merges them; a bad one is bad usage (exit 2). */
    private AgentConfig settings() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("state-dir", stateDir);
        flags.put("root", root);
        flags.put("hostname", hostname);
        flags.put("repo", repo);
        flags.put("branch", branch);
        flags.put("path", path);
        try {
            // what the daemon runs with (agent.facts: its hostname, root, branch, path) counts above the file
            return RunCommand.loader().loadForCommands(flags, config);
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static void table(PrintWriter out, Plan plan) {
        out.println("plan for " + plan.hostname() + ": " + (plan.applied() == null ? "nothing" : shortSha(plan.applied().sha()))
                + " -> " + shortSha(plan.target().sha()) + " (" + plan.target().why() + ")");
        if (plan.target().workload() != null) {
            String was = plan.applied() == null ? null : plan.applied().workload();
            out.println("workload: " + plan.target().workload()
                    + (was != null && !was.equals(plan.target().workload()) ? " (was " + was + ")" : ""));
        }
        plan.notes().forEach(n -> out.println("note: " + n));
        section(out, "files", plan.files(), PlanCommand::file);
        section(out, "packages", plan.packages(), p -> List.of(String.format(ROW, p.action(), p.name() + " (" + p.source()
                + "): " + p.detail())));
        section(out, "services", plan.services(), s -> List.of(String.format(ROW, s.action(), s.name()
                + (s.why() == null ? "" : ": " + s.why()))));
        section(out, "jobs", plan.jobs(), j -> List.of(String.format(ROW, j.action(), j.name() + " ("
                + (j.schedule() == null ? j.when() : "schedule " + j.schedule()) + "): " + j.why())));
        out.println();
        out.println(plan.changes() ? summary(plan) : "no changes");
    }

    private static <T> void section(PrintWriter out, String title, List<T> entries, Function<T, List<String>> lines) {
        if (entries.isEmpty()) {
            return;
        }
        out.println();
        out.println(title + ":");
        entries.forEach(e -> lines.apply(e).forEach(out::println));
    }

    /** One line for the file, then its diff indented under it. */
    private static List<String> file(Plan.FileChange c) {
        List<String> what = new ArrayList<>();
        Plan.FileState was = c.observed();
        Plan.FileState will = c.desired();
        if (c.kind() == Plan.FileKind.ADDED) {
            what.add("added, mode " + will.mode());
        } else if (c.kind() == Plan.FileKind.REMOVED) {
            what.add("removed");
        } else if (c.kind() == Plan.FileKind.CHANGED && was != null && will != null) {
            if (was.sha256() != null && !was.sha256().equals(will.sha256())) {
                what.add(c.binary() ? "binary file differs" : "content");
            }
            if (!Objects.equals(was.mode(), will.mode())) {
                what.add("mode " + was.mode() + " -> " + will.mode());
            }
            if (was.owner() != null && will.owner() != null && !was.owner().equals(will.owner())) {
                what.add("owner " + was.owner() + " -> " + will.owner());
            }
        }
        if (c.binary() && c.kind() != Plan.FileKind.CHANGED) {
            what.add("binary file");
        }
        if (c.note() != null) {
            what.add(c.note());
        }
        if (c.drift()) {
            what.add("edited on the device since it was applied");
        }
        List<String> lines = new ArrayList<>();
        lines.add("  " + c.kind().symbol() + " " + c.target() + ": " + String.join(", ", what));
        if (c.diff() != null) {
            c.diff().lines().forEach(l -> lines.add("      " + l));
        }
        return lines;
    }

    private static String summary(Plan plan) {
        List<String> parts = new ArrayList<>();
        count(parts, plan.files().size(), "file");
        count(parts, (int) plan.packages().stream().filter(p -> p.action().isChange()).count(), "package");
        count(parts, (int) plan.services().stream().filter(s -> s.action().isChange()).count(), "service");
        count(parts, (int) plan.jobs().stream().filter(j -> j.action().isChange()).count(), "job");
        return "changes: " + String.join(", ", parts);
    }

    private static void count(List<String> parts, int n, String noun) {
        if (n > 0) {
            parts.add(n + " " + noun + (n == 1 ? "" : "s"));
        }
    }

    private static String shortSha(String sha) {
        return sha.substring(0, Math.min(12, sha.length()));
    }
}
