package io.voltis.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeviceResolverTest {

    @TempDir
    Path repo;

    private void device(String name) throws IOException {
        Files.createDirectories(repo.resolve("devices"));
        Files.writeString(repo.resolve("devices/" + name + ".yaml"), "workload: w\n");
    }

    @ParameterizedTest(name = "{0} with files {1} -> {2}")
    @CsvSource({
        "edge-01.plant-a.example, edge-01.plant-a.example edge-01 _default, devices/edge-01.plant-a.example.yaml fqdn",
        "edge-01.plant-a.example, edge-01 _default,                         devices/edge-01.yaml short",
        "edge-01.plant-a.example, _default,                                 devices/_default.yaml default",
        "EDGE-01,                 edge-01,                                  devices/edge-01.yaml fqdn",
        "edge-01,                 edge-01.plant-a.example,                  none",
    })
    void match_triesFqdnThenShortThenDefault(String host, String files, String expected) throws IOException {
        for (String f : files.trim().split("\\s+")) {
            device(f);
        }

        String got = DeviceResolver.match(new DirectoryTree(repo), host)
                .map(m -> m.file() + " " + m.rule().keyword()).orElse("none");

        assertThat(got).isEqualTo(expected);
    }

    @Test
    void candidates_forAShortName_skipTheShortStep() {
        assertThat(DeviceResolver.candidates("gw")).containsExactly("devices/gw.yaml", "devices/_default.yaml");
    }
}
