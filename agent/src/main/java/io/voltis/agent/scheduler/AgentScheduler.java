package io.voltis.agent.scheduler;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import io.voltis.agent.jobs.JobRunner;
import io.voltis.agent.reconcile.CronJobs;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.spi.JobFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the agent's periodic work with Quartz (RAM job store, up to three worker threads that
 * sleep until handed a job: {@link QuietThreadPool}): the poll, whose
 * next run is decided after each run (interval with jitter, backoff on failure); the reconcile
 * tick at a fixed interval; and the applied workload's cron jobs, which go to the bounded job
 * runner. Jobs are built by the agent, not by Quartz: a {@link JobFactory} hands Quartz the
 * instances.
 *
 * <p>Misfires (a suspend, a clock jump, a long tick) are handled deliberately: a late poll runs
 * once at once; missed reconcile ticks are dropped and the next one runs on schedule; missed cron
 * runs are skipped (a job that should have run at 03:00 on a device asleep until 09:00 does not
 * run at 09:00). Every job catches everything at its top and logs it: periodic work never dies
 * silently, and never blocks shutdown.
 */
public final class AgentScheduler implements CronJobs, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentScheduler.class);
    private static final String AGENT = "agent";
    private static final String WORKLOAD = "workload";
    private static final JobKey POLL = JobKey.jobKey("poll", AGENT);
    private static final JobKey TICK = JobKey.jobKey("reconcile", AGENT);

    private final Scheduler quartz;
    private final Map<JobKey, Job> jobs = new ConcurrentHashMap<>();
    private final JobRunner runner;
    private final Clock clock;
    private final Object hintLock = new Object();
    /** When a check-now hint asked for the next poll, until a poll starts at or after it; null when none. */
    private java.time.Instant hintedAt;

    /**
     * @param poll          one poll, told whether it answers a check-now hint; returns whether it succeeded
     * @param nextPollDelay the delay after a poll, given whether it succeeded
     * @param tick          one reconcile tick
     */
    public AgentScheduler(Predicate<Boolean> poll, Function<Boolean, Duration> nextPollDelay, Runnable tick,
                          JobRunner runner, Clock clock) throws SchedulerException {
        this.runner = runner;
        this.clock = clock;
        Properties props = new Properties();
        props.setProperty("org.quartz.scheduler.instanceName", "voltis");
        props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        props.setProperty("org.quartz.threadPool.class", QuietThreadPool.class.getName());
        props.setProperty("org.quartz.threadPool.threadCount", "3");
        props.setProperty("org.quartz.threadPool.threadNamePrefix", "voltis-scheduler");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        props.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
        quartz = new StdSchedulerFactory(props).getScheduler();
        quartz.setJobFactory((bundle, scheduler) -> {
            Job job = jobs.get(bundle.getJobDetail().getKey());
            if (job == null) {
                throw new SchedulerException("no job " + bundle.getJobDetail().getKey());
            }
            return job;
        });
        jobs.put(POLL, new PollJob(poll, nextPollDelay));
        jobs.put(TICK, new TickJob(tick));
    }

    /** Starts polling after {@code firstPoll} and ticking every {@code tickInterval}. */
    public void start(Duration firstPoll, Duration tickInterval) throws SchedulerException {
        quartz.scheduleJob(JobBuilder.newJob(PollJob.class).withIdentity(POLL).storeDurably().build(),
                pollTrigger(firstPoll));
        quartz.scheduleJob(JobBuilder.newJob(TickJob.class).withIdentity(TICK).build(),
                TriggerBuilder.newTrigger().withIdentity("reconcile", AGENT).startNow()
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                                .withIntervalInMilliseconds(tickInterval.toMillis()).repeatForever()
                                .withMisfireHandlingInstructionNextWithRemainingCount())
                        .build());
        quartz.start();
    }

    /**
     * Moves the next poll to {@code at} when it was due later (a check-now hint); a poll due
     * sooner stays. A poll running now is not interrupted: the hinted one follows it, whatever
     * that poll's own schedule says next.
     */
    public void pollAt(java.time.Instant at) {
        synchronized (hintLock) {
            if (hintedAt == null || at.isBefore(hintedAt)) {
                hintedAt = at;
            }
            try {
                if (quartz.isShutdown()) {
                    return;
                }
                Trigger current = quartz.getTrigger(TriggerKey.triggerKey("poll", AGENT));
                Date due = current == null ? null : current.getNextFireTime();
                if (current != null && (due == null || due.toInstant().isAfter(at))) {
                    quartz.rescheduleJob(current.getKey(), pollTriggerAt(at));
                }
            } catch (SchedulerException e) {
                LOG.error("cannot move the next poll for a hint: {}", e.getMessage());
            }
        }
    }

    private Trigger pollTrigger(Duration delay) {
        return pollTriggerAt(clock.instant().plus(delay));
    }

    private Trigger pollTriggerAt(java.time.Instant at) {
        return TriggerBuilder.newTrigger().withIdentity("poll", AGENT).forJob(POLL)
                .startAt(Date.from(at))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
                .build();
    }

    /**
     * Replaces the workload's cron jobs. Each job is scheduled on its own: one that Quartz refuses
     * (validation refuses what it can know, such as a schedule that never fires) is left out with
     * one error line naming it, and the others are scheduled all the same. Returns those lines.
     */
    @Override
    public List<String> replace(List<Scheduled> scheduled) {
        List<String> refused = new java.util.ArrayList<>();
        try {
            for (JobKey key : quartz.getJobKeys(GroupMatcher.jobGroupEquals(WORKLOAD))) {
                quartz.deleteJob(key);
                jobs.remove(key);
            }
        } catch (SchedulerException | RuntimeException e) {
            LOG.error("cannot remove the previous workload cron jobs: {}", e.getMessage());
        }
        for (Scheduled s : scheduled) {
            JobKey key = JobKey.jobKey(s.name(), WORKLOAD);
            try {
                jobs.put(key, new CronJob(s, runner));
                JobDetail detail = JobBuilder.newJob(CronJob.class).withIdentity(key).build();
                quartz.scheduleJob(detail, TriggerBuilder.newTrigger().withIdentity(TriggerKey.triggerKey(s.name(), WORKLOAD))
                        .withSchedule(CronScheduleBuilder.cronSchedule(s.schedule()).withMisfireHandlingInstructionDoNothing())
                        .build());
            } catch (SchedulerException | RuntimeException e) {
                jobs.remove(key);
                String line = "cron job " + s.name() + " ('" + s.schedule() + "') is not scheduled: " + e.getMessage();
                LOG.error("{}; the workload's other jobs are", line);
                refused.add(line);
            }
        }
        return refused;
    }

    /** The workload jobs scheduled now, by name, with their next fire time; for status and tests. */
    public Map<String, Date> scheduledJobs() throws SchedulerException {
        Map<String, Date> out = new java.util.TreeMap<>();
        for (JobKey key : quartz.getJobKeys(GroupMatcher.jobGroupEquals(WORKLOAD))) {
            for (Trigger t : quartz.getTriggersOfJob(key)) {
                out.put(key.getName(), t.getNextFireTime());
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            // wait for the job in flight (a tick or a poll) to finish; cron runs continue in the job runner
            quartz.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("scheduler shutdown: {}", e.getMessage());
        }
    }

    @DisallowConcurrentExecution
    final class PollJob implements Job {
        private final Predicate<Boolean> poll;
        private final Function<Boolean, Duration> next;

        PollJob(Predicate<Boolean> poll, Function<Boolean, Duration> next) {
            this.poll = poll;
            this.next = next;
        }

        @Override
        public void execute(JobExecutionContext context) {
            boolean hinted = false;
            synchronized (hintLock) {
                if (hintedAt != null && !hintedAt.isAfter(clock.instant().plusMillis(50))) {
                    hintedAt = null; // this poll answers the hint
                    hinted = true;
                }
            }
            boolean ok = false;
            try {
                ok = poll.test(hinted);
            } catch (Throwable e) {
                LOG.error("poll failed", e);
            } finally {
                try {
                    synchronized (hintLock) {
                        if (!quartz.isShutdown()) {
                            java.time.Instant at = clock.instant().plus(next.apply(ok));
                            if (hintedAt != null && hintedAt.isBefore(at)) {
                                at = hintedAt; // a hint came while this poll ran
                            }
                            quartz.rescheduleJob(TriggerKey.triggerKey("poll", AGENT), pollTriggerAt(at));
                        }
                    }
                } catch (SchedulerException e) {
                    LOG.error("cannot schedule the next poll", e);
                }
            }
        }
    }

    @DisallowConcurrentExecution
    static final class TickJob implements Job {
        private final Runnable tick;

        TickJob(Runnable tick) {
            this.tick = tick;
        }

        @Override
        public void execute(JobExecutionContext context) {
            try {
                tick.run();
            } catch (Throwable e) {
                LOG.error("reconcile tick failed", e);
            }
        }
    }

    @DisallowConcurrentExecution
    static final class CronJob implements Job {
        private final Scheduled scheduled;
        private final JobRunner runner;

        CronJob(Scheduled scheduled, JobRunner runner) {
            this.scheduled = scheduled;
            this.runner = runner;
        }

        @Override
        public void execute(JobExecutionContext context) {
            try {
                runner.submit(scheduled.request().get());
            } catch (Throwable e) {
                LOG.error("cron job {} could not start: {}", scheduled.name(), e.getMessage());
            }
        }
    }
}
