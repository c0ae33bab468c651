package io.voltis.agent.plan;

import java.util.ArrayList;
import java.util.List;

import io.voltis.agent.jobs.JobRunner;
import io.voltis.agent.plan.Plan.JobAction;
import io.voltis.agent.plan.Plan.JobChange;
import io.voltis.model.JobSpec;
import io.voltis.model.JobTrigger;
import io.voltis.sync.store.RevisionStore;

/**
 * The jobs section of a plan, by the apply's rules: jobs run only when a new revision is
 * applied — per-revision ones every time, once ones if they never ran on this device (their
 * recorded runs say) — in the order declared, before services restart; scheduled ones are
 * (re)scheduled on their cron expression and never run at the apply.
 */
final class JobPlanner {

    private JobPlanner() {
    }

    static List<JobChange> plan(List<JobSpec> jobs, boolean newRevision, RevisionStore store) {
        List<JobChange> out = new ArrayList<>();
        for (JobSpec j : jobs) {
            if (j.isScheduled()) {
                out.add(new JobChange(j.name(), "schedule", j.schedule(), JobAction.SCHEDULED,
                        newRevision ? "scheduled when applied" : "scheduled"));
            } else if (!newRevision) {
                out.add(new JobChange(j.name(), j.when().keyword(), null, JobAction.SKIP, "no apply"));
            } else if (j.when() == JobTrigger.PER_REVISION) {
                out.add(new JobChange(j.name(), j.when().keyword(), null, JobAction.RUN, "runs with every new revision"));
            } else if (JobRunner.ranOnce(store, j.name())) {
                out.add(new JobChange(j.name(), j.when().keyword(), null, JobAction.SKIP, "ran once on this device already"));
            } else {
                out.add(new JobChange(j.name(), j.when().keyword(), null, JobAction.RUN, "never ran on this device"));
            }
        }
        return out;
    }
}
