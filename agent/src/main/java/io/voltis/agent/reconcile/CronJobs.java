package io.voltis.agent.reconcile;

import java.util.List;
import java.util.function.Supplier;

import io.voltis.agent.jobs.JobRequest;

/** Where the reconciler hands the applied revision's scheduled jobs; the scheduler owns the clock. */
public interface CronJobs {

    /** A job with a Quartz cron {@code schedule}, and how to make its request when it fires. */
    record Scheduled(String name, String schedule, Supplier<JobRequest> request) {
    }

    /**
     * Replaces every scheduled workload job with {@code jobs}, each on its own: returns one line
     * for each job the scheduler refused (the others are scheduled all the same).
     */
    List<String> replace(List<Scheduled> jobs);

    CronJobs NONE = jobs -> List.of();
}
