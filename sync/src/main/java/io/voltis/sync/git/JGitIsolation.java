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
        // JGit measures the file system's timestamp resolution before its first file access unless its
        // config answers (see TIMESTAMP_RESOLUTION); measured, that blocked start for ~3 s. Kept in case
        // a measurement is still asked for.
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

    /**
     * JGit measures each file store's timestamp resolution by writing {@code .probe-*} files into
     * the directory it reads (the mirror, and a {@code file://} source repository that is the
     * operator's) unless its configuration already holds the answer. It is answered here, for
     * every file store, with a resolution coarse enough for any file system a device may have
     * (FAT's 2 s): JGit then only re-reads a file changed within 2 s of its last read, which costs
     * a ref read now and then, never a wrong answer.
     */
    static final String TIMESTAMP_RESOLUTION = "2 seconds";

    private static FileBasedConfig empty(Config parent, FS fs) {
        return new FileBasedConfig(parent, null, fs) {
            @Override
            public String getString(String section, String subsection, String name) {
                if ("filesystem".equals(section) && "timestampResolution".equals(name)) {
                    return TIMESTAMP_RESOLUTION;
                }
                return super.getString(section, subsection, name);
            }

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
