package io.voltis.agent.reconcile;

import java.time.Instant;
import java.util.List;

import io.voltis.agent.runtime.ServiceStatus;
import io.voltis.sync.store.JobRun;
import io.voltis.sync.store.Pin;
import io.voltis.sync.store.SourceState;

/**
 * The device as last observed, written at the end of every tick whatever happened. Observed
 * state only; the desired state is the model's.
 */
public record AgentStatus(String hostname, String workload, Phase phase, String desiredRevision,
                          String appliedRevision, Pin pin, SourceState source, List<ServiceStatus> services,
                          List<JobStatus> jobs, String lastError, Instant updatedAt) {

    public AgentStatus {
        services = List.copyOf(services);
        jobs = List.copyOf(jobs);
    }

    /** The last run of one of the workload's jobs. */
    public record JobStatus(String name, Instant lastRunAt, JobRun.Result result) {
    }

    static AgentStatus starting(String hostname, SourceState source, Instant now) {
        return new AgentStatus(hostname, null, Phase.PROGRESSING, null, null, null, source, List.of(), List.of(), null, now);
    }
}
