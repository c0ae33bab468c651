/**
 * {@code voltis-agent plan}: what applying a revision would change on this device — files (with
 * unified diffs), packages, services, jobs — computed from the agent's state directory without
 * touching the device. It reads Git only from the local mirror (never the network), renders with
 * the apply's own code, unpacks into a temporary folder it deletes, runs only read-only package
 * queries, and never writes the store. It must not start processes other than those queries,
 * write under the root, or use JDBC, JGit or Quartz directly.
 */
package io.voltis.agent.plan;
