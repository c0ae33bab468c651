package io.voltis.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The YAML dialect the model reads, pinned: see docs/decisions/0001-yaml-1.2.md. */
class YamlReaderTest {

    private final List<Problem> problems = new ArrayList<>();

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = YamlReaderTest.class.getResourceAsStream("/yaml/" + name)) {
            return in.readAllBytes();
        }
    }

    private <T extends Record> T bind(Class<T> type, String name, byte[] bytes) {
        YamlNode root = YamlReader.read(name, bytes, problems);
        Bound<T> bound = root == null ? null : Binder.bind(type, name, root, problems);
        return bound == null ? null : bound.value();
    }

    @Test
    void yaml12_keepsNoOnAndNumbersAsTheTextWritten() throws IOException {
        DeviceSpec device = bind(DeviceSpec.class, "d.yaml", resource("yaml12-pins.yaml"));

        assertThat(problems).isEmpty();
        // YAML 1.1 would have made these false, false and true.
        assertThat(device.labels()).containsEntry("enabled", "no").containsEntry("country", "NO").containsEntry("legacy", "on");
        assertThat(device.vars()).containsEntry("port", "8080").containsEntry("ratio", "0.5")
                .containsEntry("flag", "true").containsEntry("octal", "0640");
    }

    @Test
    void modes_areOctalWhetherQuotedOrNot() throws IOException {
        WorkloadSpec spec = bind(WorkloadSpec.class, "w.yaml", resource("modes.yaml"));

        assertThat(problems).isEmpty();
        assertThat(spec.files()).extracting(f -> f.target() + "=" + f.mode())
                .containsExactly("unquoted=0640", "quoted=0640", "bare=0640", "yaml12-octal=0640", "setuid=4755",
                        "default=0644");
        assertThat(spec.files().get(0).mode().bits()).isEqualTo(0640);
    }

    @Test
    void aliasBomb_isRefusedAtTheFirstAnchor() throws IOException {
        YamlNode root = YamlReader.read("bomb.yaml", resource("billion-laughs.yaml"), problems);

        assertThat(root).isNull();
        assertThat(problems).extracting(Problem::toString)
                .containsExactly("bomb.yaml:1:4: YAML anchors and aliases (&, *) are not supported; write the value out");
    }

    @Test
    void aliasAlone_isRefusedToo() {
        YamlNode root = YamlReader.read("a.yaml", "workload: *w\n".getBytes(StandardCharsets.UTF_8), problems);

        assertThat(root).isNull();
        assertThat(problems).extracting(Problem::toString)
                .containsExactly("a.yaml:1:11: YAML anchors and aliases (&, *) are not supported; write the value out");
    }

    @Test
    void deepNesting_isRefusedAtTheLimit() {
        String deep = "a: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";

        YamlNode root = YamlReader.read("deep.yaml", deep.getBytes(StandardCharsets.UTF_8), problems);

        assertThat(root).isNull();
        assertThat(problems).extracting(Problem::message).containsExactly("nested deeper than 32 levels");
    }

    @Test
    void tag_isRefused() {
        YamlReader.read("t.yaml", "workload: !!python/object:os.system x\n".getBytes(StandardCharsets.UTF_8), problems);

        assertThat(problems).extracting(Problem::toString)
                .containsExactly("t.yaml:1:11: YAML tags (tag:yaml.org,2002:python/object:os.system) are not supported");
    }

    @Test
    void byteOrderMark_isSkipped() {
        byte[] bom = "\uFEFFworkload: gw\n".getBytes(StandardCharsets.UTF_8);

        DeviceSpec device = bind(DeviceSpec.class, "bom.yaml", bom);

        assertThat(problems).isEmpty();
        assertThat(device.workload()).isEqualTo("gw");
    }

    @Test
    void emptyFile_isAnEmptyMapping() {
        WorkloadSpec spec = bind(WorkloadSpec.class, "w.yaml", new byte[0]);

        assertThat(problems).isEmpty();
        assertThat(spec).isEqualTo(new WorkloadSpec(null, null, null, null, null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "workload: [gw          | e.yaml:1:14: YAML syntax: while parsing a flow sequence: expected ',' or ']', but got <stream end>",
        "workload: gw\\n  x: 1   | e.yaml:2:4: YAML syntax: mapping values are not allowed here",
        "- a\\n- b              | e.yaml:1:1: expected a mapping, got a list",
    })
    void malformed_isOneLineWithPlace(String text, String expected) {
        bind(DeviceSpec.class, "e.yaml", text.replace("\\n", "\n").getBytes(StandardCharsets.UTF_8));

        assertThat(problems).extracting(Problem::toString).containsExactly(expected);
    }
}
