/**
 * Real Git origins for tests of sync, agent and cli (shipped in sync's test-jar): a bare
 * repository whose history a test scripts ({@link io.voltis.sync.testing.TestRepo}), served over
 * file://, smart HTTP ({@link io.voltis.sync.testing.GitHttpServer}) or SSH
 * ({@link io.voltis.sync.testing.GitSshServer}), all in-process on 127.0.0.1. No fakes: clients
 * under test talk real Git protocols to these. Nothing here may be used by main code.
 */
package io.voltis.sync.testing;
