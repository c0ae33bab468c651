package io.voltis.agent.api;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.voltis.agent.reconcile.AgentStatus;
import io.voltis.agent.runtime.ServiceLogs;
import io.voltis.sync.store.RevisionStore;

/**
 * What the API reads, handed over by the composition root. Every part is read-only from here.
 *
 * @param status    the latest status snapshot (written at the end of every tick)
 * @param source    where the agent pulls from, with the URL already stripped of credentials
 * @param store     revisions, applies and events
 * @param logs      the services' logs
 * @param metrics   the Prometheus text exposition
 * @param ready     whether the first reconcile tick has run (before it, status is a guess)
 * @param unhealthy why the agent is not healthy (a stalled reconcile loop), or empty
 * @param sync      asks for a poll now (a check-now hint; it changes no state): {@code POST /api/v1/sync}
 */
public record ApiSources(Supplier<AgentStatus> status, Source source, RevisionStore store, ServiceLogs logs,
                         Supplier<String> metrics, BooleanSupplier ready, Supplier<Optional<String>> unhealthy,
                         Supplier<io.voltis.agent.hints.SyncHints.Answer> sync) {

    /** The repository the device follows. {@code url} never carries a credential. */
    public record Source(String url, String branch, String path) {
    }
}
