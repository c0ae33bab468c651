package io.voltis.agent.api;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.SourceState;

/**
 * {@code GET /api/v1/status}: the agent's status as the API shows it (docs/api.md). NOTE: the
 * field names and their order are the API's contract, checked against docs/api/openapi.yaml.
 */
public record StatusView(String hostname, String workload, String phase, String summary, String desiredRevision,
                         String appliedRevision, PinView pin,
                         @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                         AgentStatus.Signatures signatures,
                         @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                         AgentStatus.Gate gate,
                         @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                         AgentStatus.Rollout rollout,
                         SourceView source, List<PackageView> packages,
                         List<ServiceView> services,
                         List<JobView> jobs,
                         @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                         List<AgentStatus.Notification> notifications,
                         @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                         List<io.voltis.agent.hints.HintStatus> hints,
                         String lastError, Instant updatedAt) {

    /*
     * signatures: absent with verify: off; else {verify, applied, desired}, each revision's
     * {result, signer, message} (AgentStatus.Signature) or null while not verified.
     */

    /** Who holds the device to a revision: {@code cli} (pin, rollback) or {@code repo} (the device file's revision:). */
    public record PinView(String revision, String source, Instant since) {
    }

    public record SourceView(String url, String branch, String path, String headRevision, Instant lastPollAt,
                             Instant lastFetchAt, boolean reachable, String reason, String error, Instant failingSince) {
    }

    /**
     * One declared package as last checked: {@code state} is installed | missing | failed | pending,
     * {@code version} what is installed now (null when nothing is), {@code checkedAt} null when pending.
     */
    public record PackageView(String name, String manager, String version, String state, String message,
                              Instant checkedAt) {
    }

    /**
     * One service as the runtime sees it. {@code lastLogLines} (at most 10) are filled only while
     * the service is not running as desired or not healthy: they say why; empty otherwise.
     */
    public record ServiceView(String name, String desired, String actual, Boolean healthy, int restarts,
                              Instant since, Integer lastExitCode, String message, List<String> lastLogLines) {
    }

    public record JobView(String name, Instant lastRunAt, String result) {
    }

    public static StatusView of(AgentStatus s, ApiSources.Source repo) {
        SourceState src = s.source() == null ? SourceState.UNKNOWN : s.source();
        Pin pin = s.pin();
        return new StatusView(s.hostname(), s.workload(), s.phase().word(), summary(s),
                s.desiredRevision(), s.appliedRevision(),
                pin == null ? null : new PinView(pin.revision(), pin.source().name().toLowerCase(Locale.ROOT), pin.at()),
                s.signatures(),
                s.gate(),
                s.rollout(),
                new SourceView(repo.url(), repo.branch(), repo.path(), src.headRevision(), src.lastPollAt(),
                        src.lastFetchAt(), src.reachable(), src.reason(), src.error(), src.failingSince()),
                s.packages().stream().map(v -> new PackageView(v.name(), v.manager(), v.version(), v.state().word(),
                        v.message(), v.checkedAt())).toList(),
                s.services().stream().map(v -> new ServiceView(v.name(), v.desired(), v.actual().word(), v.healthy(),
                        v.restarts(), v.since(), v.lastExitCode(), v.message(),
                        v.degraded() ? v.lastLogLines() : List.of())).toList(),
                s.jobs().stream().map(j -> new JobView(j.name(), j.lastRunAt(),
                        j.result() == null ? null : j.result().name().toLowerCase(Locale.ROOT))).toList(),
                s.notifications(), s.hints(), s.lastError(), s.updatedAt());
    }

    /**
     * One line that says whether the device runs what it should and why not: "synced to 3f2a9c1e",
     * "pinned to 3f2a9c1e (cli); head is 9b1d2c3a", "failing to fetch since 2026-11-22T10:02:00Z
     * (GitUnreachable); running 3f2a9c1e".
     */
    static String summary(AgentStatus s) {
        StringBuilder b = new StringBuilder();
        String applied = s.appliedRevision();
        String desired = s.desiredRevision();
        SourceState src = s.source() == null ? SourceState.UNKNOWN : s.source();
        switch (s.phase()) {
            case NO_WORKLOAD -> b.append("no workload for this device in the repository");
            case SYNCED -> b.append("synced to ").append(shortSha(applied));
            case PROGRESSING -> b.append(desired == null ? "waiting for the first fetch" : "applying " + shortSha(desired));
            case DEGRADED -> {
                List<String> bad = s.services().stream().filter(ServiceStatus::degraded).map(ServiceStatus::name).toList();
                b.append("running ").append(shortSha(applied)).append(" but ").append(bad.isEmpty() ? "a service"
                        : String.join(", ", bad)).append(bad.size() > 1 ? " are" : " is").append(" not healthy");
            }
            case FAILED -> b.append("cannot apply ").append(desired == null ? "the desired revision" : shortSha(desired));
            case ROLLED_BACK -> b.append("rolled back: ").append(shortSha(desired)).append(" failed its health gate");
        }
        if (applied != null && s.phase() != io.voltis.agent.reconcile.Phase.SYNCED
                && s.phase() != io.voltis.agent.reconcile.Phase.DEGRADED) {
            b.append("; running ").append(shortSha(applied));
        }
        if (s.pin() != null) {
            b.append("; pinned to ").append(shortSha(s.pin().revision())).append(" (")
                    .append(s.pin().source().name().toLowerCase(Locale.ROOT)).append(')');
        }
        String head = src.headRevision();
        if (head != null && !head.equals(applied) && (s.pin() != null || !head.equals(desired))) {
            b.append("; head is ").append(shortSha(head));
        }
        if (s.rollout() != null && s.rollout().waiting() != null) {
            b.append("; ").append(s.rollout().waiting());
        }
        if (!src.reachable() && src.failingSince() != null) {
            b.append("; failing to fetch since ").append(src.failingSince()).append(" (")
                    .append(src.reason() == null ? "unknown" : src.reason()).append(')');
        }
        return b.toString();
    }

    private static String shortSha(String sha) {
        if (sha == null) {
            return "nothing";
        }
        return sha.matches("[0-9a-f]{40,64}") ? sha.substring(0, 12) : sha;
    }
}
