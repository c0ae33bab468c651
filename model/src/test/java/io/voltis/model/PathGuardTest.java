package io.voltis.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathGuardTest {

    @TempDir
    Path repo;

    @BeforeEach
    void tree() throws IOException {
        Path w = Files.createDirectories(repo.resolve("workloads/w/files/conf"));
        Files.writeString(w.resolve("real.conf"), "x");
        Files.writeString(repo.resolve("workloads/secret"), "s");
        Files.createSymbolicLink(w.resolve("alias.conf"), Path.of("real.conf"));
        Files.createSymbolicLink(repo.resolve("workloads/w/files/dir-link"), Path.of("conf"));
        Files.createSymbolicLink(repo.resolve("workloads/w/files/up"), Path.of("../files/conf/real.conf"));
        Files.createSymbolicLink(w.resolve("out"), Path.of("../../../secret"));
        Files.createSymbolicLink(w.resolve("abs"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(w.resolve("loop"), Path.of("loop"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "files/conf/real.conf       | workloads/w/files/conf/real.conf",
        "./files//conf/real.conf    | workloads/w/files/conf/real.conf",
        "files/conf/alias.conf      | workloads/w/files/conf/real.conf",
        "files/dir-link/real.conf   | workloads/w/files/conf/real.conf",
        "files/up                   | workloads/w/files/conf/real.conf",
        "files/conf/out             | 'files/conf/out' is a symlink that leaves workloads/w/",
        "files/conf/abs             | 'files/conf/abs' is a symlink to an absolute path, outside workloads/w/",
        "files/conf/loop            | 'files/conf/loop' has too many levels of symlinks",
        "files/conf                 | 'files/conf' is not a regular file",
        "files/conf/real.conf/x     | 'files/conf/real.conf/x' does not exist in workloads/w/",
        "../secret                  | '../secret' leaves the workload folder (..)",
        "/etc/hostname              | '/etc/hostname' is absolute; sources are relative to workloads/w/",
    })
    void source_followsLinksOnlyInsideTheWorkload(String source, String expected) throws IOException {
        PathGuard.Resolved r = PathGuard.source(new DirectoryTree(repo), "workloads/w", source);

        assertThat(r.ok() ? r.path() : r.problem()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "etc/app.conf       | etc/app.conf",
        "/etc/app.conf      | etc/app.conf",
        "./etc//app.conf    | etc/app.conf",
        "etc/../../x        | 'etc/../../x' leaves the root (..)",
        "/                  | must name a file under the root",
    })
    void target_staysUnderTheRoot(String target, String expected) {
        String problem = PathGuard.targetProblem(target);

        assertThat(problem == null ? PathGuard.normalizeTarget(target) : problem).isEqualTo(expected);
    }
}
