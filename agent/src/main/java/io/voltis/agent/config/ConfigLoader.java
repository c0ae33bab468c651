package io.voltis.agent.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.voltis.model.Durations;
import io.voltis.model.SizeLimits;
import io.voltis.sync.trust.CommitVerifier;
import io.voltis.sync.trust.TrustSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Merges the settings once: flags, then the config file, then environment variables
 * ({@code VOLTIS_REPO}, {@code VOLTIS_BRANCH}, ... — the setting's name in upper case with
 * '-' as '_'), then defaults. Unknown keys in the file are errors. NOTE: the setting names are
 * the flag names without "--", documented in docs/configuration.md.
 */
public final class ConfigLoader {

    public static final Path DEFAULT_FILE = Path.of("/etc/voltis/agent.yaml");

    /** Every setting, by its flag name. */
    static final Set<String> KEYS = Set.of("repo", "branch", "path", "hostname", "interval", "reconcile-interval",
            "state-dir", "root", "runtime", "listen", "api-token-file", "once", "git-username", "git-password-file", "ssh-key",
            "known-hosts", "job-workers", "keep-revisions", "stop-grace", "allow-insecure-http", "log-format",
            "max-file-size", "max-workload-size", "git-ca-file", "verify", "verify-scope", "allowed-signers", "gpg-keys",
            "revoked-keys", "notify", "mqtt-url", "mqtt-topic", "mqtt-username", "mqtt-password-file", "mqtt-ca-file",
            "hint-spread", "identity-file");

    private final Map<String, String> env;
    private final String machineHostname;
    private final boolean root;
    private final boolean systemdIsInit;
    private final Path home;

    /** The facts of this machine that defaults depend on, passed in so tests can choose them. */
    public ConfigLoader(Map<String, String> env, String machineHostname, boolean runningAsRoot, boolean systemdIsInit,
                        Path home) {
        this.env = env;
        this.machineHostname = machineHostname;
        this.root = runningAsRoot;
        this.systemdIsInit = systemdIsInit;
        this.home = home;
    }

    /**
     * @param flags      the flags given on the command line, by name, only those given
     * @param configFile the file named by --config, or null for the default (read only if it exists)
     */
    public AgentConfig load(Map<String, String> flags, Path configFile) throws ConfigException {
        return load(flags, configFile, true);
    }

    /**
     * The settings as commands other than {@code run} read them (state dir, hostname, intervals,
     * API token file): the same merge, but a missing repository is not an error ({@code repo()}
     * is then empty), and what the daemon runs with ({@link RunFacts} in its state directory: the
     * hostname, root, runtime, branch, path, listen address and reconcile interval, which may have
     * come as flags to {@code run}) counts above the config file and the environment, below the
     * command's own flags: a command acts on the device as the daemon does.
     */
    public AgentConfig loadForCommands(Map<String, String> flags, Path configFile) throws ConfigException {
        return load(flags, configFile, false);
    }

    private AgentConfig load(Map<String, String> flags, Path configFile, boolean requireRepo) throws ConfigException {
        Map<String, String> merged = new TreeMap<>();
        Map<String, String> source = new TreeMap<>();
        for (String key : KEYS) {
            String envValue = env.get("VOLTIS_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
            if (envValue != null && !envValue.isBlank()) {
                merged.put(key, envValue.strip());
                source.put(key, "environment VOLTIS_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
            }
        }
        Path file = configFile != null ? configFile : DEFAULT_FILE;
        if (configFile != null || Files.exists(file)) {
            readFile(file).forEach((k, v) -> {
                merged.put(k, v);
                source.put(k, file.toString());
            });
        }
        flags.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
                source.put(k, "--" + k);
            }
        });
        if (requireRepo) {
            return new Settings(merged, source).build(true);
        }
        Path state = new Settings(merged, source).build(false).stateDir();
        Optional<RunFacts> facts = RunFacts.read(state);
        if (facts.isEmpty()) {
            return new Settings(merged, source).build(false);
        }
        facts.get().settings().forEach((k, v) -> {
            if (flags.get(k) == null) {
                merged.put(k, v);
                source.put(k, new io.voltis.sync.StateLayout(state).facts().toString());
            }
        });
        return new Settings(merged, source).build(false);
    }

    private Map<String, String> readFile(Path file) throws ConfigException {
        JsonNode tree;
        try {
            tree = YAMLMapper.builder().build().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        } catch (JacksonException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            return values;
        }
        if (!tree.isObject()) {
            throw new ConfigException(file + ": expected a mapping of settings");
        }
        for (var e : tree.properties()) {
            if (!KEYS.contains(e.getKey())) {
                throw new ConfigException(file + ": unknown setting '" + e.getKey() + "'"
                        + io.voltis.model.Names.suggestion(e.getKey(), KEYS));
            }
            if (e.getKey().equals("notify")) {
                values.put("notify", e.getValue().toString()); // the list, as JSON; read by Settings.notifyTargets
                continue;
            }
            if (!e.getValue().isValueNode()) {
                throw new ConfigException(file + ": " + e.getKey() + ": expected a single value");
            }
            values.put(e.getKey(), e.getValue().asString());
        }
        return values;
    }

    /** One merge, turned into the frozen record with every value checked. */
    private final class Settings {
        private final Map<String, String> values;
        private final Map<String, String> source;

        Settings(Map<String, String> values, Map<String, String> source) {
            this.values = values;
            this.source = source;
        }

        AgentConfig build(boolean requireRepo) throws ConfigException {
            String repo = values.get("repo");
            if (repo != null && repo.isBlank()) {
                repo = null; // "repo:" left empty in the config file
            }
            if (repo == null && !requireRepo) {
                repo = "";
            }
            if (repo == null) {
                throw new ConfigException("no repository: give --repo URL (or repo: in " + DEFAULT_FILE
                        + ", or VOLTIS_REPO)");
            }
            Path state = path("state-dir", root ? Path.of("/var/lib/voltis") : home.resolve(".local/state/voltis"));
            AgentConfig.Runtime runtime = runtime();
            return new AgentConfig(repo, text("branch", "main"), text("path", ""),
                    hostname(), duration("interval", "30s"),
                    duration("reconcile-interval", "5s"), state, path("root", Path.of("/")), runtime,
                    listen(), apiTokenFile(), bool("once"), values.get("git-username"), optionalPath("git-password-file"),
                    optionalPath("ssh-key"), optionalPath("known-hosts"), number("job-workers", 2, 1, 64),
                    number("keep-revisions", 10, 1, 1000), duration("stop-grace", "10s"), bool("allow-insecure-http"),
                    logFormat(), sizeLimits(), optionalPath("git-ca-file"), trust(), notifyTargets(), hints(),
                    optionalPath("identity-file"));
        }

        /**
         * The check-now hint settings: {@code mqtt-url} tcp:// or ssl:// with a host and no
         * credentials in it; a topic without wildcards (a wildcard would take other devices' hints);
         * the other mqtt-* settings only with mqtt-url; {@code hint-spread} from 0s to 1h.
         */
        private io.voltis.agent.hints.HintSettings hints() throws ConfigException {
            String spreadText = values.get("hint-spread");
            Duration spread = io.voltis.agent.hints.HintSettings.DEFAULT_SPREAD;
            if (spreadText != null) {
                try {
                    spread = spreadText.strip().equals("0") ? Duration.ZERO : Durations.parse(spreadText);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where("hint-spread") + ": " + e.getMessage());
                }
                if (spread.isNegative() || spread.compareTo(Duration.ofHours(1)) > 0) {
                    throw new ConfigException(where("hint-spread") + ": '" + spreadText + "' must be from 0s to 1h");
                }
            }
            String url = values.get("mqtt-url");
            if (url == null || url.isBlank()) {
                for (String k : List.of("mqtt-topic", "mqtt-username", "mqtt-password-file", "mqtt-ca-file")) {
                    if (values.get(k) != null) {
                        throw new ConfigException(where(k) + ": needs mqtt-url (the broker to subscribe to)");
                    }
                }
                return new io.voltis.agent.hints.HintSettings(null, List.of(), null, null, null, spread);
            }
            url = url.strip();
            java.net.URI uri;
            try {
                uri = new java.net.URI(url);
            } catch (java.net.URISyntaxException e) {
                throw new ConfigException(where("mqtt-url") + ": '" + url + "' is not a URL: " + e.getReason());
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("tcp") || scheme.equals("ssl"))) {
                throw new ConfigException(where("mqtt-url") + ": '" + io.voltis.sync.git.Redact.url(url)
                        + "' must be tcp://HOST[:PORT] or ssl://HOST[:PORT]");
            }
            if (uri.getRawUserInfo() != null) {
                throw new ConfigException(where("mqtt-url") + ": do not put credentials in the URL: give mqtt-username"
                        + " and mqtt-password-file");
            }
            if (uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()
                    && !uri.getRawPath().equals("/")) || uri.getRawQuery() != null) {
                throw new ConfigException(where("mqtt-url") + ": '" + url + "' must be " + scheme + "://HOST[:PORT]"
                        + " (a host, an optional port, nothing after)");
            }
            url = scheme + "://" + (uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]"
                    : uri.getHost()) + ":" + (uri.getPort() > 0 ? uri.getPort() : scheme.equals("ssl") ? 8883 : 1883);
            String topic = values.getOrDefault("mqtt-topic", io.voltis.agent.hints.HintSettings.defaultTopic(hostname()));
            if (topic.isEmpty() || topic.contains("+") || topic.contains("#") || topic.startsWith("$")
                    || topic.indexOf('\0') >= 0 || topic.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
                throw new ConfigException(where("mqtt-topic") + ": '" + topic + "' is not a topic this device can own:"
                        + " no wildcards (+ #), not $-prefixed, not empty, at most 1024 bytes");
            }
            String user = values.get("mqtt-username");
            Path passwordFile = optionalPath("mqtt-password-file");
            if (passwordFile != null) {
                if (user == null) {
                    throw new ConfigException(where("mqtt-password-file") + ": needs mqtt-username");
                }
            }
            Path ca = optionalPath("mqtt-ca-file");
            if (ca != null) {
                if (!scheme.equals("ssl")) {
                    throw new ConfigException(where("mqtt-ca-file") + ": needs an ssl:// mqtt-url");
                }
            }
            List<String> topics = topic.equals(io.voltis.agent.hints.HintSettings.FLEET_TOPIC)
                    ? List.of(topic) : List.of(topic, io.voltis.agent.hints.HintSettings.FLEET_TOPIC);
            return new io.voltis.agent.hints.HintSettings(url, topics, user, passwordFile, ca, spread);
        }


        /** The {@code notify:} list of the config file (or VOLTIS_NOTIFY, the same list as JSON): checked, secrets not read. */
        private java.util.List<io.voltis.agent.notify.NotifyTarget> notifyTargets() throws ConfigException {
            String v = values.get("notify");
            if (v == null) {
                return java.util.List.of();
            }
            JsonNode list;
            try {
                list = tools.jackson.databind.json.JsonMapper.builder().build().readTree(v);
            } catch (JacksonException e) {
                throw new ConfigException(where("notify") + ": notify: not a list of targets: "
                        + e.getOriginalMessage().lines().findFirst().orElse(""));
            }
            return io.voltis.agent.notify.NotifyTargets.parse(list, where("notify"));
        }

        /** The name device files are matched against: never empty, never a path. */
        private String hostname() throws ConfigException {
            String v = values.get("hostname");
            if (v == null) {
                return machineHostname;
            }
            if (v.isBlank() || !v.strip().equals(v) || v.contains("/") || v.startsWith(".")) {
                throw new ConfigException(where("hostname") + ": '" + v + "' is not a host name (devices/<hostname>.yaml"
                        + " is looked up by it); leave it out to use this machine's");
            }
            return v;
        }

        private String text(String key, String fallback) {
            return values.getOrDefault(key, fallback);
        }

        private Path path(String key, Path fallback) {
            String v = values.get(key);
            return v == null ? fallback : Path.of(v).toAbsolutePath().normalize();
        }

        private Path optionalPath(String key) {
            String v = values.get(key);
            return v == null ? null : Path.of(v).toAbsolutePath().normalize();
        }

        private Duration duration(String key, String fallback) throws ConfigException {
            String v = values.getOrDefault(key, fallback);
            try {
                Duration d = Durations.parse(v);
                if (d.isZero()) {
                    throw new IllegalArgumentException("'" + v + "' must be longer than 0s");
                }
                return d;
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where(key) + ": " + e.getMessage());
            }
        }

        private int number(String key, int fallback, int min, int max) throws ConfigException {
            String v = values.get(key);
            if (v == null) {
                return fallback;
            }
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new ConfigException(where(key) + ": '" + v + "' is not a whole number from " + min + " to " + max);
            }
        }

        private SizeLimits sizeLimits() throws ConfigException {
            return new SizeLimits(size("max-file-size", SizeLimits.DEFAULTS.maxFileSize()),
                    size("max-workload-size", SizeLimits.DEFAULTS.maxWorkloadSize()));
        }

        private long size(String key, long fallback) throws ConfigException {
            String v = values.get(key);
            try {
                return v == null ? fallback : SizeLimits.parse(v);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where(key) + ": " + e.getMessage());
            }
        }

        private boolean bool(String key) throws ConfigException {
            String v = values.getOrDefault(key, "false");
            if (!v.equals("true") && !v.equals("false")) {
                throw new ConfigException(where(key) + ": '" + v + "' is not true or false");
            }
            return Boolean.parseBoolean(v);
        }

        private AgentConfig.Runtime runtime() throws ConfigException {
            String v = values.get("runtime");
            if (v == null) {
                return systemdIsInit ? AgentConfig.Runtime.SYSTEMD : AgentConfig.Runtime.PROCESS;
            }
            for (AgentConfig.Runtime r : AgentConfig.Runtime.values()) {
                if (r.word().equals(v)) {
                    return r;
                }
            }
            throw new ConfigException(where("runtime") + ": '" + v + "' is not one of process|systemd");
        }

        private AgentConfig.LogFormat logFormat() throws ConfigException {
            String v = values.getOrDefault("log-format", "text");
            for (AgentConfig.LogFormat f : AgentConfig.LogFormat.values()) {
                if (f.word().equals(v)) {
                    return f;
                }
            }
            throw new ConfigException(where("log-format") + ": '" + v + "' is not one of text|json");
        }

        /**
         * The trust policy; its files are read when the agent starts ({@code run} checks them
         * first: a malformed allowed_signers file is exit 2 naming file and line).
         */
        private TrustSettings trust() throws ConfigException {
            TrustSettings.Mode mode = word("verify", "off", TrustSettings.Mode.values(), TrustSettings.Mode::word);
            CommitVerifier.Scope scope = word("verify-scope", "chain", CommitVerifier.Scope.values(),
                    s -> s.name().toLowerCase(Locale.ROOT));
            Path allowed = optionalPath("allowed-signers");
            Path gpg = optionalPath("gpg-keys");
            if (mode != TrustSettings.Mode.OFF && allowed == null && gpg == null) {
                throw new ConfigException(where("verify") + ": verify: " + mode.word() + " needs allowed-signers FILE"
                        + " (an OpenSSH allowed_signers file of the keys that may sign commits)");
            }
            return new TrustSettings(mode, scope, allowed, gpg, optionalPath("revoked-keys"));
        }

        private <T> T word(String key, String fallback, T[] values, java.util.function.Function<T, String> word)
                throws ConfigException {
            String v = values(key, fallback);
            for (T t : values) {
                if (word.apply(t).equals(v)) {
                    return t;
                }
            }
            throw new ConfigException(where(key) + ": '" + v + "' is not one of "
                    + String.join("|", java.util.Arrays.stream(values).map(word).toList()));
        }

        private String values(String key, String fallback) {
            return values.getOrDefault(key, fallback);
        }

        private String listen() throws ConfigException {
            String v = values.getOrDefault("listen", "127.0.0.1:9740");
            if (!v.matches("(\\[[0-9a-fA-F:]+]|[^:\\s]+):\\d{1,5}") || Integer.parseInt(v.substring(v.lastIndexOf(':') + 1)) > 65535) {
                throw new ConfigException(where("listen") + ": '" + v + "' is not host:port");
            }
            return v;
        }

        /**
         * The API answers only on loopback unless a token guards it: a device's status names its
         * services, revisions and repository, which is not for anyone on the network.
         */
        private Path apiTokenFile() throws ConfigException {
            Path token = optionalPath("api-token-file");
            String listen = listen();
            String host = listen.substring(0, listen.lastIndexOf(':'));
            boolean loopback = host.equals("localhost") || host.matches("127(\\.\\d{1,3}){3}") || host.equals("[::1]");
            if (token == null && !loopback) {
                throw new ConfigException(where("listen") + ": '" + listen + "' exposes the status API beyond this "
                        + "device: give --api-token-file FILE (a bearer token) or listen on 127.0.0.1");
            }
            return token;
        }

        private String where(String key) {
            return source.getOrDefault(key, "--" + key);
        }
    }
}
