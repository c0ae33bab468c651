/**
 * The revision store: an embedded H2 file under the state directory, schema by Flyway
 * migrations. The only package that uses JDBC or H2. Records what the agent saw and did
 * (revisions, applies, the pin, source state, events, kept workload archives) so status,
 * pins and rollback work with the Git server unreachable. The daemon owns the file and serves
 * it to CLI processes on a loopback-only, password-protected port; a CLI uses the file itself
 * when no daemon runs (docs/decisions/0007-store-shared-with-the-cli.md). Must not use JGit.
 */
package io.voltis.sync.store;
