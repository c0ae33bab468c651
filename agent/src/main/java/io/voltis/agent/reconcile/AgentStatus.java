package io.voltis.agent.reconcile;

import java.time.Instant;
import java.util.List;

import io.voltis.agent.packages.PackageStatus;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.SourceState;

/**
 * The device as last observed, written at the end of every tick whatever happened. Observed
 * state only; the desired state is the model's. {@code packages} are those of the applied
 * revision as last checked (each with its {@code checkedAt}), or, while the desired revision's
 * apply keeps failing at its packages step, that revision's, with the failure.
 */
public record AgentStatus(String hostname, String workload, Phase phase, String desiredRevision,
                          String appliedRevision, Pin pin, SourceState source, List<PackageStatus> packages,
                          List<ServiceStatus> services, List<JobStatus> jobs, String lastError, Instant updatedAt,
                          Signatures signatures, Gate gate, List<Notification> notifications,
                          List<io.voltis.agent.hints.HintStatus> hints, Rollout rollout) {

    public AgentStatus {
        packages = List.copyOf(packages);
        services = List.copyOf(services);
        jobs = List.copyOf(jobs);
        notifications = notifications == null ? List.of() : List.copyOf(notifications);
        hints = hints == null ? List.of() : List.copyOf(hints);
    }

    /** A status without a rollout plan. */
    public AgentStatus(String hostname, String workload, Phase phase, String desiredRevision, String appliedRevision,
                       Pin pin, SourceState source, List<PackageStatus> packages, List<ServiceStatus> services,
                       List<JobStatus> jobs, String lastError, Instant updatedAt, Signatures signatures, Gate gate,
                       List<Notification> notifications, List<io.voltis.agent.hints.HintStatus> hints) {
        this(hostname, workload, phase, desiredRevision, appliedRevision, pin, source, packages, services, jobs, lastError,
                updatedAt, signatures, gate, notifications, hints, null);
    }

    /**
     * The head's rollout plan as this device reads it (docs/rollout.md): {@code state} one of
     * {@code first}, {@code current}, {@code eligible}, {@code waiting}, {@code paused},
     * {@code outside}; the {@code release} (the commit that started it), the device's
     * {@code wave} and when it is eligible; {@code waiting} the one line saying what the device
     * waits for and until when (null when it does not wait).
     */
    public record Rollout(String workload, String state, String head, String release, String wave, Instant startedAt,
                          Instant eligibleAt, String waiting, String message) {
    }

    /** A status without hint sources. */
    public AgentStatus(String hostname, String workload, Phase phase, String desiredRevision, String appliedRevision,
                       Pin pin, SourceState source, List<PackageStatus> packages, List<ServiceStatus> services,
                       List<JobStatus> jobs, String lastError, Instant updatedAt, Signatures signatures, Gate gate,
                       List<Notification> notifications) {
        this(hostname, workload, phase, desiredRevision, appliedRevision, pin, source, packages, services, jobs, lastError,
                updatedAt, signatures, gate, notifications, List.of());
    }

    /** A status without notification targets. */
    public AgentStatus(String hostname, String workload, Phase phase, String desiredRevision, String appliedRevision,
                       Pin pin, SourceState source, List<PackageStatus> packages, List<ServiceStatus> services,
                       List<JobStatus> jobs, String lastError, Instant updatedAt, Signatures signatures, Gate gate) {
        this(hostname, workload, phase, desiredRevision, appliedRevision, pin, source, packages, services, jobs, lastError,
                updatedAt, signatures, gate, List.of());
    }

    /** This status with the notification targets' {@code notifications}. */
    public AgentStatus withNotifications(List<Notification> notifications) {
        return new AgentStatus(hostname, workload, phase, desiredRevision, appliedRevision, pin, source, packages, services,
                jobs, lastError, updatedAt, signatures, gate, notifications, hints, rollout);
    }

    /** This status with the head's rollout plan as this device reads it. */
    public AgentStatus withRollout(Rollout rollout) {
        return new AgentStatus(hostname, workload, phase, desiredRevision, appliedRevision, pin, source, packages, services,
                jobs, lastError, updatedAt, signatures, gate, notifications, hints, rollout);
    }

    /** This status with the check-now hint sources' {@code hints}. */
    public AgentStatus withHints(List<io.voltis.agent.hints.HintStatus> hints) {
        return new AgentStatus(hostname, workload, phase, desiredRevision, appliedRevision, pin, source, packages, services,
                jobs, lastError, updatedAt, signatures, gate, notifications, hints, rollout);
    }

    /**
     * One notification target (docs/notifications.md): where it goes, without any secret; how many
     * notices wait for it; whether its last delivery failed; its last delivery and its last error
     * (since the agent started).
     */
    public record Notification(String name, String type, String address, int pending, boolean failing,
                               Instant lastDeliveredAt, String lastError, Instant lastErrorAt) {
    }

    /** A status of a device that does not verify signatures ({@code verify: off}). */
    public AgentStatus(String hostname, String workload, Phase phase, String desiredRevision, String appliedRevision,
                       Pin pin, SourceState source, List<PackageStatus> packages, List<ServiceStatus> services,
                       List<JobStatus> jobs, String lastError, Instant updatedAt) {
        this(hostname, workload, phase, desiredRevision, appliedRevision, pin, source, packages, services, jobs, lastError,
                updatedAt, null, null, List.of());
    }

    /**
     * The health gate of the applied revision, while it runs or when it failed: {@code state}
     * {@code running} (until {@code until}), {@code held} (failed and kept) or
     * {@code rolled-back} ({@code quarantined} failed, {@code revision} restored); {@code reason}
     * why it failed. Null when no gate runs and none failed.
     */
    public record Gate(String revision, String state, Instant until, String quarantined, String reason) {
    }

    /**
     * What verifying commit signatures found ({@code verify: warn|enforce}): the mode, and the
     * applied and desired revisions' results (null while not verified).
     */
    public record Signatures(String verify, Signature applied, Signature desired) {
    }

    /** One commit's result: {@code Verified}, a trust reason word or {@code Accepted}; who signed; why not. */
    public record Signature(String result, String signer, String message) {
    }

    /** The last run of one of the workload's jobs. */
    public record JobStatus(String name, Instant lastRunAt, JobRun.Result result) {
    }

    static AgentStatus starting(String hostname, SourceState source, Instant now) {
        return new AgentStatus(hostname, null, Phase.PROGRESSING, null, null, null, source, List.of(), List.of(), List.of(), null,
                now);
    }
}
