package io.voltis.sync;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.voltis.model.CronCheck;
import io.voltis.model.HostResolver;
import io.voltis.sync.git.GitCredentials;
import io.voltis.sync.git.GitMirror;
import io.voltis.sync.git.GitSourceSpec;
import io.voltis.sync.git.SourceException;
import io.voltis.sync.store.RevisionStore;
import io.voltis.sync.testing.MutableClock;
import io.voltis.sync.testing.TestRepo;

/** A device's sync side wired to a real origin repo, a real mirror and a real H2 store in a temp dir. */
final class SyncFixture implements AutoCloseable {

    static Path example() {
        return Path.of(System.getProperty("voltis.projectRoot", "..")).resolve("examples/repo-layout").toAbsolutePath().normalize();
    }

    final Path state;
    final TestRepo origin;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final RevisionStore store;
    final GitMirror mirror;
    final Poller poller;
    final Preparer preparer;
    final Unpacker unpacker;
    final Revisions revisions;

    SyncFixture(Path tmp, TestRepo origin, String url, String path, String hostname) throws SourceException {
        this.origin = origin;
        this.state = tmp.resolve("state");
        this.store = RevisionStore.openOwner(state, clock);
        this.mirror = GitMirror.open(state.resolve("mirror"), state.resolve("ssh"),
                new GitSourceSpec(url, "main", path, GitCredentials.NONE));
        this.poller = new Poller(mirror, store, clock, Duration.ofMinutes(10));
        this.unpacker = new Unpacker(state.resolve("revisions"));
        this.preparer = new Preparer(mirror, store, new HostResolver(CronCheck.LENIENT), unpacker, hostname);
        this.revisions = new Revisions(store);
    }

    static SyncFixture ofExample(Path tmp, String hostname) throws SourceException {
        TestRepo origin = TestRepo.fromDirectory(tmp.resolve("origin.git"), example(), "initial");
        return new SyncFixture(tmp, origin, origin.fileUrl(), "", hostname);
    }

    @Override
    public void close() {
        mirror.close();
        store.close();
        origin.close();
    }
}
