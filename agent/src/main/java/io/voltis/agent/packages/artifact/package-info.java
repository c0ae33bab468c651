/**
 * Artifacts: files downloaded over HTTP(S) with {@code java.net.http}, verified by SHA-256 while
 * they stream to the cache directory, then unpacked (tar.gz, tar, zip) with Apache Commons
 * Compress into a staging directory beside the target and renamed into place, so a target is
 * always the old artifact or the new one. Any entry that would land outside the target
 * (".." paths, absolute paths, links leading out) refuses the whole archive. Waiting between
 * retries goes through {@link io.voltis.agent.packages.artifact.Sleeper}; nothing here sleeps,
 * reads the environment or keeps static state.
 */
package io.voltis.agent.packages.artifact;
