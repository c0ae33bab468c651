package io.voltis.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.voltis.agent.config.AgentConfig;
import io.voltis.sync.RevisionNotFoundException;
import io.voltis.sync.Revisions;
import io.voltis.sync.StateLayout;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.ApplyRecord;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.store.StoreException;

/**
 * This device's agent as a command sees it: its settings, its store (through the daemon while
 * it runs, else the file; docs/decisions/0007), and the daemon's API when it answers.
 */
final class Device implements AutoCloseable {

    final AgentConfig config;
    final RevisionStore store;
    final Optional<DaemonApi> daemon;

    private Device(AgentConfig config, RevisionStore store, Optional<DaemonApi> daemon) {
        this.config = config;
        this.store = store;
        this.daemon = daemon;
    }

    /**
     * For {@code status}: as {@link #open}, but when the store cannot be opened (a full disk, a
     * store the daemon is reopening) and the daemon answers, a device with no store ({@code store}
     * null), whose status comes from the daemon alone.
     */
    static Device openLive(AgentConfig config) {
        try {
            return open(config);
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof StoreException)) {
                throw e;
            }
            Optional<DaemonApi> daemon = DaemonApi.find(config);
            if (daemon.isEmpty()) {
                throw e;
            }
            return new Device(config, null, daemon);
        }
    }

    /** @throws IllegalStateException with one line when there is no readable agent state */
    static Device open(AgentConfig config) {
        if (!Files.isDirectory(config.stateDir())) {
            throw new IllegalStateException("no agent state in " + config.stateDir()
                    + ": the directory does not exist (give --state-dir, or start the agent first)");
        }
        if (!Files.isReadable(config.stateDir()) || !Files.isExecutable(config.stateDir())) {
            throw new IllegalStateException(config.stateDir() + " is not readable by this user (run as the agent's user, e.g. with sudo)");
        }
        try {
            RevisionStore store = RevisionStore.openClient(config.stateDir(), Clock.systemUTC());
            return new Device(config, store, DaemonApi.find(config));
        } catch (StoreException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * A full or unique short SHA this device has seen (recorded in the store, or in its Git
     * mirror), resolved offline (errors name the candidates); or a tag, looked up on the Git
     * server (a tag's commit may not be fetched yet, so only a tag needs the server). Always the
     * full SHA. The algorithm is {@link Revisions#resolve(String, Revisions.Reach)}'s.
     */
    String resolve(String rev) {
        String r = rev.strip();
        if (!r.matches("[0-9a-fA-F]{4,40}") && config.repo().isEmpty()) {
            throw new IllegalStateException("unknown revision '" + r + "': not a commit this device has seen; to look it up"
                    + " as a tag, the command needs the repository (repo: in " + io.voltis.agent.config.ConfigLoader.DEFAULT_FILE
                    + ", or --config FILE)");
        }
        StateLayout layout = new StateLayout(config.stateDir());
        Path dir = layout.mirror();
        try (io.voltis.sync.git.GitMirror local = Files.isRegularFile(dir.resolve("HEAD")) ? io.voltis.sync.git.GitMirror.open(dir,
                layout.ssh(), new io.voltis.sync.git.GitSourceSpec(dir.toString(), config.branch(),
                config.path(), io.voltis.sync.git.GitCredentials.NONE)) : null) {
            return new Revisions(store).resolve(r, new Revisions(store).seen(local, config.repo().isEmpty() ? null : tags()));
        } catch (RevisionNotFoundException | SourceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Under {@code verify: enforce}, whether {@code sha} may be pinned: its signature verified
     * (recorded by the daemon, or verified now against the local mirror with the device's
     * allowed_signers). Returns what the command's output adds ("" when nothing);
     * {@code allowUnverified} accepts it whatever its signature, and says so.
     *
     * @throws IllegalStateException the commit does not verify: why, and the flag that accepts it
     */
    String trustNote(String sha, boolean allowUnverified) {
        var trust = config.trust();
        if (trust.mode() != io.voltis.sync.trust.TrustSettings.Mode.ENFORCE) {
            return "";
        }
        if (allowUnverified) {
            return "; accepted without a verified signature (--allow-unverified): the daemon applies it unverified";
        }
        var record = store.revision(sha);
        if (record.isPresent() && io.voltis.sync.store.RevisionRecord.VERIFIED.equals(record.get().trust())) {
            return "; signed by " + record.get().signer();
        }
        StateLayout layout = new StateLayout(config.stateDir());
        Path dir = layout.mirror();
        if (!Files.isRegularFile(dir.resolve("HEAD"))) {
            return "; its signature is verified by the daemon when it fetches it (verify: enforce)";
        }
        try (io.voltis.sync.git.GitMirror local = io.voltis.sync.git.GitMirror.open(dir, layout.ssh(),
                new io.voltis.sync.git.GitSourceSpec(dir.toString(), config.branch(), config.path(),
                        io.voltis.sync.git.GitCredentials.NONE))) {
            if (!local.has(sha)) {
                return "; its signature is verified by the daemon when it fetches it (verify: enforce)";
            }
            io.voltis.sync.trust.CommitVerifier.Verdict v;
            try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(local.repository())) {
                v = trust.verifier().verify(local.repository(), walk.parseCommit(org.eclipse.jgit.lib.ObjectId.fromString(sha)));
            }
            if (v.trusted()) {
                return "; signed by " + v.signerText();
            }
            throw new IllegalStateException("refused: " + shortSha(sha) + " does not verify (verify: enforce): "
                    + v.reason().word() + ": " + v.message() + "; to run it anyway, give --allow-unverified");
        } catch (SourceException | java.io.IOException e) {
            throw new IllegalStateException("cannot verify the signature of " + shortSha(sha) + ": " + e.getMessage()
                    + "; to run it anyway, give --allow-unverified", e);
        } catch (io.voltis.sync.trust.TrustConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Tags on the configured repository's server (with this device's credentials). */
    private Revisions.TagLookup tags() {
        var named = new io.voltis.sync.git.GitSourceSpec(config.repo(), config.branch(), config.path(),
                io.voltis.sync.git.GitCredentials.NONE);
        return new Revisions.TagLookup() {
            @Override
            public Optional<String> tag(String name) throws SourceException {
                // credentials are read only when a tag is looked up: a SHA pins offline whatever they are
                var credentials = io.voltis.sync.git.CredentialSources.load(config.repo(), config.gitUsername(),
                        config.gitPasswordFile(), config.sshKey(), config.knownHosts(), System.getenv(),
                        config.allowInsecureHttp());
                var spec = new io.voltis.sync.git.GitSourceSpec(config.repo(), config.branch(), config.path(), credentials);
                try (io.voltis.sync.git.GitMirror mirror = io.voltis.sync.git.GitMirror.open(
                        new StateLayout(config.stateDir()).mirror(), new StateLayout(config.stateDir()).ssh(), spec)) {
                    return mirror.remoteTag(name);
                } catch (SourceException e) {
                    throw new IllegalStateException("cannot look up tag '" + name + "' on " + spec.displayUrl() + ": "
                            + e.reason().word() + ": " + e.getMessage(), e);
                }
            }

            @Override
            public String displayUrl() {
                return named.displayUrl();
            }
        };
    }

    /** The revision that runs: the last one applied successfully. */
    Optional<String> applied() {
        return store.lastSuccessfulApply().map(ApplyRecord::sha);
    }

    /**
     * What the daemon would run now, by the agent's one rule (CLI pin, else the device file's
     * {@code revision:} at the head as last fetched, else that head), read from the mirror and
     * the store; empty when they cannot tell (nothing fetched yet, a pin this device cannot find).
     */
    Optional<io.voltis.agent.plan.Plan.TargetRevision> desired() {
        try (io.voltis.agent.plan.Planner planner = io.voltis.agent.plan.Planner.over(config, store,
                io.voltis.agent.packages.system.SystemPackages.onDevice())) {
            return Optional.of(planner.desired());
        } catch (io.voltis.agent.plan.PlanException e) {
            return Optional.empty();
        }
    }

    /** What to tell about when the change takes effect. */
    String whenApplied() {
        if (daemon.isPresent()) {
            return "the daemon applies it within " + seconds(config.reconcileInterval());
        }
        return "the agent is not running: it applies it when it starts";
    }

    /** The name the agent runs as (from its run facts: it may have come from a flag of {@code run}). */
    String hostname() {
        return config.hostname();
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    static String shortSha(String sha) {
        if (sha == null) {
            return "-";
        }
        return sha.matches("[0-9a-f]{40,64}") ? sha.substring(0, 12) : sha;
    }

    static List<ApplyRecord> succeeded(List<ApplyRecord> applies) {
        return applies.stream().filter(a -> a.result() == ApplyRecord.Result.SUCCEEDED).toList();
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
