package io.voltis.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Fixture repos under src/test/resources, copied to a temp dir so links can be made real. */
final class Fixtures {

    private Fixtures() {
    }

    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("voltis.projectRoot", "..")).toAbsolutePath().normalize();
    }

    /** The sub-folders of a resource folder, sorted by name. */
    static List<String> folders(String name) throws IOException {
        try (Stream<Path> list = Files.list(resource(name))) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Copies {@code from} into {@code to} and creates the symlinks its {@code links} file lists
     * ({@code path -> target} a line): resources cannot carry links through the build.
     */
    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            walk.forEach(p -> {
                Path dest = to.resolve(from.relativize(p).toString());
                try {
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(p, dest);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        Path links = to.resolve("links");
        if (Files.exists(links)) {
            for (String line : Files.readAllLines(links)) {
                String[] parts = line.split(" -> ");
                Files.createSymbolicLink(to.resolve(parts[0]), Path.of(parts[1]));
            }
            Files.delete(links);
        }
        return to;
    }
}
