package io.voltis.sync.git;

import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * Keeps JGit to itself: no fork of {@code git} to find the system config, no reading of the
 * user's {@code ~/.gitconfig} (url rewrites, proxies), no writing of {@code ~/.config/jgit}
 * (a service user's home may be read-only), no external ssh from {@code GIT_SSH}.
 *
 * <p>NOTE: JGit's {@link SystemReader} is process-global; this is installed once, by the first
 * mirror opened, and is the one piece of global state the agent sets.
 */
final class JGitIsolation {

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private JGitIsolation() {
    }

    static void install() {
        if (!INSTALLED.compareAndSet(false, true)) {
            return;
        }
        // JGit measures the file system's timestamp resolution before its first file access and
        // could not keep the result (its config is not saved): measured, that blocked start for ~3 s.
        FS.FileStoreAttributes.setBackground(true);
        SystemReader.setInstance(new SystemReader.Delegate(SystemReader.getInstance()) {
            @Override
            public FileBasedConfig openSystemConfig(Config parent, FS fs) {
                return empty(parent, fs);
            }

            @Override
            public FileBasedConfig openUserConfig(Config parent, FS fs) {
                return empty(parent, fs);
            }

            @Override
            public FileBasedConfig openJGitConfig(Config parent, FS fs) {
                return empty(parent, fs);
            }

            @Override
            public String getenv(String variable) {
                return "GIT_SSH".equals(variable) ? null : super.getenv(variable);
            }
        });
    }

    private static FileBasedConfig empty(Config parent, FS fs) {
        return new FileBasedConfig(parent, null, fs) {
            @Override
            public void load() {
                // nothing to read
            }

            @Override
            public boolean isOutdated() {
                return false;
            }

            @Override
            public void save() {
                // nothing to write
            }
        };
    }
}
