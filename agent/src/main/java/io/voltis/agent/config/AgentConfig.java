package io.voltis.agent.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the daemon is told, merged and validated. Secrets are not here: only the files
 * that hold them (and the environment, read by the Git layer's credential loader).
 */
public record AgentConfig(
        String repo,
        String branch,
        String path,
        String hostname,
        Duration interval,
        Duration reconcileInterval,
        Path stateDir,
        Path root,
        Runtime runtime,
        String listen,
        Path apiTokenFile,
        boolean once,
        String gitUsername,
        Path gitPasswordFile,
        Path sshKey,
        Path knownHosts,
        int jobWorkers,
        int keepRevisions,
        Duration stopGrace,
        boolean allowInsecureHttp,
        LogFormat logFormat,
        io.voltis.model.SizeLimits sizeLimits,
        Path gitCaFile,
        io.voltis.sync.trust.TrustSettings trust,
        java.util.List<io.voltis.agent.notify.NotifyTarget> notifyTargets,
        io.voltis.agent.hints.HintSettings hints,
        Path identityFile) {

    public AgentConfig {
        notifyTargets = notifyTargets == null ? java.util.List.of() : java.util.List.copyOf(notifyTargets);
        hints = hints == null ? io.voltis.agent.hints.HintSettings.OFF : hints;
    }

    /** The settings without check-now hints from a broker. */
    public AgentConfig(String repo, String branch, String path, String hostname, Duration interval,
                       Duration reconcileInterval, Path stateDir, Path root, Runtime runtime, String listen,
                       Path apiTokenFile, boolean once, String gitUsername, Path gitPasswordFile, Path sshKey,
                       Path knownHosts, int jobWorkers, int keepRevisions, Duration stopGrace, boolean allowInsecureHttp,
                       LogFormat logFormat, io.voltis.model.SizeLimits sizeLimits, Path gitCaFile,
                       io.voltis.sync.trust.TrustSettings trust,
                       java.util.List<io.voltis.agent.notify.NotifyTarget> notifyTargets) {
        this(repo, branch, path, hostname, interval, reconcileInterval, stateDir, root, runtime, listen, apiTokenFile,
                once, gitUsername, gitPasswordFile, sshKey, knownHosts, jobWorkers, keepRevisions, stopGrace,
                allowInsecureHttp, logFormat, sizeLimits, gitCaFile, trust, notifyTargets, null, null);
    }

    /** The settings with the default device identity, {@code <state-dir>/identity.txt}. */
    public AgentConfig(String repo, String branch, String path, String hostname, Duration interval,
                       Duration reconcileInterval, Path stateDir, Path root, Runtime runtime, String listen,
                       Path apiTokenFile, boolean once, String gitUsername, Path gitPasswordFile, Path sshKey,
                       Path knownHosts, int jobWorkers, int keepRevisions, Duration stopGrace, boolean allowInsecureHttp,
                       LogFormat logFormat, io.voltis.model.SizeLimits sizeLimits, Path gitCaFile,
                       io.voltis.sync.trust.TrustSettings trust,
                       java.util.List<io.voltis.agent.notify.NotifyTarget> notifyTargets,
                       io.voltis.agent.hints.HintSettings hints) {
        this(repo, branch, path, hostname, interval, reconcileInterval, stateDir, root, runtime, listen, apiTokenFile,
                once, gitUsername, gitPasswordFile, sshKey, knownHosts, jobWorkers, keepRevisions, stopGrace,
                allowInsecureHttp, logFormat, sizeLimits, gitCaFile, trust, notifyTargets, hints, null);
    }

    /**
     * The device's age identity file: {@code identity-file} when set, else
     * {@code <state-dir>/identity.txt}. {@link #identityFile} itself is null when not set.
     */
    public Path identityPath() {
        return identityFile != null ? identityFile : stateDir.resolve(io.voltis.agent.secrets.DeviceIdentity.FILE_NAME);
    }

    /** These settings with the identity file {@code identityFile} (null: the default in the state directory). */
    public AgentConfig withIdentityFile(Path identityFile) {
        return new AgentConfig(repo, branch, path, hostname, interval, reconcileInterval, stateDir, root, runtime, listen,
                apiTokenFile, once, gitUsername, gitPasswordFile, sshKey, knownHosts, jobWorkers, keepRevisions, stopGrace,
                allowInsecureHttp, logFormat, sizeLimits, gitCaFile, trust, notifyTargets, hints, identityFile);
    }

    /**
     * The settings without {@code allow-insecure-http} (off), {@code log-format} (text), the
     * size limits (their defaults), {@code git-ca-file} (the JVM's CAs) and the trust policy (off).
     */
    public AgentConfig(String repo, String branch, String path, String hostname, Duration interval,
                       Duration reconcileInterval, Path stateDir, Path root, Runtime runtime, String listen,
                       Path apiTokenFile, boolean once, String gitUsername, Path gitPasswordFile, Path sshKey,
                       Path knownHosts, int jobWorkers, int keepRevisions, Duration stopGrace) {
        this(repo, branch, path, hostname, interval, reconcileInterval, stateDir, root, runtime, listen, apiTokenFile,
                once, gitUsername, gitPasswordFile, sshKey, knownHosts, jobWorkers, keepRevisions, stopGrace,
                false, LogFormat.TEXT, io.voltis.model.SizeLimits.DEFAULTS, null, io.voltis.sync.trust.TrustSettings.OFF,
                java.util.List.of());
    }

    /** These settings with the trust policy {@code trust}. */
    public AgentConfig withTrust(io.voltis.sync.trust.TrustSettings trust) {
        return new AgentConfig(repo, branch, path, hostname, interval, reconcileInterval, stateDir, root, runtime, listen,
                apiTokenFile, once, gitUsername, gitPasswordFile, sshKey, knownHosts, jobWorkers, keepRevisions, stopGrace,
                allowInsecureHttp, logFormat, sizeLimits, gitCaFile, trust, notifyTargets, hints, identityFile);
    }

    /** These settings with the check-now hint settings {@code hints}. */
    public AgentConfig withHints(io.voltis.agent.hints.HintSettings hints) {
        return new AgentConfig(repo, branch, path, hostname, interval, reconcileInterval, stateDir, root, runtime, listen,
                apiTokenFile, once, gitUsername, gitPasswordFile, sshKey, knownHosts, jobWorkers, keepRevisions, stopGrace,
                allowInsecureHttp, logFormat, sizeLimits, gitCaFile, trust, notifyTargets, hints, identityFile);
    }

    /** These settings with the notification targets {@code notify}. */
    public AgentConfig withNotify(java.util.List<io.voltis.agent.notify.NotifyTarget> notifyTargets) {
        return new AgentConfig(repo, branch, path, hostname, interval, reconcileInterval, stateDir, root, runtime, listen,
                apiTokenFile, once, gitUsername, gitPasswordFile, sshKey, knownHosts, jobWorkers, keepRevisions, stopGrace,
                allowInsecureHttp, logFormat, sizeLimits, gitCaFile, trust, notifyTargets, hints, identityFile);
    }

    /** How the daemon writes its log. NOTE: the words are the setting's values (docs/configuration.md). */
    public enum LogFormat {
        /** One line of text per entry; under systemd the journal adds the time. */
        TEXT("text"),
        /** One JSON object per line (logstash-logback-encoder), with the event, reason and revision as fields. */
        JSON("json");

        private final String word;

        LogFormat(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /** Where services run. NOTE: the words are the flag values. */
    public enum Runtime {
        PROCESS("process"), SYSTEMD("systemd");

        private final String word;

        Runtime(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /** The host part of {@link #listen}, without IPv6 brackets. */
    public String listenHost() {
        String host = listen.substring(0, listen.lastIndexOf(':'));
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port part of {@link #listen}; 0 picks a free port. */
    public int listenPort() {
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    @Override
    public String toString() {
        return "AgentConfig[repo=" + io.voltis.sync.git.Redact.url(repo) + ", branch=" + branch + ", path=" + path
                + ", hostname=" + hostname + ", interval=" + interval + ", stateDir=" + stateDir + ", root=" + root
                + ", runtime=" + runtime.word() + ", listen=" + listen + ", apiTokenFile=" + apiTokenFile + ", once=" + once + ", logFormat=" + logFormat.word()
                + ", verify=" + trust.mode().word() + ", mqttUrl=" + hints.mqttUrl() + "]";
    }
}
