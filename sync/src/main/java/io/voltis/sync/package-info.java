/**
 * The source side of the agent: polling the infrastructure repo with JGit, resolving this
 * device's workload at a commit, unpacking it, and the revision store in H2. Only this module
 * imports {@code org.eclipse.jgit}. It must not use Quartz, HTTP serving or the process
 * runtime: it knows nothing of how a revision is applied.
 */
package io.voltis.sync;
