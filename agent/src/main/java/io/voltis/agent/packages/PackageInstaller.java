package io.voltis.agent.packages;

/** Ensures one kind of package is installed, acting only when it is not. */
public interface PackageInstaller {

    /** What {@link #ensure} did. */
    enum Outcome { ALREADY_PRESENT, INSTALLED }

    /** Checks first; installs only when missing (or, for an artifact, when its checksum changed). */
    Outcome ensure(PackageRequest request) throws PackageException;
}
