package io.voltis.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {

    @TempDir
    Path tmp;

    @Test
    void packThenUnpack_givesTheSameTree() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src/app"));
        Files.writeString(src.resolve("Greeter.java"), "class Greeter {}");
        Path script = Files.writeString(tmp.resolve("src/run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(tmp.resolve("src/link"), Path.of("app/Greeter.java"));

        Archives.unpack(Archives.pack(tmp.resolve("src")), tmp.resolve("out"));

        assertThat(tmp.resolve("out/app/Greeter.java")).hasContent("class Greeter {}");
        assertThat(Files.isExecutable(tmp.resolve("out/run.sh"))).isTrue();
        assertThat(Files.readSymbolicLink(tmp.resolve("out/link"))).isEqualTo(Path.of("app/Greeter.java"));
    }

    @Test
    void entryThatLeavesTheFolder_isRefused() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            byte[] data = "owned".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("../../x");
            entry.setSize(data.length);
            tar.putArchiveEntry(entry);
            tar.write(data);
            tar.closeArchiveEntry();
        }

        assertThatThrownBy(() -> Archives.unpack(bytes.toByteArray(), tmp.resolve("out")))
                .hasMessageContaining("archive entry '../../x' leaves");
        assertThat(tmp.resolve("x")).doesNotExist();
    }
}
