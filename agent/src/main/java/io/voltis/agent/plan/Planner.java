package io.voltis.agent.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.files.FileRenderer;
import io.voltis.agent.files.FileStepException;
import io.voltis.agent.files.FileSync;
import io.voltis.agent.packages.artifact.ArtifactOptions;
import io.voltis.agent.packages.artifact.Artifacts;
import io.voltis.agent.packages.artifact.Sleeper;
import io.voltis.agent.packages.system.SystemPackages;
import io.voltis.agent.plan.Plan.AppliedRevision;
import io.voltis.agent.plan.Plan.Reason;
import io.voltis.agent.plan.Plan.TargetRevision;
import io.voltis.agent.reconcile.Applied;
import io.voltis.agent.reconcile.Applier;
import io.voltis.agent.scheduler.QuartzCronCheck;
import io.voltis.model.HostResolver;
import io.voltis.model.WorkloadSpec;
import io.voltis.sync.DesiredRevision;
import io.voltis.sync.Preparation;
import io.voltis.sync.Preparer;
import io.voltis.sync.RevisionNotFoundException;
import io.voltis.sync.Revisions;
import io.voltis.sync.StateLayout;
import io.voltis.sync.Unpacker;
import io.voltis.sync.git.GitCredentials;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.GitSourceSpec;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.RevisionStore;

/**
 * Computes a {@link Plan}: what applying a revision would change on this device, from the
 * daemon's state directory, whether the daemon runs or not, with the Git server unreachable.
 *
 * <p>Guarantees: nothing under the root is written; no package is installed, no service or job
 * started (the only processes are the package database queries); the store gets no apply, pin,
 * job run or event (it is read through {@link ReadOnlyStore}); Git is read from the local mirror
 * only; revisions are unpacked into a temporary folder that {@link #close()} deletes, never into
 * the state directory's {@code revisions/}. Files and services are rendered by the apply's own
 * {@link Applier#plan}, so diffs and fingerprints are exactly what an apply would produce.
 *
 * <p>Not thread-safe; one plan after another is fine.
 */
public final class Planner implements AutoCloseable {


    private final AgentConfig config;
    private final RevisionStore owned;
    private final boolean ownsStore;
    private final RevisionStore store;
    private final GitMirror mirror;
    private final Path scratch;
    private final Preparer preparer;
    private final Revisions revisions;
    private final Revisions.Reach local;
    private final FileRenderer renderer;
    private final FilePlanner files;
    private final PackagePlanner packages;
    private final Map<String, Preparation> prepared = new HashMap<>();

    private Planner(AgentConfig config, RevisionStore owned, boolean ownsStore, GitMirror mirror, Path scratch,
                    SystemPackages system) {
        this.config = config;
        this.owned = owned;
        this.ownsStore = ownsStore;
        this.store = new ReadOnlyStore(owned);
        this.mirror = mirror;
        this.scratch = scratch;
        this.preparer = new Preparer(mirror, store, new HostResolver(new QuartzCronCheck(), config.sizeLimits()),
                new Unpacker(scratch),
                config.hostname());
        this.revisions = new Revisions(store);
        this.local = revisions.local(mirror);
        this.renderer = new FileRenderer(config.root(), new io.voltis.agent.secrets.SecretBox(config.identityPath()));
        StateLayout layout = new StateLayout(config.stateDir());
        this.files = new FilePlanner(config.root(), new FileSync(config.root(), layout.filesManifest()), owner(layout.dir()));
        this.packages = new PackagePlanner(system, new Artifacts(layout.artifacts(), ArtifactOptions.defaults(),
                Sleeper.threadSleep()), config.root());
    }

    /**
     * Opens the agent's state read-only: its store (through the daemon when it runs) and its Git
     * mirror (with the mirror itself as remote, so nothing can reach the network).
     *
     * @param system how system packages are queried on this device ({@link SystemPackages#onDevice()})
     * @throws PlanException with one line when the state directory is missing or cannot be read
     */
    public static Planner open(AgentConfig config, SystemPackages system, Clock clock) throws PlanException {
        Path state = config.stateDir();
        if (!Files.isDirectory(state)) {
            throw new PlanException("no agent state in " + state + ": the directory does not exist"
                    + " (give --state-dir, or start the agent first)");
        }
        if (!Files.isReadable(state) || !Files.isExecutable(state)) {
            throw new PlanException("cannot read the agent state in " + state
                    + ": permission denied (run as the agent's user, e.g. with sudo)");
        }
        RevisionStore store;
        try {
            store = RevisionStore.openClient(state, clock);
        } catch (RuntimeException e) {
            throw new PlanException(e.getMessage(), e);
        }
        try {
            return build(config, store, true, system);
        } catch (PlanException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * As {@link #open}, over a store the caller has opened and closes itself ({@code status}
     * with the daemon stopped asks it for the desired revision).
     */
    public static Planner over(AgentConfig config, RevisionStore store, SystemPackages system) throws PlanException {
        return build(config, store, false, system);
    }

    private static Planner build(AgentConfig config, RevisionStore store, boolean ownsStore, SystemPackages system)
            throws PlanException {
        Path state = config.stateDir();
        GitMirror mirror = null;
        Path scratch = null;
        try {
            StateLayout layout = new StateLayout(state);
            Path dir = layout.mirror();
            if (!Files.isRegularFile(dir.resolve("HEAD"))) {
                throw new PlanException("no Git mirror in " + dir + ": the agent has not fetched yet");
            }
            mirror = GitMirror.open(dir, layout.ssh(),
                    new GitSourceSpec(dir.toString(), config.branch(), config.path(), GitCredentials.NONE));
            scratch = Files.createTempDirectory("voltis-plan-");
            return new Planner(config, store, ownsStore, mirror, scratch, system);
        } catch (SourceException | IOException | PlanException | RuntimeException e) {
            if (scratch != null) {
                delete(scratch);
            }
            if (mirror != null) {
                mirror.close();
            }
            if (e instanceof PlanException p) {
                throw p;
            }
            throw new PlanException(e instanceof IOException ? "cannot create a temporary folder: " + e.getMessage()
                    : e.getMessage(), e);
        }
    }

    /**
     * The plan for {@code rev} (a full or unique short SHA, or the branch's name), or with
     * {@code rev} null for the desired revision: the CLI pin, else the device file's
     * {@code revision:}, else the branch head as last fetched.
     *
     * @throws PlanException when the revision is unknown, ambiguous or invalid for this device
     *                       (then {@link PlanException#problems()} lists why), or cannot be read
     */
    public Plan plan(String rev) throws PlanException {
        TargetRevision chosen = choose(rev);
        String sha12 = shortSha(chosen.sha());
        Preparation target = prepare(chosen.sha());
        if (target instanceof Preparation.Invalid invalid) {
            throw new PlanException("revision " + sha12 + " is invalid for " + config.hostname() + ": "
                    + invalid.problems().size() + " problem(s)", invalid.problems(), null);
        }
        Observed observed = observed();
        List<String> notes = new ArrayList<>(observed.notes());
        if (chosen.reason() == Reason.HEAD || chosen.reason() == Reason.DEVICE_FILE) {
            var fetched = store.sourceState().lastFetchAt();
            fetched = fetched == null ? null : fetched.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            notes.add("the head of " + config.branch() + " as last fetched" + (fetched == null ? "" : " (" + fetched + ")")
                    + "; plan does not fetch");
        }
        if (config.trust().on()) {
            notes.add(signatureNote(chosen.sha()));
        }
        if (target instanceof Preparation.NoWorkload none) {
            notes.add("no device file for " + config.hostname() + " at " + sha12 + " (tried " + String.join(", ", none.tried())
                    + "): the agent keeps what it runs (docs/decisions/0008)");
            return new Plan(config.hostname(), observed.revision(), chosen, List.of(), List.of(), List.of(), List.of(), notes);
        }
        Preparation.Ready ready = (Preparation.Ready) target;
        Applied next = render(ready, "revision " + sha12 + " cannot be rendered: ");
        WorkloadSpec spec = ready.resolution().workload().spec();
        boolean newRevision = observed.revision() == null || !observed.revision().sha().equals(ready.sha());
        if (newRevision) {
            var gate = spec.gate();
            notes.add(gate.on() ? "health gate after the apply: " + io.voltis.model.Durations.format(gate.window())
                    + " with every service running" + (gate.checks().isEmpty() ? "" : " and " + gate.checks().size()
                    + " check(s) passing") + ", else " + (gate.onFailure() == io.voltis.model.GateSpec.OnFailure.ROLLBACK
                    ? store.lastVerified().map(v -> "roll back to " + shortSha(v)).orElse("held: no revision passed its"
                    + " gate on this device yet") : "held (onFailure: hold)")
                    : "no health gate (window: 0s): verified as soon as it is applied");
        }
        if (newRevision && chosen.reason() == Reason.HEAD) {
            rolloutNote(observed, ready).ifPresent(notes::add);
        }
        if (!newRevision) {
            notes.add(sha12 + " is the applied revision: no apply would run; the agent puts files back and keeps"
                    + " services as declared (packages are checked at the next apply: docs/decisions/0011)");
        }
        List<Plan.FileChange> fileChanges;
        try {
            fileChanges = files.plan(next.files(), observed.applied() == null ? null : observed.applied().files(), sha12);
        } catch (IOException e) {
            throw new PlanException("cannot read the files manifest in " + config.stateDir() + ": " + e.getMessage(), e);
        }
        return new Plan(config.hostname(), observed.revision(),
                new TargetRevision(chosen.sha(), chosen.reason(), chosen.why(), next.workload()), fileChanges,
                packages.plan(spec.packages(), next.vars()),
                ServiceComparison.compare(observed.applied() == null ? List.of() : observed.applied().services(),
                        next.services()),
                JobPlanner.plan(spec.jobs(), newRevision, store), notes);
    }

    /**
     * When the head's rollout plan lets this device apply it (docs/rollout.md), as the daemon
     * decides it: its wave and when it is eligible, a pause, or no wave for it.
     */
    private Optional<String> rolloutNote(Observed observed, Preparation.Ready ready) throws PlanException {
        try {
            var rollout = new io.voltis.sync.Rollout(mirror, store, preparer,
                    io.voltis.sync.Rollout.deviceId(io.voltis.sync.Rollout.MACHINE_ID, config.hostname()));
            return rollout.check(observed.revision() == null ? null : observed.revision().sha(), ready, java.time.Instant.now())
                    .map(v -> "rollout: " + v.message() + switch (v.state()) {
                        case WAITING -> "; the agent applies it then";
                        case ELIGIBLE, FIRST, CURRENT -> "; the agent applies it at its next tick";
                        case PAUSED -> "; a commit that ends the pause (pause: false) moves it";
                        case OUTSIDE -> "";
                    });
        } catch (SourceException e) {
            throw new PlanException("cannot read the rollout plan of " + shortSha(ready.sha()) + ": " + e.getMessage(), e);
        }
    }

    /**
     * What the trust policy makes of {@code sha}: as the daemon recorded it, else verified now
     * (the commit alone, against the local mirror; the daemon also checks the chain and descent).
     */
    private String signatureNote(String sha) {
        String sha12 = shortSha(sha);
        boolean enforce = config.trust().mode() == io.voltis.sync.trust.TrustSettings.Mode.ENFORCE;
        String result;
        String detail;
        var record = store.revision(sha).filter(r -> r.trust() != null);
        if (record.isPresent()) {
            result = record.get().trust();
            detail = io.voltis.sync.store.RevisionRecord.VERIFIED.equals(result) ? "by " + record.get().signer()
                    : record.get().trustMessage();
        } else if (mirror != null && mirror.has(sha)) {
            try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(mirror.repository())) {
                var v = config.trust().verifier().verify(mirror.repository(),
                        walk.parseCommit(org.eclipse.jgit.lib.ObjectId.fromString(sha)));
                result = v.result();
                detail = (v.trusted() ? "by " + v.signerText() : v.message()) + " (the commit alone; the agent also checks"
                        + " the commits since the applied one)";
            } catch (IOException | io.voltis.sync.trust.TrustConfigException e) {
                return "signature of " + sha12 + ": cannot be verified here: " + e.getMessage();
            }
        } else {
            return "signature of " + sha12 + ": not verified yet (the agent verifies it when it fetches it)";
        }
        boolean refused = !io.voltis.sync.store.RevisionRecord.VERIFIED.equals(result)
                && !io.voltis.sync.store.RevisionRecord.ACCEPTED.equals(result);
        return "signature of " + sha12 + ": " + result + (detail == null ? "" : ": " + detail)
                + (refused ? (enforce ? "; verify: enforce does not apply it" : "; verify: warn applies it anyway") : "");
    }

    /** The revision to plan, and why: as asked, else as the reconciler decides it ({@link DesiredRevision}). */
    private TargetRevision choose(String rev) throws PlanException {
        if (rev != null) {
            return new TargetRevision(resolve(rev, ""), Reason.ASKED, "asked for " + rev.strip(), null);
        }
        return desired();
    }

    /**
     * The revision the daemon would apply now, and why, by the agent's one rule
     * ({@link DesiredRevision}): the CLI pin, else the device file's {@code revision:} at the
     * head as last fetched, else that head. Reads the mirror and the store only.
     *
     * @throws PlanException when nothing was fetched yet, or the pinned revision is unknown here
     */
    public TargetRevision desired() throws PlanException {
        Optional<DesiredRevision.Choice> choice = DesiredRevision.choose(store.pin(), mirror.localHead().orElse(null),
                this::deviceFilePin);
        if (choice.isEmpty()) {
            throw new PlanException("nothing fetched yet: the Git mirror in " + new StateLayout(config.stateDir()).mirror()
                    + " has no branch " + config.branch() + " (has the agent polled? is --branch right?)");
        }
        DesiredRevision.Choice c = choice.get();
        return switch (c.source()) {
            case CLI_PIN -> new TargetRevision(resolve(c.spec(), "the pin from the cli: "), Reason.PIN, "pin from cli", null);
            case DEVICE_FILE -> new TargetRevision(resolve(c.spec(), "revision: in " + c.file() + ": "), Reason.DEVICE_FILE,
                    "revision: in " + c.file(), null);
            case HEAD -> new TargetRevision(c.spec(), Reason.HEAD, "head of " + config.branch(), null);
        };
    }

    /** The head's device file {@code revision:}, read and validated without unpacking the workload. */
    private Optional<DesiredRevision.DeviceFilePin> deviceFilePin(String head) throws PlanException {
        Preparation known = prepared.get(head);
        if (known != null) {
            return DesiredRevision.pinIn(known);
        }
        try {
            return preparer.resolve(head).flatMap(DesiredRevision::pinIn);
        } catch (SourceException e) {
            throw new PlanException("cannot read " + shortSha(head) + " from the Git mirror: " + e.getMessage(), e);
        }
    }

    /** What the device runs: its last successful apply, rebuilt as the reconciler does after a restart. */
    private Observed observed() {
        Applier.Rebuilt rebuilt = Applier.rebuild(store, preparer, renderer, config.root(), config.hostname());
        if (rebuilt.sha() == null) {
            return new Observed(null, null, List.of());
        }
        if (rebuilt.applied() == null) {
            return new Observed(new AppliedRevision(rebuilt.sha(), null), null, List.of("cannot read the applied revision "
                    + shortSha(rebuilt.sha()) + " (" + rebuilt.why() + "): its services are planned as if none ran"));
        }
        return new Observed(new AppliedRevision(rebuilt.sha(), rebuilt.applied().workload()), rebuilt.applied(), List.of());
    }

    private record Observed(AppliedRevision revision, Applied applied, List<String> notes) {
    }

    private Applied render(Preparation.Ready ready, String context) throws PlanException {
        try {
            return Applier.plan(ready, renderer, config.root(), config.hostname());
        } catch (FileStepException e) {
            throw new PlanException(context + e.getMessage(), e);
        }
    }

    private Preparation prepare(String sha) throws PlanException {
        Preparation known = prepared.get(sha);
        if (known != null) {
            return known;
        }
        try {
            Preparation p = preparer.prepare(sha);
            prepared.put(sha, p);
            return p;
        } catch (SourceException e) {
            throw new PlanException("cannot read " + shortSha(sha) + " from the Git mirror: " + e.getMessage(), e);
        }
    }

    private String resolve(String rev, String context) throws PlanException {
        try {
            return revisions.resolve(rev, local);
        } catch (SourceException e) {
            throw new PlanException(context + e.getMessage(), e);
        } catch (RevisionNotFoundException e) {
            throw new PlanException(context + e.getMessage(), e);
        }
    }

    private static String owner(Path state) {
        try {
            return Files.getOwner(state).getName();
        } catch (IOException e) {
            return null;
        }
    }

    static String shortSha(String sha) {
        return sha.substring(0, Math.min(12, sha.length()));
    }

    /** Closes the mirror and the store, and deletes every revision unpacked for the plan. */
    @Override
    public void close() {
        try {
            mirror.close();
        } finally {
            if (ownsStore) {
                owned.close();
            }
            delete(scratch);
        }
    }

    private static void delete(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // left in the system's temporary folder: a copy of the workload, nothing of the device
        }
    }
}
