package io.voltis.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** A {@link SourceTree} over a directory on disk; symlinks are reported, never followed. */
public final class DirectoryTree implements SourceTree {

    private final Path root;

    public DirectoryTree(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public Optional<Entry> stat(String path) throws IOException {
        Path p = resolve(path);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (attributes.isSymbolicLink()) {
            return Optional.of(new Entry(Kind.SYMLINK, Files.readSymbolicLink(p).toString()));
        }
        if (attributes.isDirectory()) {
            return Optional.of(Entry.DIRECTORY);
        }
        return attributes.isRegularFile() ? Optional.of(Entry.FILE) : Optional.empty();
    }

    @Override
    public byte[] read(String path, int limit) throws IOException {
        try (var in = Files.newInputStream(resolve(path), LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(limit + 1);
        }
    }

    @Override
    public long size(String path) throws IOException {
        return Files.readAttributes(resolve(path), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
    }

    @Override
    public List<String> list(String path) throws IOException {
        Path dir = resolve(path);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(c -> c.getFileName().toString()).sorted().toList();
        }
    }

    private Path resolve(String path) {
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("path leaves the tree: " + path);
        }
        return p;
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
