package io.voltis.agent.reconcile;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import io.voltis.agent.files.FileRenderer;
import io.voltis.agent.files.FileSync;
import io.voltis.agent.jobs.JobRunner;
import io.voltis.agent.runtime.ServiceRuntime;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.sync.DesiredRevision;
import io.voltis.sync.DiskSpace;
import io.voltis.sync.Preparation;
import io.voltis.sync.Preparer;
import io.voltis.sync.RevisionNotFoundException;
import io.voltis.sync.Revisions;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.EventType;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.store.SourceState;
import io.voltis.sync.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile tick: decide the desired revision (CLI pin, else the device file's
 * {@code revision:}, else the branch head), apply it if the device does not run it yet, then
 * converge what is applied (files put back, packages re-read when due, services kept as
 * declared), and always write status. A quiet tick reads no Git object and writes nothing: the
 * decision is cached until the head or the pin changes.
 *
 * <p>Not thread-safe: the scheduler runs one tick at a time, under the same lock as the poll.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** How long a decision that found the revision missing (server down, pin not found) is kept before asking again. */
    private static final Duration RECHECK_MISSING = Duration.ofMinutes(1);

    /** Everything a tick works with; built once by the composition root. */
    public record Parts(Clock clock, RevisionStore store, Supplier<SourceState> source, GitMirror mirror,
                        Preparer preparer, Revisions revisions, FileRenderer renderer, FileSync files,
                        PackageStep packages, JobRunner jobs, ServiceRuntime runtime, CronJobs cron,
                        io.voltis.sync.Unpacker unpacker, String hostname, Path root, int keepRevisions,
                        TrustGate trust, HealthGate gate, io.voltis.sync.Rollout rollout) {
    }

    /** What a tick tells besides its status: the figures metrics count. Called on the tick's thread. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** An apply ended: {@code failed} is why it failed, null when it succeeded. */
        default void applied(ApplyReason failed, Duration took) {
        }

        default void driftCorrected(int files) {
        }

        /** A health gate ended: passed or failed, after {@code took}. */
        default void gateEnded(boolean passed, Duration took) {
        }

        /** The device rolled back to its last verified revision because a gate failed by {@code cause}. */
        default void rolledBack(HealthGate.Cause cause) {
        }

        /** An apply of {@code sha} (of {@code workload}) starts; {@code rollback}: to the last verified revision. */
        default void applying(String sha, String workload, boolean rollback) {
        }

        /** The device runs {@code sha} of {@code workload} now (after an apply, or found at start). */
        default void running(String sha, String workload) {
        }

        /** Every one of {@code listeners}, in turn. */
        static Listener all(Listener... listeners) {
            List<Listener> each = List.of(listeners);
            return new Listener() {
                @Override
                public void applied(ApplyReason failed, Duration took) {
                    each.forEach(l -> l.applied(failed, took));
                }

                @Override
                public void driftCorrected(int files) {
                    each.forEach(l -> l.driftCorrected(files));
                }

                @Override
                public void gateEnded(boolean passed, Duration took) {
                    each.forEach(l -> l.gateEnded(passed, took));
                }

                @Override
                public void rolledBack(HealthGate.Cause cause) {
                    each.forEach(l -> l.rolledBack(cause));
                }

                @Override
                public void applying(String sha, String workload, boolean rollback) {
                    each.forEach(l -> l.applying(sha, workload, rollback));
                }

                @Override
                public void running(String sha, String workload) {
                    each.forEach(l -> l.running(sha, workload));
                }
            };
        }
    }

    private final Parts p;
    private final Listener listener;
    private final Applier applier;
    private final PackageWatch packages;
    /** NOTE: docs/notifications.md and docs/agent.md name it. */
    static final Duration RECOVERED_AFTER = Duration.ofSeconds(10);
    /** Whether {@link #degraded} was read from the store's events yet (once, at the first tick). */
    private boolean degradedRead;
    private Applied applied;
    private Desired desired;
    private String decidedFor;
    private Instant decidedAt;
    /** What the head's rollout plan says of this device (null: no plan, or a pin decides); decided with {@link #desired}. */
    private io.voltis.sync.Rollout.Verdict rollout;
    /** The last hold that was recorded as an event: one event per change, not one per decision. */
    private String rolloutNoted;
    /** The last apply failure, of the revision it names; retried by its reason's kind. */
    private Failure failure;
    /** Why drifted files could not be put back this tick; recomputed by every tick's converge. */
    private String driftError;
    private volatile String tickFailure;
    private final CliEvents cliEvents;
    private final StateLoss stateLoss;
    private Phase lastPhase;
    private volatile AgentStatus status;
    private final java.util.Set<String> degraded = new java.util.HashSet<>();
    /** The applied revision failed its gate and is kept: the one-line why (lastError), until another is applied. */
    private Held held;

    /**
     * A revision kept after its gate failed. {@code failed}: the phase is Failed whatever its
     * services do (a rollback target that failed too: nothing good runs); else the phase is what
     * its services say, and lastError says it was held.
     */
    private record Held(String sha, String message, boolean failed) {
    }

    /** A revision that failed to apply: why ({@code message} starts with the reason word), how often in a row, when to try again. */
    private record Failure(String sha, ApplyReason reason, String message, int attempts, Instant retryAt) {
    }

    public Reconciler(Parts parts) {
        this(parts, Listener.NONE);
    }

    public Reconciler(Parts parts, Listener listener) {
        this.p = parts;
        this.listener = listener;
        this.packages = new PackageWatch(parts.packages());
        this.applier = new Applier(parts, packages);
        this.cliEvents = new CliEvents(parts.store());
        this.stateLoss = new StateLoss(parts);
        this.status = AgentStatus.starting(parts.hostname(), parts.source().get(), parts.clock().instant());
    }

    public AgentStatus status() {
        return status;
    }

    /** One tick; never throws: a failure becomes the phase Failed and {@code lastError}. */
    public AgentStatus tick() {
        Instant now = p.clock().instant();
        Phase phase = Phase.PROGRESSING;
        String error = null;
        List<ServiceStatus> services = null;
        try {
            restoreAppliedOnce();
            Desired d = decide();
            if (d instanceof Desired.Revision r && r.preparation() instanceof Preparation.Ready ready
                    && (applied == null || !applied.sha().equals(ready.sha())) && trusted(r, now) && mayTry(ready.sha(), now)) {
                apply(ready, now);
            }
            converge(d);
            stateLoss.recordAgain(applied);
            services = p.runtime().statuses();
            if (gate(d, services, now)) {
                services = p.runtime().statuses(); // a rollback changed what runs
            }
            phase = phase(d, services);
            error = error(d);
            tickFailure = null;
        } catch (StoreUnavailableException e) {
            // the store's own log line says it once; the device keeps running what it runs
            phase = Phase.FAILED;
            error = e.line();
            tickFailure = error;
            convergeWithoutStore();
        } catch (RuntimeException e) {
            phase = Phase.FAILED;
            error = "reconcile: " + e.getMessage();
            if (!error.equals(tickFailure)) {
                LOG.error("reconcile tick failed", e);
            }
            tickFailure = error;
        } finally {
            if (services == null) {
                services = statusesQuietly();
            }
            // recomputed from this tick's conditions: a problem that is gone leaves no lastError behind
            status = snapshot(phase, error, services, now);
            serviceTransitions(status);
            if (phase != lastPhase && lastPhase != null) {
                event(EventType.PHASE_CHANGED, status.appliedRevision(), lastPhase.word() + " -> " + phase.word()
                        + (status.lastError() == null ? "" : ": " + status.lastError()));
            }
            lastPhase = phase;
        }
        return status;
    }

    /**
     * Why the last tick failed (the store unavailable, or an unexpected error), or empty when it
     * finished: {@code /readyz} answers 503 while this is present. A failing source is not a
     * failing tick: the device runs its last good revision.
     */
    public Optional<String> tickFailure() {
        return Optional.ofNullable(tickFailure);
    }

    /** While the store is down: files put back and services kept as last applied, which needs no store. */
    private void convergeWithoutStore() {
        try {
            converge(desired);
        } catch (RuntimeException e) {
            LOG.debug("converging without the store: {}", e.getMessage());
        }
    }

    /** The runtime's view of the services; it does not depend on the store. */
    private List<ServiceStatus> statusesQuietly() {
        try {
            return p.runtime().statuses();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** After a restart, the last successful apply is what runs: rebuild it (mirror, else archive; no network). */
    private void restoreAppliedOnce() {
        if (applied != null || decidedFor != null) {
            return;
        }
        Applier.Rebuilt rebuilt = Applier.rebuild(p.store(), p.preparer(), p.renderer(), p.root(), p.hostname());
        if (rebuilt.applied() != null) {
            applied = rebuilt.applied();
            listener.running(applied.sha(), applied.workload());
            applier.schedule(applied);
            p.gate().resume(applied);
            p.store().revision(applied.sha()).filter(r -> r.gate() == io.voltis.sync.store.RevisionRecord.Gate.FAILED)
                    .ifPresent(r -> held = new Held(r.sha(), ApplyReason.GATE_FAILED.word() + ": the running revision "
                            + r.sha().substring(0, 12) + " failed its health gate: " + r.gateReason() + "; held", false));
        } else if (rebuilt.sha() != null) {
            LOG.warn("cannot restore the applied revision {}: {}", rebuilt.sha(), rebuilt.why());
        }
    }

    private Desired decide() {
        Optional<Pin> cli = p.store().pin();
        cliEvents.seen(cli);
        String head = p.source().get().headRevision();
        String key = cli.map(c -> c.revision() + (c.allowUnverified() ? "!" : "")).orElse("") + "@" + head;
        Instant now = p.clock().instant();
        boolean stale = desired instanceof Desired.Missing && !now.isBefore(decidedAt.plus(RECHECK_MISSING))
                || retried(desired)
                || rollout != null && rollout.state() == io.voltis.sync.Rollout.State.WAITING && !now.isBefore(rollout.eligibleAt());
        if (key.equals(decidedFor) && desired != null && !stale) {
            return desired;
        }
        desired = decideFresh(cli, head);
        decidedFor = key;
        decidedAt = now;
        return desired;
    }

    private Desired decideFresh(Optional<Pin> cli, String head) {
        java.util.Map<String, Preparation> prepared = new java.util.HashMap<>(1);
        rollout = null;
        try {
            Optional<DesiredRevision.Choice> choice = DesiredRevision.choose(cli, head, h -> {
                Preparation atHead = p.preparer().prepare(h);
                prepared.put(h, atHead);
                return DesiredRevision.pinIn(atHead);
            });
            if (choice.isEmpty()) {
                return new Desired.Unknown("nothing fetched yet");
            }
            if (choice.get().source() == DesiredRevision.Source.HEAD) {
                Desired.Revision atHead = new Desired.Revision(head, null, prepared.get(head));
                return atHead.preparation() instanceof Preparation.Ready ready ? staged(atHead, ready) : atHead;
            }
            return revision(choice.get().spec(), choice.get().pin());
        } catch (SourceException e) {
            return new Desired.Missing(head, null, e.reason().word() + ": " + e.getMessage());
        }
    }

    /**
     * The head, or what the device runs when the head's rollout plan holds it there (its wave
     * has not started, a pause, no wave for it). A head the trust policy refuses is not held:
     * its plan is only as trusted as its commit, and the refusal is what status must say.
     */
    private Desired staged(Desired.Revision atHead, Preparation.Ready ready) {
        Instant now = p.clock().instant();
        String appliedSha = applied == null ? null : applied.sha();
        try {
            rollout = p.rollout().check(appliedSha, ready, now).orElse(null);
        } catch (SourceException e) {
            rollout = new io.voltis.sync.Rollout.Verdict(io.voltis.sync.Rollout.State.WAITING, ready.resolution().workload().name(),
                    ready.sha(), null, null, null, null, now.plus(RECHECK_MISSING), "waiting: the rollout plan cannot be read ("
                    + e.getMessage() + "); keeps what it runs and reads it again in " + RECHECK_MISSING.toMinutes() + "m");
        }
        if (rollout == null || !rollout.holds()) {
            return atHead;
        }
        if (p.trust().check(appliedSha, ready.sha(), ready.sha(), null) != null) {
            rollout = null; // an untrusted plan is not shown as if it held the device
            return atHead;
        }
        String noted = rollout.state() + " " + rollout.head() + " " + rollout.eligibleAt() + " " + rollout.wave();
        if (!noted.equals(rolloutNoted)) {
            rolloutNoted = noted;
            event(EventType.ROLLOUT_WAITING, ready.sha(), rollout.message());
        }
        return applied == null ? new Desired.Unknown(rollout.message()) : new Desired.Revision(applied.sha(), null, applied.ready());
    }

    private Desired revision(String spec, Pin pin) throws SourceException {
        try {
            String sha = p.revisions().resolve(spec, p.revisions().fetching(p.mirror()));
            return new Desired.Revision(sha, pin, p.preparer().prepare(sha));
        } catch (RevisionNotFoundException e) {
            return new Desired.Missing(spec, pin, "RevisionNotFound: " + e.getMessage());
        } catch (SourceException e) {
            return new Desired.Missing(spec, pin, e.reason().word() + ": " + e.getMessage());
        }
    }

    /**
     * Whether the trust policy lets {@code r} be applied; a refusal is this revision's failure
     * (stalled: a person acts), which a later decision that allows it (a CLI pin) clears.
     */
    private boolean trusted(Desired.Revision r, Instant now) {
        TrustGate.Refusal refused = p.trust().check(applied == null ? null : applied.sha(), r.sha(),
                p.source().get().headRevision(), r.pin());
        if (refused == null) {
            if (failing(r.sha()) && failure.reason().trust()) {
                failure = null;
            }
            return true;
        }
        ApplyReason reason = ApplyReason.of(refused.reason());
        if (!failing(r.sha()) || failure.reason() != reason) {
            failure = new Failure(r.sha(), reason, refused.message(), 1, Instant.MAX);
        }
        return false;
    }

    /** Whether the desired revision, quarantined by its gate, was released since ({@code voltis-agent retry}). */
    private boolean retried(Desired d) {
        if (!(d instanceof Desired.Revision r) || !gateQuarantined(r)) {
            return false;
        }
        return p.store().revision(r.sha()).map(x -> x.validation() != io.voltis.sync.store.RevisionRecord.Validation.INVALID)
                .orElse(false);
    }

    private static boolean gateQuarantined(Desired.Revision r) {
        List<String> problems = Desired.problemsOf(r.preparation());
        return !problems.isEmpty() && problems.get(0).startsWith(ApplyReason.GATE_QUARANTINE);
    }

    /** The applied revision goes on probation; with its gate off it is verified at once. */
    private void startGate(boolean rollback) {
        if (p.gate().start(applied, rollback)) {
            if (p.gate().window().isEmpty()) {
                return; // no gate in this run (--once): neither on probation nor verified
            }
            var spec = p.gate().spec();
            event(EventType.GATE_STARTED, applied.sha(), "health gate of " + applied.sha().substring(0, 12) + ": "
                    + io.voltis.model.Durations.format(spec.window()) + (spec.checks().isEmpty() ? ""
                    : ", " + spec.checks().size() + " check(s)") + ", onFailure " + spec.onFailure().keyword()
                    + (rollback ? " (the rollback target: it is held if it fails too)" : ""));
        } else {
            p.store().markGate(applied.sha(), io.voltis.sync.store.RevisionRecord.Gate.PASSED, null);
        }
    }

    /**
     * One observation of the gate under way; when it ends, the revision is verified, rolled back
     * from or held. Returns whether a rollback changed what runs.
     */
    private boolean gate(Desired d, List<ServiceStatus> services, Instant now) {
        Duration took = p.gate().elapsed();
        boolean rollbackTarget = p.gate().rollback();
        HealthGate.Outcome o = p.gate().observe(applied, services);
        if (o.kind() == HealthGate.Kind.PASSED) {
            p.store().markGate(applied.sha(), io.voltis.sync.store.RevisionRecord.Gate.PASSED, null);
            listener.gateEnded(true, took);
            event(EventType.GATE_PASSED, applied.sha(), applied.sha().substring(0, 12) + " stayed healthy for "
                    + io.voltis.model.Durations.format(HealthGate.specOf(applied).window()) + ": verified good");
            return false;
        }
        if (o.kind() != HealthGate.Kind.FAILED) {
            return false;
        }
        listener.gateEnded(false, took);
        Applied failed = applied;
        String sha12 = failed.sha().substring(0, 12);
        List<String> lines = o.evidence().subList(Math.max(0, o.evidence().size() - 5), o.evidence().size());
        String evidence = lines.isEmpty() ? "" : "; last log lines: " + String.join(" | ", lines);
        event(EventType.GATE_FAILED, failed.sha(), sha12 + ": " + o.reason() + evidence);
        var spec = HealthGate.specOf(failed);
        boolean pinned = d instanceof Desired.Revision r && r.pin() != null && r.pin().source() == Pin.Source.CLI
                && r.sha().equals(failed.sha());
        Optional<String> target = p.store().lastVerified().filter(t -> !t.equals(failed.sha()));
        String holdWhy = spec.onFailure() == io.voltis.model.GateSpec.OnFailure.HOLD ? "onFailure: hold"
                : pinned ? "a cli pin is an explicit order: unpin or pin another revision"
                : rollbackTarget ? "it was restored by a rollback" + (d instanceof Desired.Revision r && gateQuarantined(r)
                        ? " from " + r.sha().substring(0, 12) + ", whose gate failed too: "
                        + Desired.problemsOf(r.preparation()).get(0).substring(ApplyReason.GATE_QUARANTINE.length()) : "")
                        + "; a rollback target is never rolled back again"
                : target.isEmpty() ? "no revision passed its health gate on this device yet" : null;
        p.store().markGate(failed.sha(), io.voltis.sync.store.RevisionRecord.Gate.FAILED, o.reason() + evidence);
        if (holdWhy != null) {
            hold(failed.sha(), o.reason() + evidence, holdWhy, rollbackTarget);
            return false;
        }
        p.store().markValidated(failed.sha(), io.voltis.sync.store.RevisionRecord.Validation.INVALID,
                ApplyReason.GATE_QUARANTINE + o.reason() + evidence);
        decidedFor = null; // decided again: the desired revision is quarantined now
        try {
            Preparation restored = p.preparer().prepare(target.get());
            if (!(restored instanceof Preparation.Ready ready)) {
                hold(failed.sha(), o.reason(), "its rollback target " + target.get().substring(0, 12) + " cannot be"
                        + " restored (" + (restored instanceof Preparation.Invalid ? "invalid here" : "no workload") + ")", false);
                return false;
            }
            listener.applying(ready.sha(), ready.resolution().workload().name(), true);
            applied = applier.apply(ready, applied);
            listener.running(applied.sha(), applied.workload());
        } catch (SourceException | Applier.ApplyFailed | RuntimeException e) {
            hold(failed.sha(), o.reason(), "its rollback to " + target.get().substring(0, 12) + " failed: " + e.getMessage(),
                    false);
            return false;
        }
        held = null;
        listener.rolledBack(o.cause());
        event(EventType.ROLLED_BACK, applied.sha(), "rolled back from " + sha12 + " to " + applied.sha().substring(0, 12)
                + ", the last verified revision: the health gate of " + sha12 + " failed: " + o.reason());
        startGate(true);
        return true;
    }

    private void hold(String sha, String reason, String why, boolean failedPhase) {
        held = new Held(sha, ApplyReason.GATE_FAILED.word() + ": " + sha.substring(0, 12) + " failed its health gate: "
                + reason + "; held: " + why, failedPhase);
        event(EventType.HELD, sha, held.message());
    }

    private boolean mayTry(String sha, Instant now) {
        return failure == null || !sha.equals(failure.sha()) || !now.isBefore(failure.retryAt());
    }

    private boolean failing(String sha) {
        return failure != null && failure.sha().equals(sha);
    }

    private Failure failed(String sha, ApplyReason reason, String message, Instant now) {
        int attempts = failing(sha) ? failure.attempts() + 1 : 1;
        return new Failure(sha, reason, reason.word() + ": " + message, attempts, reason.retryAt(attempts, now));
    }

    private void apply(Preparation.Ready ready, Instant now) {
        if (!enoughSpace(ready)) {
            return;
        }
        long started = System.nanoTime();
        try {
            listener.applying(ready.sha(), ready.resolution().workload().name(), false);
            applied = applier.apply(ready, applied);
            listener.running(applied.sha(), applied.workload());
            listener.applied(null, Duration.ofNanos(System.nanoTime() - started));
            failure = null;
            held = null;
            startGate(false);
        } catch (Applier.ApplyFailed e) {
            listener.applied(e.reason(), Duration.ofNanos(System.nanoTime() - started));
            failure = failed(ready.sha(), e.reason(), e.getMessage(), now);
        }
    }

    /**
     * Whether the root has room for the workload's files; if not, nothing is touched, the phase
     * is Failed with {@code InsufficientSpace}, and the next tick checks again (a statvfs).
     */
    private boolean enoughSpace(Preparation.Ready ready) {
        try {
            DiskSpace.require(p.root(), DiskSpace.sizeOf(ready.dir()), "apply " + ready.sha().substring(0, 12));
            return true;
        } catch (SourceException e) {
            Failure refused = failed(ready.sha(), ApplyReason.INSUFFICIENT_SPACE, e.getMessage(), p.clock().instant());
            if (failure == null || !refused.message().equals(failure.message())) {
                event(EventType.APPLY_FAILED, ready.sha(), refused.message());
            }
            failure = refused;
            return false;
        } catch (java.io.IOException e) {
            return true; // the unpacked folder cannot be measured: the apply itself will say why
        }
    }

    /** The quiet path: put drifted files back, re-read packages when due, keep services as declared. */
    private void converge(Desired d) {
        driftError = null;
        if (applied == null) {
            return;
        }
        try {
            var changes = p.files().apply(applied.files());
            if (!changes.written().isEmpty()) {
                event(EventType.DRIFT_CORRECTED, applied.sha(), "put back " + changes.written());
                listener.driftCorrected(changes.written().size());
            }
        } catch (Exception e) {
            driftError = ApplyReason.FILES_FAILED.word() + ": drifted files of " + applied.sha().substring(0, 12)
                    + " cannot be put back: " + e.getMessage();
        }
        String failing = d instanceof Desired.Revision r && failing(r.sha()) ? r.sha() : null;
        packages.recheck(applied, failing, p.clock().instant());
        applied.services().forEach(p.runtime()::apply);
    }

    private Phase phase(Desired d, List<ServiceStatus> services) {
        if (d instanceof Desired.Revision r && r.preparation() instanceof Preparation.NoWorkload) {
            return Phase.NO_WORKLOAD;
        }
        if (held != null && held.failed() && applied != null && held.sha().equals(applied.sha())) {
            return Phase.FAILED;
        }
        if (d instanceof Desired.Revision r && gateQuarantined(r) && applied != null && !applied.sha().equals(r.sha())) {
            return Phase.ROLLED_BACK;
        }
        if (d instanceof Desired.Missing || (d instanceof Desired.Revision r && r.preparation() instanceof Preparation.Invalid)) {
            return Phase.FAILED;
        }
        if (d instanceof Desired.Revision r && (applied == null || !applied.sha().equals(r.sha()))) {
            return failing(r.sha()) ? Phase.FAILED : Phase.PROGRESSING;
        }
        if (applied == null) {
            return Phase.PROGRESSING;
        }
        boolean waiting = false;
        for (ServiceStatus s : services) {
            if (s.degraded()) {
                return Phase.DEGRADED;
            }
            waiting |= s.healthy() == null && applied.healthChecked().contains(s.name());
        }
        // a service whose health check has not answered yet is not known to work
        return waiting ? Phase.PROGRESSING : Phase.SYNCED;
    }

    /**
     * The tick's {@code lastError}, from what holds now, reason word first: the desired revision
     * missing or invalid, else its apply failing, else drifted files that could not be put back
     * this tick; null when none holds.
     */
    private String error(Desired d) {
        if (d instanceof Desired.Missing m) {
            return m.error();
        }
        List<String> problems = Desired.problemsOf(d instanceof Desired.Revision r ? r.preparation() : null);
        if (held != null && held.failed() && applied != null && held.sha().equals(applied.sha())) {
            return held.message();
        }
        if (d instanceof Desired.Revision r && gateQuarantined(r)) {
            return ApplyReason.GATE_FAILED.word() + ": " + r.sha().substring(0, 12) + " is quarantined: "
                    + problems.get(0).substring(ApplyReason.GATE_QUARANTINE.length()) + "; "
                    + (applied == null ? "nothing runs" : "running " + applied.sha().substring(0, 12))
                    + " (voltis-agent retry " + r.sha().substring(0, 12) + " to try it again)";
        }
        if (!problems.isEmpty()) {
            return ApplyReason.ofInvalid(problems).word() + ": revision " + ((Desired.Revision) d).sha().substring(0, 12)
                    + " is invalid: " + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
        }
        if (d instanceof Desired.Revision r && failing(r.sha()) && (applied == null || !applied.sha().equals(r.sha()))) {
            return failure.message();
        }
        if (held != null && applied != null && held.sha().equals(applied.sha())) {
            return held.message();
        }
        return driftError;
    }

    private AgentStatus snapshot(Phase phase, String error, List<ServiceStatus> services, Instant now) {
        Desired d = desired;
        String desiredSha = d instanceof Desired.Revision r ? r.sha() : null;
        Pin pin = d instanceof Desired.Revision r ? r.pin() : d instanceof Desired.Missing m ? m.pin() : null;
        List<AgentStatus.JobStatus> jobs = new ArrayList<>();
        if (applied != null) {
            applied.ready().resolution().workload().spec().jobs().forEach(j -> {
                JobRun run = p.jobs().lastRun(j.name());
                jobs.add(new AgentStatus.JobStatus(j.name(), run == null ? null : run.startedAt(), run == null ? null : run.result()));
            });
        }
        AgentStatus.Signatures signatures = p.trust().mode() == io.voltis.sync.trust.TrustSettings.Mode.OFF ? null
                : new AgentStatus.Signatures(p.trust().mode().word(), p.trust().signature(applied == null ? null : applied.sha()),
                        p.trust().signature(desiredSha));
        return new AgentStatus(p.hostname(), applied == null ? null : applied.workload(), phase, desiredSha,
                applied == null ? null : applied.sha(), pin, p.source().get(), packages.statuses(), services, jobs, error, now,
                signatures, gateStatus(d), List.of(), List.of(), rolloutStatus());
    }

    /** The head's rollout plan as status shows it; {@code current} once the device runs the head. */
    private AgentStatus.Rollout rolloutStatus() {
        io.voltis.sync.Rollout.Verdict v = rollout;
        if (v == null) {
            return null;
        }
        boolean runs = applied != null && applied.sha().equals(v.head());
        String state = runs ? io.voltis.sync.Rollout.State.CURRENT.word() : v.state().word();
        String message = runs && v.state() != io.voltis.sync.Rollout.State.CURRENT
                ? "runs " + v.head().substring(0, 12) + (v.wave() == null ? "" : " (wave " + v.wave() + ")") : v.message();
        return new AgentStatus.Rollout(v.workload(), state, v.head(), v.release(), v.wave(), v.startedAt(), v.eligibleAt(),
                v.holds() && !runs ? v.message() : null, message);
    }

    private AgentStatus.Gate gateStatus(Desired d) {
        if (held != null && applied != null && held.sha().equals(applied.sha())) {
            return new AgentStatus.Gate(applied.sha(), "held", null, null, held.message());
        }
        if (d instanceof Desired.Revision r && gateQuarantined(r) && applied != null && !applied.sha().equals(r.sha())) {
            return new AgentStatus.Gate(applied.sha(), "rolled-back", p.gate().window().map(HealthGate.Window::until).orElse(null),
                    r.sha(), Desired.problemsOf(r.preparation()).get(0).substring(ApplyReason.GATE_QUARANTINE.length()));
        }
        return p.gate().window().map(w -> new AgentStatus.Gate(w.sha(), "running", w.until(), null, null)).orElse(null);
    }

    /**
     * Events when a service becomes degraded and when it recovers; nothing on quiet ticks. A
     * degraded service has recovered once it has run without degrading for {@link #RECOVERED_AFTER}:
     * a crash loop (up a few seconds, down, restarted) is one degradation, not one per crash.
     */
    private void serviceTransitions(AgentStatus now) {
        if (!degradedRead) {
            degradedRead = true;
            degraded.addAll(degradedBefore());
        }
        java.util.Set<String> current = new java.util.HashSet<>();
        for (ServiceStatus s : now.services()) {
            if (s.degraded()) {
                current.add(s.name());
                if (!degraded.contains(s.name())) {
                    event(EventType.SERVICE_DEGRADED, now.appliedRevision(), s.name() + ": " + s.actual().word()
                            + (s.lastExitCode() == null ? "" : ", exit " + s.lastExitCode())
                            + (s.message() == null ? "" : ", " + s.message()));
                }
            } else if (degraded.contains(s.name())) {
                if (s.since() != null && p.clock().instant().isBefore(s.since().plus(RECOVERED_AFTER))) {
                    current.add(s.name()); // up again, but not for long yet: a crash loop is one degradation
                } else {
                    event(EventType.SERVICE_RECOVERED, now.appliedRevision(), s.name() + ": " + s.actual().word());
                }
            }
        }
        degraded.clear();
        degraded.addAll(current);
    }

    /**
     * The services the store's events leave degraded (a ServiceDegraded not followed by its
     * ServiceRecovered), as a previous run of the agent saw them: a restart neither repeats their
     * degradation nor loses their recovery (docs/notifications.md).
     */
    private java.util.Set<String> degradedBefore() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> still = new java.util.HashSet<>();
        try {
            for (io.voltis.sync.store.Event e : p.store().events(1000)) {
                boolean down = e.type().equals(EventType.SERVICE_DEGRADED.word());
                if ((down || e.type().equals(EventType.SERVICE_RECOVERED.word())) && e.message() != null
                        && e.message().contains(":")) {
                    String name = e.message().substring(0, e.message().indexOf(':'));
                    if (seen.add(name) && down) {
                        still.add(name);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("cannot read the services' last events: {}", e.getMessage());
        }
        return still;
    }

    private void event(EventType type, String revision, String message) {
        try {
            p.store().addEvent(type, revision, message);
        } catch (RuntimeException e) {
            LOG.warn("cannot record event {}: {}", type, e.getMessage());
        }
    }
}
