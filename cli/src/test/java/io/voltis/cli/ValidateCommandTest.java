package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code voltis-agent validate} as a user meets it: each bad input under
 * src/test/resources/validate/&lt;case&gt;/ is a small repo whose {@code expected.txt} holds the
 * exact problem lines the command must print, and the command must exit 1.
 */
class ValidateCommandTest {

    static List<String> badRepos() throws IOException {
        return Fixtures.folders("validate");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRepos")
    void badRepo_exits1AndPrintsEachProblemWithItsPlace(String name, @TempDir Path tmp) throws IOException {
        Path repo = Fixtures.copy(Fixtures.resource("validate/" + name), tmp.resolve("repo"));
        List<String> expected = Files.readAllLines(repo.resolve("expected.txt"));
        Files.delete(repo.resolve("expected.txt"));

        Cli cli = Cli.run("validate", repo.toString());

        assertThat(cli.exitCode()).as(cli.out() + cli.err()).isEqualTo(Main.FAILED);
        List<String> lines = cli.outLines();
        assertThat(lines.subList(0, lines.size() - 1)).containsExactlyElementsOf(expected);
        assertThat(lines.get(lines.size() - 1)).startsWith(expected.size() + " problem");
        assertThat(cli.err()).isEmpty();
    }

    @Test
    void exampleRepo_isValid() {
        Cli cli = Cli.run("validate", Fixtures.projectRoot().resolve("examples/repo-layout").toString());

        assertThat(cli.exitCode()).as(cli.out()).isEqualTo(Main.OK);
        assertThat(cli.out()).isEqualTo("valid: 3 devices, 2 workloads\n");
    }

    @Test
    void host_resolvesShortNameAndChecksOnlyThatDevice() {
        Cli cli = Cli.run("validate", Fixtures.projectRoot().resolve("examples/repo-layout").toString(),
                "--host", "edge-02.plant-b.example.com");

        assertThat(cli.exitCode()).isEqualTo(Main.OK);
        assertThat(cli.outLines()).containsExactly(
                "host edge-02.plant-b.example.com -> devices/edge-02.yaml (short)",
                "valid: 1 device, 1 workload");
    }

    @Test
    void host_withNoDeviceFile_exits1NamingTheFilesTried() {
        Cli cli = Cli.run("validate", Fixtures.projectRoot().resolve("examples/repo-layout").toString(),
                "--host", "Gateway-9.site");

        assertThat(cli.exitCode()).isEqualTo(Main.FAILED);
        assertThat(cli.outLines().get(0)).isEqualTo("devices/: no device file for host 'Gateway-9.site' (tried "
                + "devices/gateway-9.site.yaml, devices/gateway-9.yaml, devices/_default.yaml)");
    }

    @Test
    void jsonOutput_carriesEveryProblemWithFileLineAndColumn(@TempDir Path tmp) throws IOException {
        Path repo = Fixtures.copy(Fixtures.resource("validate/enum-value"), tmp.resolve("repo"));

        Cli cli = Cli.run("validate", repo.toString(), "-o", "json");

        assertThat(cli.exitCode()).isEqualTo(Main.FAILED);
        JsonNode json = JsonMapper.builder().build().readTree(cli.out());
        assertThat(json.get("valid").asBoolean()).isFalse();
        assertThat(json.get("devices").asInt()).isEqualTo(1);
        JsonNode problem = json.get("problems").get(0);
        assertThat(problem.get("file").asString()).isEqualTo("workloads/w/workload.yaml");
        assertThat(problem.get("line").asInt()).isEqualTo(6);
        assertThat(problem.get("column").asInt()).isEqualTo(14);
        assertThat(problem.get("field").asString()).isEqualTo("services[0].restart");
        assertThat(problem.get("message").asString()).isEqualTo("'sometimes' is not one of always|on-failure|never");
    }

    @Test
    void hugeFile_isRefusedBeforeParsing(@TempDir Path tmp) throws IOException {
        Path repo = Fixtures.copy(Fixtures.resource("validate/enum-value"), tmp.resolve("repo"));
        Files.delete(repo.resolve("expected.txt"));
        Files.writeString(repo.resolve("devices/d1.yaml"), "workload: w\nvars: {port: \"1\"}\n#" + "x".repeat(2 << 20) + "\n");

        Cli cli = Cli.run("validate", repo.toString());

        assertThat(cli.exitCode()).isEqualTo(Main.FAILED);
        assertThat(cli.outLines()).contains("devices/d1.yaml: larger than 1048576 bytes, the limit");
    }

    @Test
    void fileOverMaxFileSize_isAProblemNamingTheFileAndTheLimit(@TempDir Path tmp) throws IOException {
        Path repo = Fixtures.copy(Fixtures.projectRoot().resolve("examples/repo-layout"), tmp.resolve("repo"));
        Files.createDirectories(repo.resolve("workloads/hello-web/data"));
        Files.write(repo.resolve("workloads/hello-web/data/blob.bin"), new byte[3 << 19]);

        Cli defaults = Cli.run("validate", repo.toString());
        Cli small = Cli.run("validate", repo.toString(), "--max-file-size", "1M", "--max-workload-size", "1M");

        assertThat(defaults.exitCode()).as(defaults.out()).isEqualTo(Main.OK);
        assertThat(small.exitCode()).as(small.out() + small.err()).isEqualTo(Main.FAILED);
        assertThat(small.outLines()).contains(
                "workloads/hello-web/: 1.5 MiB in all is over max-workload-size (1 MiB)",
                "workloads/hello-web/data/blob.bin: 1.5 MiB (1572864 bytes) is over max-file-size (1 MiB)");
    }

    @Test
    void badSizeFlag_isBadUsage() {
        Cli cli = Cli.run("validate", Fixtures.projectRoot().resolve("examples/repo-layout").toString(), "--max-file-size", "big");

        assertThat(cli.exitCode()).isEqualTo(Main.USAGE);
        assertThat(cli.err()).startsWith("voltis-agent: --max-file-size: 'big' is not a size such as 16M, 512MiB, 1G or 1048576\n");
    }

    @Test
    void missingDirectory_isBadUsage(@TempDir Path tmp) {
        Cli cli = Cli.run("validate", tmp.resolve("nope").toString());

        assertThat(cli.exitCode()).isEqualTo(Main.USAGE);
        assertThat(cli.err()).startsWith("voltis-agent: '" + tmp.resolve("nope") + "' is not a directory\n");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void unknownOutputFormat_isBadUsage() {
        Cli cli = Cli.run("validate", ".", "-o", "xml");

        assertThat(cli.exitCode()).isEqualTo(Main.USAGE);
        assertThat(cli.err()).contains("xml").contains("table").contains("json");
    }

    @Test
    void unknownCommand_isBadUsage() {
        Cli cli = Cli.run("valdate");

        assertThat(cli.exitCode()).isEqualTo(Main.USAGE);
        assertThat(cli.err()).contains("valdate");
    }
}
