package io.voltis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as an operator runs it: a separate {@code java -jar} process, so a class or
 * service file lost in shading fails here and not on a device.
 */
class ValidateJarIT {

    private static final Path JAR = Fixtures.projectRoot().resolve("cli/target/voltis-agent.jar");

    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void validate_exampleRepo_exits0() throws Exception {
        Run r = run("validate", Fixtures.projectRoot().resolve("examples/repo-layout").toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("valid: 3 devices, 2 workloads\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void validate_badCron_exits1WithQuartzReason(@TempDir Path tmp) throws Exception {
        Path repo = Fixtures.copy(Fixtures.projectRoot().resolve("cli/src/test/resources/validate/cron-bad"), tmp.resolve("r"));

        Run r = run("validate", repo.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("workloads/w/workload.yaml:8:62: jobs[0].schedule: '0 0 25 * * ?' is not a valid "
                + "Quartz cron expression: Hour values must be between 0 and 23");
    }

    @Test
    void noCommand_isUsage_exit2() throws Exception {
        Run r = run();

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("voltis-agent: a command is required");
    }

    @Test
    void version_printsTheJarVersion() throws Exception {
        Run r = run("--version");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("voltis-agent 0.1.0-SNAPSHOT (Java ");
    }
}
