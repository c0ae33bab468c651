package io.voltis.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.voltis.agent.Agent;
import io.voltis.agent.config.AgentConfig;
import io.voltis.agent.config.ConfigException;
import io.voltis.agent.config.ConfigLoader;
import io.voltis.agent.reconcile.AgentStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code voltis-agent run}: the daemon. Flags beat the config file, which beats VOLTIS_*
 * environment variables (docs/configuration.md). Runs until SIGTERM or SIGINT, then stops cleanly
 * and exits 0 ({@link StopSignals}). With {@code --once}: poll and reconcile once, then exit as
 * {@link OnceOutcome} says (0 converged, 1 failed revision, 3 failing source, 4 not converged).
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the agent: follow the repo and converge this device to its workload.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--repo", paramLabel = "URL", description = "The infrastructure repo: file://, a path, https://, ssh:// or git@host:path.")
    String repo;
    @Option(names = "--branch", paramLabel = "NAME", description = "Branch to follow (default: main).")
    String branch;
    @Option(names = "--path", paramLabel = "DIR", description = "Sub-folder of the repo holding devices/ and workloads/.")
    String path;
    @Option(names = "--hostname", paramLabel = "NAME", description = "This device's name (default: the machine's).")
    String hostname;
    @Option(names = "--interval", paramLabel = "DURATION", description = "Poll interval, with jitter (default: 30s).")
    String interval;
    @Option(names = "--reconcile-interval", paramLabel = "DURATION", description = "Reconcile tick (default: 5s).")
    String reconcileInterval;
    @Option(names = "--state-dir", paramLabel = "DIR", description = "Agent state (default: /var/lib/voltis, or ~/.local/state/voltis when not root).")
    String stateDir;
    @Option(names = "--root", paramLabel = "DIR", description = "Where file targets resolve (default: /).")
    String root;
    @Option(names = "--runtime", paramLabel = "process|systemd", description = "How services run (default: systemd where it is PID 1, else process).")
    String runtime;
    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Status API address (default: 127.0.0.1:9740).")
    String listen;
    @Option(names = "--api-token-file", paramLabel = "FILE",
            description = "Bearer token the status API requires (needed to listen beyond loopback).")
    String apiTokenFile;
    @Option(names = "--once", description = "Poll and reconcile once; exit 0 if converged, 1 if the revision failed, 3 if the source failed, 4 if not converged in time.")
    boolean once;
    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default: /etc/voltis/agent.yaml if present).")
    Path config;
    @Option(names = "--git-username", paramLabel = "NAME", description = "User name for HTTPS (default: VOLTIS_GIT_USERNAME).")
    String gitUsername;
    @Option(names = "--git-password-file", paramLabel = "FILE", description = "File holding the HTTPS password or token (else VOLTIS_GIT_TOKEN / VOLTIS_GIT_PASSWORD).")
    String gitPasswordFile;
    @Option(names = "--ssh-key", paramLabel = "FILE", description = "Private key for SSH URLs.")
    String sshKey;
    @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts for SSH URLs, checked strictly.")
    String knownHosts;
    @Option(names = "--git-ca-file", paramLabel = "FILE",
            description = "PEM bundle of the CAs trusted for an https:// repo, instead of the JVM's (a private CA).")
    String gitCaFile;
    @Option(names = "--allow-insecure-http",
            description = "Send the Git password or token over plain http:// (only where the network is trusted).")
    boolean allowInsecureHttp;
    @Option(names = "--job-workers", paramLabel = "N", description = "Jobs run at once (default: 2).")
    String jobWorkers;
    @Option(names = "--keep-revisions", paramLabel = "N", description = "Applied revisions kept for rollback (default: 10).")
    String keepRevisions;
    @Option(names = "--stop-grace", paramLabel = "DURATION", description = "SIGTERM to SIGKILL for services (default: 10s).")
    String stopGrace;
    @Option(names = "--max-file-size", paramLabel = "SIZE",
            description = "Largest file a workload may hold, e.g. 16M, 1G (default: 1G); larger makes the revision invalid.")
    String maxFileSize;
    @Option(names = "--max-workload-size", paramLabel = "SIZE",
            description = "Largest workload folder in all (default: 2G); larger makes the revision invalid.")
    String maxWorkloadSize;

    @Option(names = "--verify", paramLabel = "off|warn|enforce",
            description = "Commit signatures: off (default), warn (apply, report what fails), enforce (apply only what verifies).")
    String verify;
    @Option(names = "--verify-scope", paramLabel = "chain|head",
            description = "What is verified: every commit after the applied one (chain, default) or the desired one (head).")
    String verifyScope;
    @Option(names = "--allowed-signers", paramLabel = "FILE", description = "OpenSSH allowed_signers file of the keys that may sign commits.")
    String allowedSigners;
    @Option(names = "--gpg-keys", paramLabel = "FILE|DIR", description = "Armored OpenPGP public keys that may sign commits.")
    String gpgKeys;
    @Option(names = "--revoked-keys", paramLabel = "FILE", description = "Revoked signing keys (public key lines, or an OpenSSH KRL).")
    String revokedKeys;

    @Option(names = "--mqtt-url", paramLabel = "URL",
            description = "MQTT broker (tcp://HOST[:PORT] or ssl://HOST[:PORT]) to take check-now hints from; none by default.")
    String mqttUrl;
    @Option(names = "--mqtt-topic", paramLabel = "TOPIC", description = "This device's hint topic (default: voltis/<hostname>/sync; voltis/all/sync too).")
    String mqttTopic;
    @Option(names = "--mqtt-username", paramLabel = "NAME", description = "Broker user name.")
    String mqttUsername;
    @Option(names = "--mqtt-password-file", paramLabel = "FILE", description = "File holding the broker password (mode 600).")
    String mqttPasswordFile;
    @Option(names = "--mqtt-ca-file", paramLabel = "FILE", description = "PEM bundle of the CAs trusted for an ssl:// broker.")
    String mqttCaFile;
    @Option(names = "--hint-spread", paramLabel = "DURATION",
            description = "After a broker's hint, this device polls after its own delay within this (default: 30s).")
    String hintSpread;

    @Option(names = "--identity-file", paramLabel = "FILE",
            description = "This device's age identity, for secrets (default: identity.txt in the state directory).")
    String identityFile;

    @Option(names = "--log-format", paramLabel = "text|json", description = "The daemon's log: text lines, or one JSON object per line (default: text).")
    String logFormat;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg;
        try {
            cfg = loader().load(flags(), config);
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (cfg.apiTokenFile() != null && !cfg.once()) {
            try {
                io.voltis.agent.api.TokenFile.read(cfg.apiTokenFile()); // a bad token file is a bad setting: exit 2, no restart loop
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        try {
            // A credential setting that cannot work (an SSH URL without a key or known_hosts, a password file
            // anyone can read) is a bad setting: exit 2, which systemd does not restart, not a failure at start.
            io.voltis.sync.git.CredentialSources.load(cfg.repo(), cfg.gitUsername(), cfg.gitPasswordFile(), cfg.sshKey(),
                    cfg.knownHosts(), System.getenv(), cfg.allowInsecureHttp());
            if (cfg.gitCaFile() != null) {
                io.voltis.sync.git.PrivateCa.check(cfg.gitCaFile());
            }
        } catch (io.voltis.sync.git.SourceException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (cfg.trust().on()) {
            try {
                cfg.trust().verifier(); // a malformed allowed_signers file: exit 2 naming file and line, no restart loop
            } catch (io.voltis.sync.trust.TrustConfigException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        try {
            // an unreadable secret file or CA of a notification target: exit 2 at start, no restart loop
            io.voltis.agent.notify.NotifyTargets.check(cfg.notifyTargets());
            cfg.hints().check();
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            // an identity open to others, or one set but missing: exit 2 at start, never a key in the message
            io.voltis.agent.secrets.SecretBox.checkAtStart(cfg.identityPath(), cfg.identityFile() != null);
        } catch (io.voltis.agent.secrets.IdentityException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Logging.daemon(cfg.logFormat());
        PrintWriter out = spec.commandLine().getOut();
        if (cfg.once()) {
            try (Agent agent = Agent.start(cfg, System.getenv())) {
                AgentStatus status = agent.runOnce(java.time.Duration.ofSeconds(60), OnceOutcome::hopeless);
                OnceOutcome outcome = OnceOutcome.of(status);
                out.println(outcome.line());
                return outcome.exitCode();
            }
        }
        StopSignals signals = StopSignals.install(); // before the start: a SIGTERM during it is answered after it
        Agent agent = Agent.start(cfg, System.getenv());
        return signals.closeOnSignal(agent);
    }

    private Map<String, String> flags() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("repo", repo);
        f.put("branch", branch);
        f.put("path", path);
        f.put("hostname", hostname);
        f.put("interval", interval);
        f.put("reconcile-interval", reconcileInterval);
        f.put("state-dir", stateDir);
        f.put("root", root);
        f.put("runtime", runtime);
        f.put("listen", listen);
        f.put("api-token-file", apiTokenFile);
        f.put("once", once ? "true" : null);
        f.put("allow-insecure-http", allowInsecureHttp ? "true" : null);
        f.put("git-username", gitUsername);
        f.put("git-password-file", gitPasswordFile);
        f.put("ssh-key", sshKey);
        f.put("known-hosts", knownHosts);
        f.put("git-ca-file", gitCaFile);
        f.put("job-workers", jobWorkers);
        f.put("keep-revisions", keepRevisions);
        f.put("stop-grace", stopGrace);
        f.put("log-format", logFormat);
        f.put("max-file-size", maxFileSize);
        f.put("max-workload-size", maxWorkloadSize);
        f.put("verify", verify);
        f.put("verify-scope", verifyScope);
        f.put("allowed-signers", allowedSigners);
        f.put("gpg-keys", gpgKeys);
        f.put("revoked-keys", revokedKeys);
        f.put("mqtt-url", mqttUrl);
        f.put("mqtt-topic", mqttTopic);
        f.put("mqtt-username", mqttUsername);
        f.put("mqtt-password-file", mqttPasswordFile);
        f.put("mqtt-ca-file", mqttCaFile);
        f.put("hint-spread", hintSpread);
        f.put("identity-file", identityFile);
        return f;
    }

    /** The machine facts the defaults depend on, read here at the edge. */
    static ConfigLoader loader() {
        return new ConfigLoader(System.getenv(), machineHostname(), "root".equals(System.getProperty("user.name")),
                systemdIsInit(), Path.of(System.getProperty("user.home")));
    }

    private static String machineHostname() {
        try {
            String name = Files.readString(Path.of("/etc/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (java.io.IOException e) {
            // fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    private static boolean systemdIsInit() {
        try {
            return "systemd".equals(Files.readString(Path.of("/proc/1/comm")).strip());
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
