package io.voltis.agent.packages;

/** Ensures one kind of package is installed, acting only when it is not. */
public interface PackageInstaller {

    /** What {@link #ensure} did. */
    enum Outcome { ALREADY_PRESENT, INSTALLED }

    /**
     * What {@link #look} found. {@code present} is exactly the "already present" of {@link #ensure};
     * {@code version} is what is installed now (for an artifact: the start of the SHA-256 its
     * target holds, which may be another version than the one requested), or null when nothing is.
     */
    record Found(boolean present, String version) {
    }

    /** Checks first; installs only when missing (or, for an artifact, when its checksum changed). */
    Outcome ensure(PackageRequest request) throws PackageException;

    /**
     * Read-only: asks the device the question {@link #ensure} asks before it installs, and reads
     * the installed version. Nothing is installed, downloaded, created or deleted.
     *
     * @throws PackageException when the question cannot be asked (no such tool, a timeout) or
     *                          {@link #ensure} would refuse the request without trying
     */
    Found look(PackageRequest request) throws PackageException;
}
