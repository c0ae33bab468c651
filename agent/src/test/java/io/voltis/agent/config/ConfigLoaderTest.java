package io.voltis.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.voltis.model.SizeLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @TempDir
    Path tmp;

    private ConfigLoader loader(Map<String, String> env, boolean root, boolean systemd) {
        return new ConfigLoader(env, "edge-01.example.com", root, systemd, Path.of("/home/op"));
    }

    private static Map<String, String> flags(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void flagsBeatTheFile_whichBeatsTheEnvironment_thenDefaults() throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), "repo: https://file.example/fleet.git\nbranch: prod\ninterval: 1m\n");
        Map<String, String> env = Map.of("VOLTIS_REPO", "https://env.example/x.git", "VOLTIS_BRANCH", "env",
                "VOLTIS_INTERVAL", "5m", "VOLTIS_ROOT", "/srv/root");

        AgentConfig c = loader(env, true, false).load(flags("interval", "10s"), file);

        assertThat(c.repo()).isEqualTo("https://file.example/fleet.git");
        assertThat(c.branch()).isEqualTo("prod");
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.root()).isEqualTo(Path.of("/srv/root"));
        assertThat(c.hostname()).isEqualTo("edge-01.example.com");
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/voltis"));
        assertThat(c.listen()).isEqualTo("127.0.0.1:9740");
        assertThat(c.reconcileInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.runtime()).isEqualTo(AgentConfig.Runtime.PROCESS);
    }

    @Test
    void defaults_dependOnTheMachine() throws Exception {
        AgentConfig c = loader(Map.of(), false, true).load(flags("repo", "file:///r"), null);

        assertThat(c.stateDir()).isEqualTo(Path.of("/home/op/.local/state/voltis"));
        assertThat(c.runtime()).isEqualTo(AgentConfig.Runtime.SYSTEMD);
        assertThat(c.logFormat()).isEqualTo(AgentConfig.LogFormat.TEXT);
        assertThat(loader(Map.of("VOLTIS_LOG_FORMAT", "json"), false, true).load(flags("repo", "file:///r"), null)
                .logFormat()).isEqualTo(AgentConfig.LogFormat.JSON);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = ';', value = {
        "interval   ; 30      ; --interval: '30' is not a duration such as 500ms, 5s, 2m, 1h30m",
        "interval   ; 0s      ; --interval: '0s' must be longer than 0s",
        "runtime    ; docker  ; --runtime: 'docker' is not one of process|systemd",
        "listen     ; 9740    ; --listen: '9740' is not host:port",
        "job-workers; 0       ; --job-workers: '0' is not a whole number from 1 to 64",
        "once       ; yes     ; --once: 'yes' is not true or false",
        "log-format ; logfmt  ; --log-format: 'logfmt' is not one of text|json",
        "max-file-size ; 16X  ; --max-file-size: '16X' is not a size such as 16M, 512MiB, 1G or 1048576",
        "max-workload-size ; 0M ; --max-workload-size: '0M' must be more than 0 and at most 8 EiB",
    })
    void badFlag_isOneLineNamingTheFlag(String key, String value, String expected) {
        assertThatThrownBy(() -> loader(Map.of(), true, false).load(flags("repo", "file:///r", key, value), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage(expected);
    }

    @Test
    void sizeLimits_defaultTo1GAnd2G_andAreReadFromTheFileAndFlags() throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), "repo: file:///r\nmax-file-size: 16M\n");

        AgentConfig defaults = loader(Map.of(), true, false).load(flags("repo", "file:///r"), null);
        AgentConfig set = loader(Map.of(), true, false).load(flags("max-workload-size", "512MiB"), file);

        assertThat(defaults.sizeLimits()).isEqualTo(new SizeLimits(1L << 30, 2L << 30));
        assertThat(set.sizeLimits()).isEqualTo(new SizeLimits(16L << 20, 512L << 20));
    }

    @Test
    void badEnvironmentValue_namesTheVariable() {
        assertThatThrownBy(() -> loader(Map.of("VOLTIS_INTERVAL", "often"), true, false).load(flags("repo", "file:///r"), null))
                .hasMessage("environment VOLTIS_INTERVAL: 'often' is not a duration such as 500ms, 5s, 2m, 1h30m");
    }

    @Test
    void unknownKeyInTheFile_isAnErrorWithAHint() throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), "repo: file:///r\nintervall: 5s\n");

        assertThatThrownBy(() -> loader(Map.of(), true, false).load(flags(), file))
                .hasMessage(file + ": unknown setting 'intervall' (did you mean 'interval'?)");
    }

    @Test
    void noRepo_saysWhereToGiveIt() {
        assertThatThrownBy(() -> loader(Map.of(), true, false).load(flags(), null))
                .hasMessage("no repository: give --repo URL (or repo: in /etc/voltis/agent.yaml, or VOLTIS_REPO)");
    }

    @Test
    void missingConfigFileNamedByFlag_isAnError() {
        Path missing = tmp.resolve("missing.yaml");
        assertThatThrownBy(() -> loader(Map.of(), true, false).load(flags("repo", "file:///r"), missing))
                .hasMessageStartingWith("cannot read config file " + missing);
    }

    @Test
    void emptyRepoInTheFile_isNoRepo() throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), "repo:\nbranch: main\n");

        assertThatThrownBy(() -> loader(Map.of(), true, false).load(flags(), file))
                .isInstanceOf(ConfigException.class)
                .hasMessage("no repository: give --repo URL (or repo: in /etc/voltis/agent.yaml, or VOLTIS_REPO)");
    }

    @Test
    void listenBeyondLoopback_withoutAToken_isRefused() {
        assertThatThrownBy(() -> loader(Map.of(), false, false).load(flags("repo", "file:///r", "listen", "0.0.0.0:9740"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--listen: '0.0.0.0:9740' exposes the status API beyond this device: give --api-token-file FILE"
                        + " (a bearer token) or listen on 127.0.0.1");
    }

    @Test
    void listenBeyondLoopback_withAToken_isAccepted_andLoopbackNeedsNone() throws Exception {
        AgentConfig exposed = loader(Map.of(), false, false).load(flags("repo", "file:///r", "listen", "0.0.0.0:9740",
                "api-token-file", "/etc/voltis/api-token"), null);
        AgentConfig local = loader(Map.of(), false, false).load(flags("repo", "file:///r", "listen", "[::1]:9740"), null);

        assertThat(exposed.apiTokenFile()).isEqualTo(Path.of("/etc/voltis/api-token"));
        assertThat(exposed.listenHost()).isEqualTo("0.0.0.0");
        assertThat(exposed.listenPort()).isEqualTo(9740);
        assertThat(local.apiTokenFile()).isNull();
        assertThat(local.listenHost()).isEqualTo("::1");
    }

    @Test
    void credentialsInTheRepoUrl_neverShowInToString() throws Exception {
        AgentConfig c = loader(Map.of(), true, false).load(flags("repo", "https://ops:s3cret@git.example/fleet.git"), null);

        assertThat(c.toString()).doesNotContain("s3cret").contains("https://git.example/fleet.git");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "mqtt-url=http://broker:1883 ; --mqtt-url: 'http://broker:1883' must be tcp://HOST[:PORT] or ssl://HOST[:PORT]",
        "mqtt-url=broker.example ; --mqtt-url: 'broker.example' must be tcp://HOST[:PORT] or ssl://HOST[:PORT]",
        "mqtt-url=tcp://edge:s3cret@broker ; --mqtt-url: do not put credentials in the URL: give mqtt-username and mqtt-password-file",
        "mqtt-url=tcp://broker/voltis ; --mqtt-url: 'tcp://broker/voltis' must be tcp://HOST[:PORT] (a host, an optional port, nothing after)",
        "mqtt-url=tcp://bro ker ; --mqtt-url: 'tcp://bro ker' is not a URL: Illegal character in authority",
        "mqtt-topic=voltis/+/sync ; --mqtt-topic: needs mqtt-url (the broker to subscribe to)",
        "mqtt-url=tcp://broker,mqtt-topic=voltis/# ; --mqtt-topic: 'voltis/#' is not a topic this device can own: no wildcards (+ #), not $-prefixed, not empty, at most 1024 bytes",
        "mqtt-url=tcp://broker,mqtt-topic=$SYS/x ; --mqtt-topic: '$SYS/x' is not a topic this device can own: no wildcards (+ #), not $-prefixed, not empty, at most 1024 bytes",
        "mqtt-url=tcp://broker,mqtt-password-file=/etc/voltis/mqtt ; --mqtt-password-file: needs mqtt-username",
        "mqtt-url=tcp://broker,mqtt-ca-file=/etc/voltis/ca.pem ; --mqtt-ca-file: needs an ssl:// mqtt-url",
        "hint-spread=soon ; --hint-spread: 'soon' is not a duration such as 500ms, 5s, 2m, 1h30m",
        "hint-spread=2h ; --hint-spread: '2h' must be from 0s to 1h",
    })
    void badHintSetting_isOneLineNamingIt(String given, String expected) {
        Map<String, String> f = flags("repo", "file:///r");
        for (String kv : given.split(",")) {
            f.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        assertThatThrownBy(() -> loader(Map.of(), true, false).load(f, null))
                .isInstanceOf(ConfigException.class)
                .hasMessage(expected);
    }

    @Test
    void hintSettings_defaultAndFromTheFile() throws Exception {
        AgentConfig none = loader(Map.of(), true, false).load(flags("repo", "file:///r", "hostname", "gw-1"), null);
        assertThat(none.hints().mqtt()).isFalse();
        assertThat(none.hints().spread()).isEqualTo(Duration.ofSeconds(30));

        Path file = Files.writeString(tmp.resolve("agent.yaml"), "repo: file:///r\nhostname: gw-1\nmqtt-url: ssl://broker.example\n"
                + "mqtt-username: gw-1\nmqtt-password-file: /etc/voltis/mqtt-password\nhint-spread: 2m\n");
        AgentConfig c = loader(Map.of(), true, false).load(flags(), file);
        assertThat(c.hints().mqttUrl()).isEqualTo("ssl://broker.example:8883");
        assertThat(c.hints().topics()).containsExactly("voltis/gw-1/sync", "voltis/all/sync");
        assertThat(c.hints().username()).isEqualTo("gw-1");
        assertThat(c.hints().spread()).isEqualTo(Duration.ofMinutes(2));
        assertThat(loader(Map.of("VOLTIS_MQTT_URL", "tcp://10.0.0.5", "VOLTIS_MQTT_TOPIC", "site-3/gw-1"), true, false)
                .load(flags("repo", "file:///r"), null).hints())
                .satisfies(h -> assertThat(h.mqttUrl()).isEqualTo("tcp://10.0.0.5:1883"))
                .satisfies(h -> assertThat(h.topics()).containsExactly("site-3/gw-1", "voltis/all/sync"));
        assertThat(loader(Map.of(), true, false).load(flags("repo", "file:///r", "hint-spread", "0"), null).hints().spread())
                .isZero();
    }
}
