/**
 * Everything JGit: the only package that imports {@code org.eclipse.jgit}. Wraps the bare
 * mirror under the state directory, the remote (file, HTTPS, SSH), reading a commit's tree
 * without a work tree, and turns JGit's exceptions into {@link io.voltis.sync.git.SourceException}
 * with a stable reason and a message that never holds a credential.
 */
package io.voltis.sync.git;
