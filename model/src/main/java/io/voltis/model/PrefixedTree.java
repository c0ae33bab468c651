package io.voltis.model;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** The part of a tree under a sub-path (the agent's {@code --path}), itself a tree. */
public final class PrefixedTree implements SourceTree {

    private final SourceTree tree;
    private final String prefix;

    private PrefixedTree(SourceTree tree, String prefix) {
        this.tree = tree;
        this.prefix = prefix;
    }

    /** {@code tree} itself when {@code path} is empty, else the tree under it. */
    public static SourceTree of(SourceTree tree, String path) {
        String p = path == null ? "" : path.replaceAll("^/+|/+$", "");
        return p.isEmpty() ? tree : new PrefixedTree(tree, p);
    }

    private String full(String path) {
        return path.isEmpty() ? prefix : prefix + "/" + path;
    }

    @Override
    public Optional<Entry> stat(String path) throws IOException {
        return tree.stat(full(path));
    }

    @Override
    public byte[] read(String path, int limit) throws IOException {
        return tree.read(full(path), limit);
    }

    @Override
    public long size(String path) throws IOException {
        return tree.size(full(path));
    }

    @Override
    public List<String> list(String path) throws IOException {
        return tree.list(full(path));
    }

    @Override
    public String toString() {
        return tree + " at " + prefix + "/";
    }
}
