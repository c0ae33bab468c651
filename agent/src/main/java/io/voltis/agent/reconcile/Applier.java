package io.voltis.agent.reconcile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import io.voltis.agent.files.DesiredFile;
import io.voltis.agent.files.FileRenderer;
import io.voltis.agent.files.FileStepException;
import io.voltis.agent.jobs.JobRequest;
import io.voltis.agent.jobs.JobRunner;
import io.voltis.agent.packages.PackageException;
import io.voltis.agent.packages.PackageStatus;
import io.voltis.agent.runtime.ServiceDefinition;
import io.voltis.model.JobSpec;
import io.voltis.model.JobTrigger;
import io.voltis.model.Templates;
import io.voltis.model.WorkloadSpec;
import io.voltis.sync.RevisionArchive;
import io.voltis.sync.InFlight;
import io.voltis.sync.Preparation;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.EventType;

/**
 * Applies one prepared revision, all or nothing at the revision level: files, then packages,
 * then the jobs that run per revision or once, then services. The revision was unpacked and
 * validated before anything here touches the device. If files, packages or jobs fail, the
 * files are put back as the previous revision had them, services are not touched, and the
 * apply is recorded as failed: the last good revision keeps running.
 *
 * <p>Public only for {@link #plan(Preparation.Ready, FileRenderer, Path, String)}, which
 * {@code voltis-agent plan} uses to render a revision exactly as an apply would.
 */
public final class Applier {

    /** An apply failed; the message is one line, and the device runs the previous revision. */
    static final class ApplyFailed extends Exception {
        private final ApplyReason reason;

        ApplyFailed(ApplyReason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        ApplyReason reason() {
            return reason;
        }
    }

    private final Reconciler.Parts p;
    private final PackageWatch packages;

    Applier(Reconciler.Parts parts, PackageWatch packages) {
        this.p = parts;
        this.packages = packages;
    }

    /** What applying {@code ready} would produce, without touching the device. */
    Applied plan(Preparation.Ready ready) throws FileStepException {
        return plan(ready, p.renderer(), p.root(), p.hostname());
    }

    /**
     * What applying {@code ready} on the device {@code hostname} with root {@code root} would
     * produce — the variables (VOLTIS_* included), the rendered files and the service definitions
     * with their fingerprints — without touching the device. Reads only {@code ready.dir()}.
     */
    public static Applied plan(Preparation.Ready ready, FileRenderer renderer, Path root, String hostname)
            throws FileStepException {
        Map<String, String> vars = vars(ready, root, hostname);
        String folder = ready.resolution().workload().folder();
        vars.putAll(renderer.secrets(ready.dir(), folder, ready.resolution().device().secrets()));
        WorkloadSpec spec = ready.resolution().workload().spec();
        List<DesiredFile> files = renderer.render(ready.dir(), folder, spec.files(), vars);
        List<ServiceDefinition> services = ServicePlan.definitions(ready.resolution().workload().name(), spec.services(),
                ready.dir(), ready.files(), files, vars);
        return new Applied(ready, vars, files, services);
    }

    /**
     * What the device runs, rebuilt without touching it: the last successful apply, prepared from
     * the Git mirror or, when the mirror lacks the commit, from the store's archive of it, then
     * rendered as {@link #plan} renders it. The reconciler after a restart and {@code plan} both
     * rebuild it here. {@code sha} is null when nothing was applied yet; {@code applied} is null
     * when the revision cannot be rebuilt, and {@code why} then says why.
     */
    public record Rebuilt(String sha, Applied applied, String why) {
    }

    public static Rebuilt rebuild(io.voltis.sync.store.RevisionStore store, io.voltis.sync.Preparer preparer,
                                  FileRenderer renderer, Path root, String hostname) {
        var last = store.lastSuccessfulApply();
        if (last.isEmpty()) {
            return new Rebuilt(null, null, null);
        }
        String sha = last.get().sha();
        try {
            Preparation prepared = preparer.prepare(sha);
            if (prepared instanceof Preparation.Ready ready) {
                return new Rebuilt(sha, plan(ready, renderer, root, hostname), null);
            }
            return new Rebuilt(sha, null, prepared instanceof Preparation.Invalid ? "no longer valid here"
                    : "no device file for " + hostname);
        } catch (io.voltis.sync.git.SourceException | FileStepException | RuntimeException e) {
            return new Rebuilt(sha, null, e.getMessage());
        }
    }

    /**
     * Applies {@code ready}. The apply is recorded in flight first ({@link io.voltis.sync.InFlight})
     * and the record removed when it returns, failed or not — but not when an {@link Error} such
     * as an OutOfMemoryError passes through: that counts as the agent dying on this revision.
     */
    Applied apply(Preparation.Ready ready, Applied previous) throws ApplyFailed {
        try {
            p.preparer().begin(InFlight.Step.APPLY, ready.sha());
        } catch (SourceException e) {
            throw new ApplyFailed(ApplyReason.APPLY_ERROR, "apply of " + ready.sha().substring(0, 12) + " not started: "
                    + e.getMessage(), e);
        }
        try {
            Applied next = applyNow(ready, previous);
            p.preparer().end();
            return next;
        } catch (ApplyFailed | RuntimeException e) {
            p.preparer().end();
            throw e;
        }
    }

    private Applied applyNow(Preparation.Ready ready, Applied previous) throws ApplyFailed {
        long started = System.nanoTime();
        java.time.Instant resumed = unfinishedSince(ready.sha());
        long id = p.store().applyStarted(ready.sha());
        p.store().addEvent(EventType.APPLY_STARTED, ready.sha(), "applying " + ready.sha().substring(0, 12)
                + " (" + ready.resolution().workload().name() + ")");
        String step = "files";
        boolean filesTouched = false;
        try {
            Applied next = plan(ready);
            WorkloadSpec spec = ready.resolution().workload().spec();
            filesTouched = true;
            p.files().apply(next.files());
            step = "packages";
            for (PackageStatus seen : packages.ensure(ready.sha(), spec.packages(), next.vars(), p.clock().instant())) {
                if (seen.state() == PackageStatus.State.FAILED) {
                    throw new PackageException(seen.name() + ": " + seen.message());
                }
            }
            step = "jobs";
            runJobs(spec, next, ready.sha(), resumed);
            step = "services";
            Set<String> keep = new HashSet<>();
            next.services().forEach(s -> keep.add(s.name()));
            for (String name : p.runtime().names()) {
                if (!keep.contains(name)) {
                    p.runtime().remove(name);
                }
            }
            next.services().forEach(p.runtime()::apply);
            p.store().applyFinished(id, ApplyRecord.Result.SUCCEEDED, null);
            p.store().addEvent(EventType.APPLIED, ready.sha(), "applied " + ready.sha().substring(0, 12) + " ("
                    + ready.resolution().workload().name() + ") in " + seconds(System.nanoTime() - started));
            schedule(next);
            // NOTE: after the services: the systemd runtime's units name their revision folder as
            // WorkingDirectory, and every unit now names this revision's before older ones are pruned.
            keep(ready);
            return next;
        } catch (FileStepException | PackageException | JobFailed | RuntimeException e) {
            String message = step + ": " + e.getMessage();
            if (filesTouched && previous != null) {
                restore(previous);
            }
            p.store().applyFinished(id, ApplyRecord.Result.FAILED, message);
            p.store().addEvent(EventType.APPLY_FAILED, ready.sha(), reason(e).word() + ": " + message);
            throw new ApplyFailed(reason(e), "apply of " + ready.sha().substring(0, 12) + " failed at " + message, e);
        }
    }

    /** The reason an ApplyFailed event (and its log line, and lastError) begins with. */
    private static ApplyReason reason(Exception e) {
        if (e instanceof FileStepException) {
            return ApplyReason.FILES_FAILED;
        }
        if (e instanceof PackageException) {
            return ApplyReason.PACKAGE_FAILED;
        }
        if (e instanceof JobFailed) {
            return ApplyReason.JOB_FAILED;
        }
        return ApplyReason.APPLY_ERROR;
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /**
     * When the newest applies are of {@code sha} and did not succeed — cut short by a crash, or
     * failed (a retry) — the start of the first of them: this apply carries on from theirs, and a
     * per-revision job that already succeeded within them is not run again (it runs once for a
     * newly applied revision, not once per attempt). Null otherwise.
     */
    private java.time.Instant unfinishedSince(String sha) {
        java.time.Instant since = null;
        for (ApplyRecord a : p.store().applies(20)) {
            boolean unfinished = a.result() == ApplyRecord.Result.INTERRUPTED || a.result() == ApplyRecord.Result.FAILED;
            if (!unfinished || !a.sha().equals(sha)) {
                break;
            }
            since = a.startedAt();
        }
        return since;
    }

    private void runJobs(WorkloadSpec spec, Applied next, String sha, java.time.Instant resumed) throws JobFailed {
        for (JobSpec job : spec.jobs()) {
            if (job.isScheduled() || (job.when() == JobTrigger.ONCE && p.jobs().ranOnce(job.name()))) {
                continue;
            }
            if (resumed != null && job.when() == JobTrigger.PER_REVISION
                    && p.jobs().succeededSince(job.name(), sha, job.when().keyword(), resumed)) {
                continue; // it succeeded in the apply a crash cut short, which this one resumes
            }
            try {
                JobRunner.Outcome outcome = p.jobs().submit(request(job, next, sha)).get();
                if (!outcome.ok()) {
                    String out = outcome.output().strip();
                    String lastLine = out.isEmpty() ? "" : ": " + out.substring(out.lastIndexOf('\n') + 1);
                    throw new JobFailed("job " + job.name() + " " + outcome.result().name().toLowerCase().replace('_', ' ')
                            + (outcome.exitCode() == null ? "" : " (exit " + outcome.exitCode() + ")") + lastLine);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobFailed("job " + job.name() + " interrupted");
            } catch (ExecutionException e) {
                throw new JobFailed("job " + job.name() + ": " + e.getCause().getMessage());
            }
        }
    }

    /**
     * Schedules the cron jobs of {@code running} in place of whatever was scheduled: after its
     * apply, and at an agent's start for the revision it finds applied (the scheduler is in
     * memory, so a restart would otherwise leave the running revision's cron jobs unscheduled).
     * A job the scheduler refuses is recorded as {@code CronJobRefused}; the others are scheduled.
     */
    void schedule(Applied running) {
        String sha = running.ready().sha();
        for (String refused : p.cron().replace(scheduled(running.ready().resolution().workload().spec(), running, sha))) {
            p.store().addEvent(EventType.CRON_JOB_REFUSED, sha, refused);
        }
    }

    private List<CronJobs.Scheduled> scheduled(WorkloadSpec spec, Applied next, String sha) {
        return spec.jobs().stream().filter(JobSpec::isScheduled)
                .map(j -> new CronJobs.Scheduled(j.name(), j.schedule(), () -> request(j, next, sha)))
                .toList();
    }

    private JobRequest request(JobSpec job, Applied next, String sha) {
        Map<String, String> env = new LinkedHashMap<>();
        job.env().forEach((k, v) -> env.put(k, Templates.render(v, next.vars())));
        Templates.BUILTINS.forEach(k -> env.put(k, next.vars().get(k)));
        String trigger = job.isScheduled() ? "schedule" : job.when().keyword();
        return new JobRequest(job.name(), job.run().stream().map(a -> Templates.render(a, next.vars())).toList(), env,
                next.ready().dir(), job.timeout(), sha, trigger);
    }

    private void restore(Applied previous) {
        try {
            p.files().apply(previous.files());
        } catch (FileStepException e) {
            p.store().addEvent(EventType.RESTORE_FAILED, previous.sha(), "could not put the previous files back: " + e.getMessage());
        }
    }

    /**
     * Keeps the archive of the applied revision, and prunes archives and unpacked folders to the
     * {@code keepRevisions} most recently applied revisions (the one just applied included).
     */
    private void keep(Preparation.Ready ready) {
        try {
            saveArchive(p.store(), ready);
            p.store().pruneArchives(p.keepRevisions());
            Set<String> recent = new java.util.LinkedHashSet<>();
            recent.add(ready.sha());
            for (ApplyRecord a : p.store().applies(1000)) {
                if (recent.size() >= p.keepRevisions()) {
                    break;
                }
                if (a.result() == ApplyRecord.Result.SUCCEEDED) {
                    recent.add(a.sha());
                }
            }
            p.unpacker().prune(recent);
        } catch (IOException | RuntimeException e) {
            p.store().addEvent(EventType.ARCHIVE_FAILED, ready.sha(), "cannot keep the workload archive: " + e.getMessage());
        }
    }

    /**
     * Packs the revision into a temporary file beside the unpacked revisions (a leftover of a crash
     * is removed at the next start, as any {@code .tmp-} entry there) and streams it into the store:
     * memory does not grow with the workload's size.
     */
    static void saveArchive(io.voltis.sync.store.RevisionStore store, Preparation.Ready ready) throws IOException {
        Path temp = Files.createTempFile(ready.dir().getParent(), ".tmp-archive-", ".tar.gz",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(temp))) {
                RevisionArchive.pack(ready, out);
            }
            try (InputStream in = Files.newInputStream(temp)) {
                store.saveArchive(ready.sha(), in);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Map<String, String> vars(Preparation.Ready ready, Path root, String hostname) {
        Map<String, String> vars = new LinkedHashMap<>(ready.resolution().device().vars());
        vars.put("VOLTIS_ROOT", root.toString());
        vars.put("VOLTIS_REVISION", ready.sha());
        vars.put("VOLTIS_WORKLOAD", ready.resolution().workload().name());
        vars.put("VOLTIS_HOSTNAME", hostname);
        return vars;
    }

    /** A per-revision or once job did not succeed. */
    static final class JobFailed extends Exception {
        JobFailed(String message) {
            super(message);
        }
    }
}
