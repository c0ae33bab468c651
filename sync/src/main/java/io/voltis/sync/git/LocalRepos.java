package io.voltis.sync.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.StoredConfig;

/**
 * Makes a local Git repository from a folder, as {@code voltis-agent demo} does with the example
 * repo: a work tree on branch {@code main} with one commit, and a local user name and e-mail so
 * {@code git commit} works in it on a machine with no Git identity configured.
 */
public final class LocalRepos {

    private LocalRepos() {
    }

    /** Copies {@code contents} into {@code dir} (which must not exist), commits it, returns the commit SHA. */
    public static String initFrom(Path contents, Path dir, String message) throws SourceException {
        JGitIsolation.install();
        try {
            copy(contents, dir);
            try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
                StoredConfig config = git.getRepository().getConfig();
                config.setString("user", null, "name", "Voltis demo");
                config.setString("user", null, "email", "demo@voltis.invalid");
                config.save();
                git.add().addFilepattern(".").call();
                return git.commit().setMessage(message).setAuthor("Voltis demo", "demo@voltis.invalid")
                        .setCommitter("Voltis demo", "demo@voltis.invalid").call().getName();
            }
        } catch (IOException | UncheckedIOException | GitAPIException e) {
            throw new SourceException(Reason.LOCAL_ERROR, "cannot make a Git repo in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }
}
