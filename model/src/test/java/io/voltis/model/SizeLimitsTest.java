package io.voltis.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizeLimitsTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1048576, 1048576", "16M, 16777216", "512MiB, 536870912", "1G, 1073741824", "2GiB, 2147483648", "4K, 4096"})
    void parse_readsBytesAndBinaryUnits(String text, long bytes) {
        assertThat(SizeLimits.parse(text)).isEqualTo(bytes);
    }

    @Test
    void parse_refusesWhatIsNoSize() {
        assertThatThrownBy(() -> SizeLimits.parse("1.5G")).hasMessage("'1.5G' is not a size such as 16M, 512MiB, 1G or 1048576");
        assertThatThrownBy(() -> SizeLimits.parse("0")).hasMessage("'0' must be more than 0 and at most 8 EiB");
    }

    @Test
    void check_namesEachFileOverTheLimit_andTheFolderOverItsTotal_withoutFollowingLinks() throws IOException {
        Path w = Files.createDirectories(tmp.resolve("workloads/w/data"));
        Files.write(w.resolve("big.bin"), new byte[3000]);
        Files.write(w.resolve("small.bin"), new byte[1000]);
        Files.createSymbolicLink(w.resolve("link"), Path.of("big.bin"));
        List<Problem> problems = new ArrayList<>();

        new SizeLimits(2048, 3500).check(new DirectoryTree(tmp), "workloads/w", problems);

        assertThat(problems).extracting(Problem::toString).containsExactly(
                "workloads/w/data/big.bin: 2.9 KiB (3000 bytes) is over max-file-size (2 KiB)",
                "workloads/w/: 3.9 KiB in all is over max-workload-size (3.4 KiB)");
    }
}
